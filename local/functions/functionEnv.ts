import type { Endpoints } from '../cloud';
import { PIPELINE_DATASET } from '../workflowDeployments';

/**
 * Function-specific environment in the local cloud: what Terraform sets on each function in the
 * cloud (datasets, workflow names, other functions' URLs...), derived here from the local
 * endpoints. Variables every function gets (project, emulator hosts) are set by `cloud.ts`.
 */
export function localFunctionEnv(name: string, endpoints: Endpoints): Record<string, string> {
  switch (name) {
    case 'process':
      return { BIGQUERY_DATASET: PIPELINE_DATASET, BIGQUERY_INPUTS_TABLE: 'inputs' };
    case 'triggerWorkflow':
    case 'checkStatus':
      return { WORKFLOW_LOCATION: endpoints.location, WORKFLOW_NAME: 'pipeline', PIPELINE_STATE_COLLECTION: 'pipeline_state' };
    default:
      return {};
  }
}
