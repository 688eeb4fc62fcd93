import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { functionEntries, MANIFEST, referenceProblems, type FunctionEntry } from '../../manifest/manifest';
import { repoPath } from '../../local/paths';
import { moduleClosure } from '../../scripts/packageFunctions';
import { evaluate, evaluateInstances, loadInfra, nested, resource, type InfraConfig } from './support/terraformConfig';

interface Grant {
  principal: string;
  role: string;
  granted: string;
  kind: string;
  target: string;
}

interface Exposure {
  public: string[];
  ingress: Record<string, string>;
  grants: Record<string, Grant>;
  roleIds: Record<string, string>;
  builder: string[];
}

const EXPOSURE = {
  public: 'keys(local.public_functions)',
  ingress: '{ for name, f in local.functions : name => f.ingress_settings }',
  grants: 'local.grants',
  roleIds: 'local.custom_role_ids',
  builder: 'local.function_builder_roles',
};

/** What a default `terraform apply` lets anyone on the internet call: the README's list (issue 12). */
const PUBLIC_BY_DEFAULT = ['accounts', 'audios', 'checkStatus', 'docs', 'incrementTag', 'responses', 'tagStats', 'triggerWorkflow'];

/** Roles that hold more than any of the kit's code calls (the audit's list): none may be granted. */
const TOO_BROAD = [
  'roles/bigquery.dataEditor',
  'roles/workflows.invoker',
  'roles/workflows.viewer',
  'roles/storage.objectAdmin',
  'roles/cloudbuild.builds.builder',
  'roles/iam.serviceAccountUser',
];

/** The compiled tree the tests run from (dist/), where each function's module closure is read. */
const COMPILED = path.resolve(__dirname, '..', '..');

