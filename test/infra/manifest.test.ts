import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { deployName, functionEntries, MANIFEST, referenceProblems, type EnvSource } from '../../manifest/manifest';
import { repoPath } from '../../local/paths';
import { localEnv } from '../../local/wiring';
import { evaluate, evaluateInstances, loadInfra, nested } from './support/terraformConfig';

const SCHEMA = JSON.parse(fs.readFileSync(repoPath('manifest', 'manifest.schema.json'), 'utf8')) as object;

function schemaErrors(document: unknown): string[] {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SCHEMA);
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Every env source of the manifest, with where it is declared. */
function envSources(): { owner: string; name: string; source: EnvSource }[] {
  return [
    ...Object.entries(MANIFEST.functions).flatMap(([fn, f]) =>
      Object.entries(f.env).map(([name, source]) => ({ owner: fn, name, source })),
    ),
    ...Object.entries(MANIFEST.workflows).flatMap(([wf, w]) =>
      Object.entries(w.env).map(([name, source]) => ({ owner: wf, name, source })),
    ),
  ];
}

/** manifest/manifest.json itself, and Terraform's reading of it (manifest.tf), by value. */
describe('manifest', () => {
  it('is valid against its JSON Schema', () => {
    assert.deepEqual(schemaErrors(MANIFEST), []);
  });

  it('the schema refuses what it must (it can fail)', () => {
    const broken = structuredClone(MANIFEST) as unknown as { functions: Record<string, Record<string, unknown>> };
    broken.functions.docs.memory = '256MB';
    broken.functions.docs.roles = [{ role: 'roles/editor', on: { project: true }, why: 'no' }];
    broken.functions.docs.env = { PUBLIC_BASE_URL: { url: 'x' } };
    const errors = schemaErrors(broken);
    for (const pointer of ['/functions/docs/memory', '/functions/docs/roles/0/role', '/functions/docs/env/PUBLIC_BASE_URL'])
      assert.ok(
        errors.some((e) => e.startsWith(pointer)),
        `no error at ${pointer}: ${errors.join('; ')}`,
      );
  });

  it('names only what it declares, with one local value per variable', () => {
    assert.deepEqual(referenceProblems(), []);
    const broken = structuredClone(MANIFEST);
    broken.functions.groupTask.env.GROUP_TASKS_COLLECTION = { collection: 'group_taks' };
    broken.workflows.groups.roles.push({ role: 'roles/run.invoker', on: { function: 'nodeSimm' }, why: 'typo' });
    assert.deepEqual(referenceProblems(broken), [
      'function groupTask env GROUP_TASKS_COLLECTION: no collection "group_taks"',
      'workflow groups role roles/run.invoker: no function "nodeSimm"',
    ]);
  });

  it("keeps each function's and workflow's Firestore work in its own system's database", () => {
    const broken = structuredClone(MANIFEST);
    // A Firestore role on the whole project would reach every system's documents.
    broken.functions.tagStats.roles = [{ role: 'roles/datastore.viewer', on: { project: true }, why: 'too wide' }];
    // A client pointed at another system's database would find none of its collections.
    broken.functions.accounts.env.FIRESTORE_DATABASE = { database: 'forms' };
    // One client, one database: a collection of another system's database cannot be reached.
    broken.workflows.groups.env.STATE = { collection: 'pipeline_state' };
    assert.deepEqual(referenceProblems(broken), [
      'function tagStats role roles/datastore.viewer: must be granted on its collections\' database, not {"project":true}',
      'function accounts: names database "forms", which holds none of its collections',
      'function accounts: granted database "accounts" but no env var names it',
      'workflow groups: collections in more than one database (groups, pipeline)',
    ]);
  });

  it('points at modules, schema files and workflow files that exist', () => {
    for (const fn of functionEntries()) {
      for (const module of [fn.source, fn.openapi].filter((m): m is string => m !== undefined))
        assert.ok(fs.existsSync(repoPath(`${module}.ts`)), `${fn.name}: ${module}.ts`);
    }
    for (const dataset of Object.values(MANIFEST.datasets))
      for (const table of Object.values(dataset.tables)) assert.ok(fs.existsSync(repoPath(table.schema)), table.schema);
    for (const workflow of Object.values(MANIFEST.workflows)) assert.ok(fs.existsSync(repoPath(workflow.source)), workflow.source);
  });

  describe('in Terraform (infra/manifest.tf, evaluated)', () => {
    let tf: {
      functions: Record<string, Record<string, unknown>>;
      serviceNames: Record<string, string>;
      variables: Record<string, string>;
      flags: Record<string, boolean>;
      grants: Record<string, { principal: string; role: string; kind: string; target: string }>;
      unresolved: string[];
    };
    before(async () => {
      tf = (await evaluate(
        {
          functions: 'local.functions',
          serviceNames: 'local.service_names',
          variables: 'local.manifest_variables',
          flags: 'local.manifest_flags',
          grants: 'local.grants',
          unresolved: 'local.unresolved_env',
        },
        { deploy_node_simulator: 'true' },
      )) as typeof tf;
    });

    it('deploys every function with the settings its entry gives', async () => {
      const { delay } = (await evaluate({ delay: 'var.process_delay_seconds' })) as { delay: number };
      assert.deepEqual(Object.keys(tf.functions).sort(), Object.keys(MANIFEST.functions).sort());
      for (const fn of functionEntries()) {
        const deployed = tf.functions[fn.name];
        for (const key of ['description', 'memory', 'cpu', 'concurrency', 'min_instances', 'max_instances'] as const)
          assert.equal(deployed[key], fn[key], `${fn.name}.${key}`);
        const isPublic = typeof fn.public === 'boolean' ? fn.public : tf.flags[fn.public.variable];
        assert.equal(deployed.public, isPublic, `${fn.name}.public`);
        const timeout = typeof fn.timeout_seconds === 'number' ? fn.timeout_seconds : delay + fn.timeout_seconds.add;
        assert.equal(deployed.timeout_seconds, timeout, `${fn.name}.timeout_seconds`);
        assert.equal(tf.serviceNames[fn.name], deployName(fn.name));
      }
    });

    it('gives each function resource its entry’s settings', async () => {
      const settings = {
        available_memory: 'memory',
        available_cpu: 'cpu',
        timeout_seconds: 'timeout_seconds',
        max_instance_request_concurrency: 'concurrency',
        min_instance_count: 'min_instances',
        max_instance_count: 'max_instances',
        ingress_settings: 'ingress_settings',
      } as const;
      const deployed = await evaluateInstances('google_cloudfunctions2_function', 'function', { deploy_node_simulator: 'true' });
      assert.deepEqual(Object.keys(deployed).sort(), Object.keys(MANIFEST.functions).sort());
      for (const [name, fn] of Object.entries(deployed)) {
        assert.equal(fn.name, tf.serviceNames[name], `${name}: name`);
        assert.equal(fn.description, tf.functions[name].description, `${name}: description`);
        const service = nested(fn, 'service_config');
        for (const [argument, key] of Object.entries(settings))
          assert.equal(service[argument], tf.functions[name][key], `${name}: ${argument}`);
      }
    });

    it('maps every variable and flag the manifest names to a declared Terraform variable', async () => {
      const declared = Object.keys((await loadInfra()).variables);
      for (const name of [...Object.keys(tf.variables), ...Object.keys(tf.flags)]) assert.ok(declared.includes(name), `var.${name}`);
      for (const { owner, name, source } of envSources())
        if ('variable' in source)
          for (const variable of [source.variable, source.or_variable ?? source.variable])
            assert.ok(variable in tf.variables, `${owner} ${name}: ${variable} is not in local.manifest_variables`);
      for (const fn of functionEntries()) {
        if (fn.deploy_if) assert.ok(fn.deploy_if in tf.flags, `${fn.name}: ${fn.deploy_if}`);
        if (typeof fn.public !== 'boolean') assert.ok(fn.public.variable in tf.flags, `${fn.name}: ${fn.public.variable}`);
      }
    });

    it('grants exactly the roles the manifest lists', () => {
      const expected = [
        ...Object.entries(MANIFEST.functions).flatMap(([name, f]) => f.roles.map((g) => ({ principal: `function/${name}`, g }))),
        ...Object.entries(MANIFEST.workflows).flatMap(([name, w]) => w.roles.map((g) => ({ principal: `workflow/${name}`, g }))),
      ].map(({ principal, g }) => `${principal} ${g.role} ${Object.keys(g.on)[0]}:${String(Object.values(g.on)[0])}`);
      assert.deepEqual(Object.keys(tf.grants).sort(), expected.sort());
    });

    it('grants Firestore roles only on one database each, the one the grantee is pointed at', async () => {
      const firestoreGrants = Object.values(tf.grants).filter((g) => g.role.startsWith('roles/datastore.'));
      assert.ok(firestoreGrants.length >= 10);
      for (const g of firestoreGrants) assert.equal(g.kind, 'database', `${g.principal} ${g.role} is on ${g.kind}, not one database`);
      const { env } = (await evaluate({ env: 'local.env_values' }, { name_prefix: 'stg-' })) as { env: Record<string, string> };
      for (const g of firestoreGrants)
        assert.equal(env[`${g.principal}/FIRESTORE_DATABASE`], `stg-${g.target}`, `${g.principal} is pointed at its granted database`);
    });

    it('lets someone invoke every private function, or it could never be called', () => {
      const invoked = new Set([
        ...Object.values(tf.grants)
          .filter((g) => g.kind === 'function' && g.role === 'roles/run.invoker')
          .map((g) => g.target),
        ...Object.values(MANIFEST.subscriptions).map((s) => s.push_to),
        ...Object.values(MANIFEST.schedules).map((j) => j.target),
        ...functionEntries()
          .filter((f) => f.invokers)
          .map((f) => f.name),
      ]);
      for (const fn of functionEntries().filter((f) => f.public !== true))
        assert.ok(invoked.has(fn.name), `${fn.name} is private and nobody is granted run.invoker on it`);
    });

    it('leaves nodeSim out, with every grant on it, and asks for the real nodes and audience', async () => {
      const without = (await evaluate(
        { functions: 'keys(local.functions)', grants: 'local.grants', unresolved: 'local.unresolved_env' },
        { deploy_node_simulator: 'false' },
      )) as { functions: string[]; grants: Record<string, { target: string; principal: string }>; unresolved: string[] };
      assert.ok(!without.functions.includes('nodeSim'));
      assert.ok(!Object.values(without.grants).some((g) => g.target === 'nodeSim' || g.principal === 'function/nodeSim'));
      assert.deepEqual(without.unresolved, [
        'workflow/groups/NODES: set var.group_nodes',
        'workflow/groups/NODE_AUDIENCES: set var.group_node_audiences',
      ]);
      assert.deepEqual(tf.unresolved, []);
      const real = (await evaluate(
        {
          nodes: 'local.env_values["workflow/groups/NODES"]',
          audiences: 'local.env_values["workflow/groups/NODE_AUDIENCES"]',
          unresolved: 'local.unresolved_env',
        },
        { deploy_node_simulator: 'false', group_nodes: '["https://a.example.com/","https://b.example.com"]' },
      )) as { nodes: string; audiences: string; unresolved: string[] };
      assert.equal(real.nodes, 'https://a.example.com,https://b.example.com', 'trailing slashes dropped');
      assert.equal(real.audiences, real.nodes, "each real node's audience is its own URL unless given");
      assert.deepEqual(real.unresolved, []);
      const simulated = (await evaluate(
        { nodes: 'local.env_values["workflow/groups/NODES"]', audiences: 'local.env_values["workflow/groups/NODE_AUDIENCES"]' },
        { deploy_node_simulator: 'true', project_id: 'p', region: 'r' },
      )) as { nodes: string; audiences: string };
      const sim = 'https://r-p.cloudfunctions.net/node-sim';
      assert.equal(simulated.nodes, `${sim}/node1,${sim}/node2,${sim}/node3`);
      assert.equal(simulated.audiences, `${sim},${sim},${sim}`, "simulated nodes' audience is nodeSim's URL (what Cloud Run checks)");
      // The local cloud resolves the same sources the same way (`NODES=... make dev`).
      const context = { projectId: 'p', location: 'r', functionUrls: { nodeSim: 'http://127.0.0.1:9' }, variables: {} };
      const localGroups = (variables: Record<string, string>) => localEnv(MANIFEST.workflows.groups.env, { ...context, variables });
      const given = localGroups({ group_nodes: 'http://127.0.0.1:7,http://127.0.0.1:8' });
      assert.equal(given.NODE_AUDIENCES, given.NODES, "locally too, each given node's audience is its own URL");
      const local = localGroups({});
      assert.equal(local.NODE_AUDIENCES, 'http://127.0.0.1:9,http://127.0.0.1:9,http://127.0.0.1:9');
    });

    it('moves each binding of the old addresses onto a grant the manifest declares (infra/moved.tf)', () => {
      const moved = fs.readFileSync(repoPath('infra', 'moved.tf'), 'utf8');
      const targets = [...moved.matchAll(/^\s*to\s*=\s*google_[a-z_]+\.grant\["([^"]+)"\]/gm)].map((m) => m[1]);
      assert.ok(targets.length >= 5, 'moved.tf moves the role bindings that kept their role');
      for (const key of targets)
        assert.ok(key in tf.grants, `moved.tf moves a binding to grant["${key}"], which the manifest does not declare`);
    });

    it('prefixes every name with name_prefix, within the limits of each kind of id', async () => {
      const named = (await evaluate(
        {
          services: 'local.service_names',
          buckets: 'local.bucket_names',
          datasets: 'local.dataset_ids',
          workflows: 'local.workflow_names',
          collections: 'local.collection_names',
          databases: 'local.database_names',
        },
        { name_prefix: 'stg-' },
      )) as Record<string, Record<string, string>>;
      for (const kind of ['services', 'buckets', 'workflows', 'collections', 'databases'])
        for (const name of Object.values(named[kind])) assert.match(name, /^stg-/, `${kind}: ${name}`);
      for (const id of Object.values(named.datasets)) assert.match(id, /^stg_[a-z0-9_]+$/, 'dataset ids have no hyphens');
      // Firestore refuses any other database id.
      for (const id of Object.values(named.databases)) assert.match(id, /^[a-z][a-z0-9-]{2,61}[a-z0-9]$/, `database id ${id}`);
      // IAM refuses any other service account id, at apply time.
      for (const id of [...Object.values(named.services).map((s) => `fn-${s}`), ...Object.values(named.workflows).map((w) => `wf-${w}`)])
        assert.match(id, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, `service account id ${id}`);
    });
  });
});
