import type { Endpoints } from './cloud';

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

/** The pipeline's BigQuery dataset locally (the local BigQuery provisions it from infra/schemas). */
export const PIPELINE_DATASET = 'pipeline';

export const WORKFLOW_DEPLOYMENTS: WorkflowDeployment[] = [
  {
    workflowId: 'pipeline',
    sourceFile: 'workflow.yaml',
    userEnvVars: (endpoints, functionEnv) => ({
      IS_VALID_INPUT_URL: endpoints.functions.isValidInput,
      PROCESS_URL: endpoints.functions.process,
      // Above the process delay, as in Terraform (delay + 60 s).
      PROCESS_TIMEOUT_SECONDS: String(Number(functionEnv.PROCESS_DELAY_SECONDS ?? 180) + 60),
      BIGQUERY_DATASET: PIPELINE_DATASET,
      BIGQUERY_RESULTS_TABLE: 'results',
      PIPELINE_STATE_COLLECTION: 'pipeline_state',
    }),
  },
];