/** The compiled code a function loads, concatenated. */
function closureCode(fn: FunctionEntry): string {
  const dependencies = (JSON.parse(fs.readFileSync(repoPath('package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies;
  return moduleClosure(COMPILED, `${fn.source}.js`, dependencies)
    .filter((file) => file.endsWith('.js'))
    .map((file) => fs.readFileSync(path.join(COMPILED, file), 'utf8'))
    .join('\n');
}

/**
 * Who can reach what in a deployment, read from the evaluated Terraform and the manifest: which
 * functions admit allUsers, which ingress each has, which variable opens what, and roles no
 * broader than the code (issue 12).
 */
describe('infra: exposure and least privilege', () => {
  let tf: Exposure;
  let config: InfraConfig;
  before(async () => {
    tf = (await evaluate(EXPOSURE, { project_id: 'p' })) as Exposure;
    config = await loadInfra();
  });

  describe('what is public', () => {
    it('makes public in a default deployment exactly the functions the README lists', () => {
      assert.deepEqual([...tf.public].sort(), PUBLIC_BY_DEFAULT);
      assert.ok(!('nodeSim' in tf.ingress), 'the node simulator is not deployed by default');
    });

    it('closes System D with accounts_public and audios_public, opens System C only with public_group_operations', async () => {
      const flipped = (await evaluate(
        { public: 'keys(local.public_functions)', invokers: '{ for name, f in local.functions : name => f.invokers }' },
        {
          accounts_public: 'false',
          audios_public: 'false',
          public_group_operations: 'true',
          accounts_invokers: '["user:a@example.com"]',
        },
      )) as { public: string[]; invokers: Record<string, string[]> };
      assert.deepEqual(
        [...flipped.public].sort(),
        [...PUBLIC_BY_DEFAULT.filter((name) => name !== 'accounts' && name !== 'audios'), 'createGroup', 'deleteGroup', 'groupTask'].sort(),
      );
      assert.deepEqual(flipped.invokers.accounts, ['user:a@example.com'], 'a private accounts is callable by accounts_invokers');
      assert.deepEqual(flipped.invokers.audios, []);
    });
  });

  describe('ingress', () => {
    /**
     * Whether every caller of a function is a Google service of the project calling its run.app
     * URL, which ALLOW_INTERNAL_ONLY admits (https://cloud.google.com/run/docs/securing/ingress): a
     * push subscription, a schedule, or a workflow given the function's URL as `{"function_url"}`
     * (workflows.tf resolves that to the run.app URL). A workflow reaching it by another source
     * (nodeSim's `otherwise`, a cloudfunctions.net URL), anyone public, or an `invokers` member from
     * outside, needs ALLOW_ALL.
     */
    function onlyInternalCallers(fn: FunctionEntry): boolean {
      if (fn.public !== false || fn.invokers) return false;
      const workflowCallers = Object.entries(MANIFEST.workflows).filter(([, w]) =>
        w.roles.some((g) => g.role === 'roles/run.invoker' && 'function' in g.on && g.on.function === fn.name),
      );
      const pushed = Object.values(MANIFEST.subscriptions).some((s) => s.push_to === fn.name);
      const scheduled = Object.values(MANIFEST.schedules).some((j) => j.target === fn.name);
      if (workflowCallers.length === 0 && !pushed && !scheduled) return false;
      return workflowCallers.every(([, w]) =>
        Object.values(w.env).every((source) => !('otherwise' in source) || source.otherwise?.function_url !== fn.name),
      );
    }

    it('gives ALLOW_INTERNAL_ONLY to every private function only the project’s own services call, and ALLOW_ALL to the rest', async () => {
      // What each deployed function is given, from the resource's own arguments.
      const deployed = await evaluateInstances('google_cloudfunctions2_function', 'function', { deploy_node_simulator: 'true' });
      const all = {
        ingress: Object.fromEntries(Object.entries(deployed).map(([name, fn]) => [name, nested(fn, 'service_config').ingress_settings])),
      };
      assert.deepEqual(Object.keys(all.ingress).sort(), Object.keys(MANIFEST.functions).sort());
      const internal: string[] = [];
      for (const fn of functionEntries()) {
        const expected = onlyInternalCallers(fn) ? 'ALLOW_INTERNAL_ONLY' : 'ALLOW_ALL';
        assert.equal(all.ingress[fn.name], expected, fn.name);
        if (expected === 'ALLOW_INTERNAL_ONLY') internal.push(fn.name);
      }
      assert.deepEqual(internal.sort(), [
        'bigqueryExportWorker',
        'deadLetterWorker',
        'deliverySweeper',
        'isValidInput',
        'process',
        'sheetsExportWorker',
        'webhookWorker',
      ]);
      assert.equal(
        all.ingress.nodeSim,
        'ALLOW_ALL',
        'operators flip its switches from outside, and the workflow calls its cloudfunctions.net URL',
      );
    });

    it('refuses, in the manifest, internal ingress on a function callers from outside may invoke, and an undeclared custom role', () => {
      const broken = structuredClone(MANIFEST);
      broken.functions.docs.ingress = 'ALLOW_INTERNAL_ONLY';
      broken.functions.forms.ingress = 'ALLOW_INTERNAL_ONLY';
      broken.functions.process.roles[0].role = 'custom/tableRowInsert';
      assert.deepEqual(referenceProblems(broken), [
        'function process role custom/tableRowInsert: no custom role "tableRowInsert"',
        'function forms: ALLOW_INTERNAL_ONLY, yet callers from outside may invoke it (public or invokers)',
        'function docs: ALLOW_INTERNAL_ONLY, yet callers from outside may invoke it (public or invokers)',
      ]);
    });

    it('sends pushes, scheduled calls and workflow calls to the run.app URL, the one internal ingress admits', () => {
      const runApp = /google_cloudfunctions2_function\.function\[[^\]]+\]\.service_config\[0\]\.uri/;
      const push = nested(nested(resource(config, 'google_pubsub_subscription', 'subscription'), 'push_config'), 'oidc_token');
      assert.match(String(nested(resource(config, 'google_pubsub_subscription', 'subscription'), 'push_config').push_endpoint), runApp);
      assert.match(String(push.audience), runApp);
      const target = nested(resource(config, 'google_cloud_scheduler_job', 'schedule'), 'http_target');
      assert.match(String(target.uri), runApp);
      assert.match(String(nested(target, 'oidc_token').audience), runApp);
      assert.match(String(resource(config, 'google_workflows_workflow', 'workflow').user_env_vars), runApp);
    });
  });

  describe('least privilege', () => {
    it('grants none of the broad roles the audit found, to anyone', () => {
      const everyRole = [
        ...Object.values(tf.grants).map((g) => `${g.principal} ${g.role}`),
        ...tf.builder.map((role) => `builder ${role}`),
      ];
      for (const broad of TOO_BROAD)
        assert.deepEqual(
          everyRole.filter((line) => line.endsWith(` ${broad}`)),
          [],
          `${broad} is granted`,
        );
    });

    it('declares each custom role with exactly the permissions of the calls it covers, and grants it by its full name', async () => {
      const permissions = (id: string): string[] => MANIFEST.custom_roles[id].permissions;
      assert.deepEqual(permissions('tableRowInserter'), ['bigquery.tables.updateData']);
      assert.deepEqual(permissions('workflowExecutionStarter'), ['workflows.executions.create']);
      assert.deepEqual(permissions('workflowExecutionReader'), ['workflows.executions.get']);
      assert.deepEqual(permissions('objectReadWriter'), ['storage.objects.create', 'storage.objects.delete', 'storage.objects.get']);
      assert.deepEqual(permissions('objectWriter'), ['storage.objects.create', 'storage.objects.delete']);
      for (const g of Object.values(tf.grants)) {
        if (!g.role.startsWith('custom/')) {
          assert.equal(g.granted, g.role);
          continue;
        }
        const id = g.role.slice('custom/'.length);
        assert.ok(id in MANIFEST.custom_roles, g.role);
        assert.equal(g.granted, `projects/p/roles/${tf.roleIds[id]}`);
      }
      // Role ids: 3 to 64 of letters, digits, _ and . (a name_prefix's hyphens cannot stay).
      const prefixed = (await evaluate({ ids: 'local.custom_role_ids' }, { name_prefix: 'stg-' })) as { ids: Record<string, string> };
      for (const ids of [tf.roleIds, prefixed.ids]) for (const id of Object.values(ids)) assert.match(id, /^[a-zA-Z0-9_.]{3,64}$/);
      assert.equal(prefixed.ids.objectWriter, 'stg_gcfKitObjectWriter');
      assert.notEqual(prefixed.ids.objectWriter, tf.roleIds.objectWriter, 'a second copy of the kit has its own roles');
      const roles = await evaluateInstances('google_project_iam_custom_role', 'role', { project_id: 'p' });
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(roles).map(([id, r]) => [id, { project: r.project, role_id: r.role_id, permissions: r.permissions }]),
        ),
        Object.fromEntries(
          Object.keys(MANIFEST.custom_roles).map((id) => [id, { project: 'p', role_id: tf.roleIds[id], permissions: permissions(id) }]),
        ),
        'one role per custom role of the manifest, with its permissions',
      );
    });

    it("matches each function's grants to the client calls its code makes", () => {
      const calls = (fn: FunctionEntry): Record<string, boolean> => {
        const code = closureCode(fn);
        return {
          createExecution: /\.createExecution\(/.test(code),
          getExecution: /\.getExecution\(/.test(code),
          insert: /\.table\([^)]*\)\s*\.insert\(|\btable\.insert\(/.test(code),
          readObject: /\.(download|createReadStream|getMetadata|exists)\(/.test(code),
          listObjects: /\.getFiles\(/.test(code),
        };
      };
      const holds = (fn: FunctionEntry, role: string): boolean => fn.roles.some((g) => g.role === role);
      for (const fn of functionEntries()) {
        const c = calls(fn);
        assert.equal(holds(fn, 'custom/workflowExecutionStarter'), c.createExecution, `${fn.name}: executions.create`);
        assert.equal(holds(fn, 'custom/workflowExecutionReader'), c.getExecution, `${fn.name}: executions.get`);
        assert.equal(holds(fn, 'custom/tableRowInserter'), c.insert, `${fn.name}: tabledata.insertAll`);
        if (holds(fn, 'custom/objectWriter')) assert.ok(!c.readObject && !c.listObjects, `${fn.name} reads objects, objectWriter cannot`);
        if (holds(fn, 'custom/objectReadWriter')) assert.ok(c.readObject && !c.listObjects, `${fn.name}: objects.get, no list`);
      }
      const audios = functionEntries().find((f) => f.name === 'audios')!;
      assert.ok(holds(audios, 'custom/objectWriter'), 'audios writes its files and never reads one back');
    });

    it('builds as an account with Artifact Registry writer, Logs Writer and read on the function sources only', async () => {
      assert.deepEqual([...tf.builder].sort(), ['roles/artifactregistry.writer', 'roles/logging.logWriter']);
      const { '': reader } = await evaluateInstances('google_project_iam_member', 'function_builder_source_reader', { project_id: 'p' });
      assert.equal(reader.role, 'roles/storage.objectViewer');
      assert.equal(
        nested(reader, 'condition').expression,
        'resource.name == "projects/_/buckets/p-function-source" || ' +
          'resource.name.startsWith("projects/_/buckets/p-function-source/") || ' +
          'resource.name.startsWith("projects/_/buckets/gcf-v2-sources-")',
      );
      const { '': bucket } = await evaluateInstances('google_storage_bucket', 'function_source', { project_id: 'p' });
      assert.equal(bucket.name, 'p-function-source', 'the condition names the bucket Terraform creates');
    });

    it("lets the deployer act as the kit's own accounts only, and only when deployer_member is set", async () => {
      // The kit's accounts are known only after apply: two stand in for them.
      const kitAccounts = {
        kit_accounts: '{ "function/docs" = "projects/p/serviceAccounts/d", builder = "projects/p/serviceAccounts/b" }',
      };
      const actAs = (overrides: Record<string, string>) =>
        evaluateInstances('google_service_account_iam_member', 'deployer_acts_as', overrides, kitAccounts);
      assert.deepEqual(await actAs({}), {}, 'nothing by default');
      assert.deepEqual(await actAs({ deployer_member: 'user:d@example.com' }), {
        'function/docs': {
          service_account_id: 'projects/p/serviceAccounts/d',
          role: 'roles/iam.serviceAccountUser',
          member: 'user:d@example.com',
        },
        builder: { service_account_id: 'projects/p/serviceAccounts/b', role: 'roles/iam.serviceAccountUser', member: 'user:d@example.com' },
      });
      // Which accounts kit_accounts gathers can only be read from its text: every one the kit creates.
      const kit = config.localsBlocks.find((block) => 'kit_accounts' in block)!.kit_accounts as string;
      for (const account of Object.keys(config.resources.google_service_account))
        assert.ok(kit.includes(`google_service_account.${account}`), `kit_accounts leaves out google_service_account.${account}`);
      for (const type of ['google_project_iam_member', 'google_project_iam_binding', 'google_project_iam_policy'])
        for (const [name, block] of Object.entries(config.resources[type] ?? {}))
          assert.notEqual(block.role, 'roles/iam.serviceAccountUser', `${type}.${name} grants Service Account User on the project`);
    });
  });
});
