import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { deployName } from '../../functions/catalog';
import { parseNodes } from '../../functions/groups/config';
import { repoPath } from '../../local/paths';
import { GROUP_COLLECTIONS, GROUPS_WORKFLOW, WORKFLOW_DEPLOYMENTS } from '../../local/workflowDeployments';
import { evaluate, evaluatedFunctions, loadInfra, resource, type Block } from './support/terraformConfig';
import { workflowUserEnvVars } from './support/workflowEnv';

/**
 * System C in Terraform (groups.tf) against workflows/groups.yaml, the functions' configuration
 * and the local cloud, which deploys the same file with the same variable names.
 */
describe('infra: group operations (System C)', () => {
  let workflow: Block;
  let env: Record<string, string>;
  before(async () => {
    workflow = resource(await loadInfra(), 'google_workflows_workflow', 'groups');
    // A test project's: the default has neither nodes nor simulator (the workflow's precondition asks for nodes).
    ({ env } = (await evaluate({ env: 'local.groups_workflow_environment' }, { deploy_node_simulator: 'true' })) as {
      env: Record<string, string>;
    });
  });

  const sourceVariables = (): string[] => workflowUserEnvVars('workflows', 'groups.yaml');

  it('deploys workflows/groups.yaml as the groups workflow, as its own account', () => {
    assert.equal(workflow.source_contents, '${file("${path.module}/../workflows/groups.yaml")}');
    assert.equal(workflow.name, '${local.groups.workflow_name}');
    assert.equal(workflow.service_account, '${google_service_account.groups_workflow.id}');
    assert.equal(workflow.user_env_vars, '${local.groups_workflow_environment}');
  });

  it('sets every variable groups.yaml reads, and only those, as the local cloud does', () => {
    assert.deepEqual(Object.keys(env).sort(), sourceVariables());
    const local = WORKFLOW_DEPLOYMENTS.find((d) => d.workflowId === GROUPS_WORKFLOW);
    assert.ok(local, 'the local cloud does not deploy the groups workflow');
    assert.equal(local.sourceFile, 'workflows/groups.yaml');
    const endpoints = { functions: new Proxy({}, { get: () => 'http://localhost' }), location: 'local' } as never;
    // Without the simulator and without nodes there is nothing to run: the workflow's precondition says so.
    assert.deepEqual(Object.keys(local.userEnvVars(endpoints, {})).sort(), sourceVariables());
    for (const [name, value] of Object.entries(env)) assert.notEqual(value.trim(), '', `${name} is empty`);
  });

  it('gives the workflow numbers it can read, timeouts Workflows accepts, and a late window above the timeout', () => {
    for (const name of ['NODE_APPLY_MAX_ATTEMPTS', 'NODE_CHECK_MAX_RETRIES', 'COMPENSATION_MAX_RETRIES'])
      assert.match(env[name], /^\d+$/, name);
    assert.ok(Number(env.NODE_TIMEOUT_SECONDS) > 0 && Number(env.NODE_TIMEOUT_SECONDS) <= 1800, 'NODE_TIMEOUT_SECONDS');
    assert.ok(Number(env.NODE_LATE_SECONDS) >= Number(env.NODE_TIMEOUT_SECONDS), 'NODE_LATE_SECONDS');
  });

  it('gives the functions and the workflow the same collections, and the same as the local cloud', async () => {
    const { functions } = await evaluatedFunctions();
    for (const name of ['createGroup', 'deleteGroup', 'groupTask']) {
      assert.equal(functions[name].environment.GROUP_TASKS_COLLECTION, env.GROUP_TASKS_COLLECTION, `GROUP_TASKS_COLLECTION of ${name}`);
      assert.equal(functions[name].environment.GROUP_LOCKS_COLLECTION, env.GROUP_LOCKS_COLLECTION, `GROUP_LOCKS_COLLECTION of ${name}`);
    }
    assert.deepEqual(GROUP_COLLECTIONS, {
      GROUP_TASKS_COLLECTION: env.GROUP_TASKS_COLLECTION,
      GROUP_LOCKS_COLLECTION: env.GROUP_LOCKS_COLLECTION,
    });
  });

  it('points createGroup and deleteGroup at the workflow and groupTask, and gives them no node: only the workflow knows them', async () => {
    const { functions } = await evaluatedFunctions();
    const { base } = await evaluate({ base: 'local.function_base_url' });
    for (const name of ['createGroup', 'deleteGroup']) {
      const e = functions[name].environment;
      assert.equal(e.WORKFLOW_NAME, GROUPS_WORKFLOW);
      assert.equal(e.WORKFLOW_LOCATION, (await loadInfra()).variables.region.default);
      assert.equal(e.GROUP_TASK_URL, `${base}/${deployName('groupTask')}`);
      assert.equal(e.NODES, undefined);
    }
  });

  it('keeps the simulator and the group operations private by default, and opens them only by variable', async () => {
    const infra = await loadInfra();
    assert.equal(infra.variables.deploy_node_simulator.default, false);
    assert.equal(infra.variables.public_group_operations.default, false);
    const { functions, nodes } = await evaluate({ functions: 'local.functions', nodes: 'local.group_nodes' });
    for (const name of ['createGroup', 'deleteGroup', 'groupTask']) assert.equal(functions[name].public, false, name);
    assert.equal(functions.nodeSim, undefined, 'nodeSim is not deployed by default');
    assert.deepEqual(nodes, [], 'no simulated node stands in for the cluster');
    const opened = await evaluate({ fns: 'local.functions' }, { public_group_operations: 'true' });
    for (const name of ['createGroup', 'deleteGroup', 'groupTask'])
      assert.equal((opened.fns as Record<string, { public: boolean }>)[name].public, true);
  });

  it('gives the workflow three simulated nodes when nodeSim is deployed, each with the nodeSim URL as audience', async () => {
    const { env: simulated, base } = await evaluate(
      { env: 'local.groups_workflow_environment', base: 'local.function_base_url' },
      { deploy_node_simulator: 'true' },
    );
    const e = simulated as Record<string, string>;
    const urls = ['node1', 'node2', 'node3'].map((n) => `${base}/${deployName('nodeSim')}/${n}`);
    assert.deepEqual(parseNodes('NODES', e.NODES), urls, 'the rules the functions apply to NODES');
    assert.equal(e.NODE_AUDIENCES, urls.map(() => `${base}/${deployName('nodeSim')}`).join(','));
  });

  it('gives each real node its own URL as audience, never the simulator URL, unless audiences are configured', async () => {
    const nodes = '["https://node-a.example.com/","https://node-b.example.com"]';
    const own = (await evaluate({ env: 'local.groups_workflow_environment' }, { group_nodes: nodes })).env as Record<string, string>;
    assert.equal(own.NODES, 'https://node-a.example.com,https://node-b.example.com');
    assert.equal(own.NODE_AUDIENCES, own.NODES);
    const configured = (
      await evaluate({ env: 'local.groups_workflow_environment' }, { group_nodes: nodes, group_node_audiences: '["a","b"]' })
    ).env as Record<string, string>;
    assert.equal(configured.NODE_AUDIENCES, 'a,b');
  });

  it('lets the workflow write Firestore and invoke nodeSim, and the functions do only what they call', async () => {
    const { roles, invoked, fnRoles } = await evaluate(
      {
        roles: 'local.groups_workflow_roles',
        invoked: 'local.groups_workflow_invoked_functions',
        fnRoles: 'local.function_roles',
      },
      { deploy_node_simulator: 'true' },
    );
    // The workflow's sys.log lines are dropped in the cloud unless its account may write logs.
    const logs = /call:\s*sys\.log\b/.test(fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8'));
    assert.ok(logs, 'groups.yaml logs what an operator must see');
    assert.deepEqual(roles, ['roles/datastore.user', 'roles/logging.logWriter']);
    assert.deepEqual(invoked, ['nodeSim']);
    assert.deepEqual(fnRoles.createGroup, ['roles/datastore.user', 'roles/workflows.invoker']);
    assert.deepEqual(fnRoles.deleteGroup, ['roles/datastore.user', 'roles/workflows.invoker']);
    assert.deepEqual(fnRoles.groupTask, ['roles/datastore.viewer']);
    assert.deepEqual(fnRoles.nodeSim, ['roles/datastore.user']);
    const invoker = resource(await loadInfra(), 'google_cloud_run_service_iam_member', 'groups_workflow_invoker');
    assert.equal(invoker.member, 'serviceAccount:${google_service_account.groups_workflow.email}');
  });

  it('leaves nodeSim out, with its roles and grants, when real nodes are configured', async () => {
    const overrides = { group_nodes: '["https://node-a.example.com","https://node-b.example.com"]' };
    const { functions, roles, invoked } = await evaluate(
      {
        functions: 'keys(local.functions)',
        roles: 'keys(local.function_roles)',
        invoked: 'local.groups_workflow_invoked_functions',
      },
      overrides,
    );
    assert.ok(!functions.includes('nodeSim'));
    assert.ok(!roles.includes('nodeSim'));
    assert.deepEqual(invoked, []);
  });
});
