import type { Endpoints } from './service';

/**
 * The workflows `make dev` deploys to the local Workflows engine at start-up, each with the
 * `user_env_vars` Terraform gives it in the cloud (infra/workflows.tf), here pointing at the
 * local functions' URLs (the fault proxies, so injected faults reach the workflow).
 */
export interface WorkflowDeployment {
  workflowId: string;
  /** Path from the repository root. */
  sourceFile: string;
  userEnvVars(endpoints: Endpoints, functionEnv: Record<string, string>): Record<string, string>;
}

/**
 * System A's names, as Terraform's `local.pipeline` has them (infra/functions.tf; the infra tests
 * compare the two): the workflow, its BigQuery dataset and tables (the local BigQuery provisions
 * them from infra/schemas), and its Firestore collection.
 */
export const PIPELINE = {
  workflow: 'pipeline',
  dataset: 'pipeline',
  inputsTable: 'inputs',
  resultsTable: 'results',
  stateCollection: 'pipeline_state',
} as const;
export const PIPELINE_DATASET = PIPELINE.dataset;

/** The groups workflow (System C) and the Firestore collections it shares with its functions. */
export const GROUPS_WORKFLOW = 'groups';
export const GROUP_COLLECTIONS = { GROUP_TASKS_COLLECTION: 'group_tasks', GROUP_LOCKS_COLLECTION: 'group_locks' };
/** Days an ended task is kept (expires_at), as in Terraform (infra/groups.tf); the functions and the workflow both write it. */
export const GROUP_TASK_RETENTION_DAYS = '30';

/**
 * Node timeouts and retries of the groups workflow, small locally so a failing node costs
 * seconds, not minutes (Terraform's defaults: 10 s timeout, 60 s for late requests, 3 attempts,
 * 3 GET retries, 5 compensation retries; back-off is 1 s doubling in both, written in the workflow).
 * NODE_LATE_SECONDS must exceed the longest a node may take to serve a request: the e2e tests
 * and the soak hang the simulated nodes for less. Each can be overridden like any function
 * setting (`NODE_TIMEOUT_SECONDS=3 make dev`).
 */
export const LOCAL_GROUP_TIMING: Record<string, string> = {
  NODE_TIMEOUT_SECONDS: '1',
  NODE_LATE_SECONDS: '3',
  NODE_APPLY_MAX_ATTEMPTS: '2',
  NODE_CHECK_MAX_RETRIES: '2',
  COMPENSATION_MAX_RETRIES: '2',
};

/** The nodes the groups workflow may call: three simulated ones, or `NODES=... make dev`. */
export function localGroupNodes(endpoints: Endpoints, functionEnv: Record<string, string>): string {
  return functionEnv.NODES ?? ['node1', 'node2', 'node3'].map((n) => `${endpoints.functions.nodeSim}/${n}`).join(',');
}

export const WORKFLOW_DEPLOYMENTS: WorkflowDeployment[] = [
  {
    workflowId: PIPELINE.workflow,
    sourceFile: 'workflow.yaml',
    userEnvVars: (endpoints, functionEnv) => ({
      IS_VALID_INPUT_URL: endpoints.functions.isValidInput,
      PROCESS_URL: endpoints.functions.process,
      // Above the process delay, as in Terraform (delay + 60 s).
      PROCESS_TIMEOUT_SECONDS: String(Number(functionEnv.PROCESS_DELAY_SECONDS ?? 180) + 60),
      BIGQUERY_DATASET: PIPELINE_DATASET,
      BIGQUERY_RESULTS_TABLE: PIPELINE.resultsTable,
      PIPELINE_STATE_COLLECTION: PIPELINE.stateCollection,
    }),
  },
  {
    workflowId: GROUPS_WORKFLOW,
    sourceFile: 'workflows/groups.yaml',
    userEnvVars: (endpoints, functionEnv) => {
      const nodes = localGroupNodes(endpoints, functionEnv);
      return {
        ...GROUP_COLLECTIONS,
        GROUP_TASK_RETENTION_DAYS: functionEnv.GROUP_TASK_RETENTION_DAYS ?? GROUP_TASK_RETENTION_DAYS,
        ...Object.fromEntries(Object.entries(LOCAL_GROUP_TIMING).map(([name, value]) => [name, functionEnv[name] ?? value])),
        NODES: nodes,
        // Local functions check no token; in the cloud each node's is its own URL (infra/groups.tf).
        NODE_AUDIENCES: functionEnv.NODE_AUDIENCES ?? nodes,
      };
    },
  },
];
