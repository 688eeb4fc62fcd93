import type { Endpoints } from '../service';
import { formsFunctionEnv } from '../forms/wiring';
import { LOCAL_BUCKETS } from '../storage/service';
import { GROUP_COLLECTIONS, GROUP_TASK_RETENTION_DAYS, GROUPS_WORKFLOW, PIPELINE } from '../workflowDeployments';

/**
 * Function-specific environment in the local cloud: what Terraform sets on each function in the
 * cloud (datasets, workflow names, other functions' URLs...), derived here from the local
 * endpoints. Variables every function gets (project, emulator hosts) are set by `cloud.ts`.
 */
export function localFunctionEnv(name: string, endpoints: Endpoints): Record<string, string> {
  switch (name) {
    case 'process':
      return { BIGQUERY_DATASET: PIPELINE.dataset, BIGQUERY_INPUTS_TABLE: PIPELINE.inputsTable };
    case 'triggerWorkflow':
    case 'checkStatus':
      return {
        WORKFLOW_LOCATION: endpoints.location,
        WORKFLOW_NAME: PIPELINE.workflow,
        PIPELINE_STATE_COLLECTION: PIPELINE.stateCollection,
      };
    case 'createGroup':
    case 'deleteGroup':
      return {
        WORKFLOW_LOCATION: endpoints.location,
        WORKFLOW_NAME: GROUPS_WORKFLOW,
        GROUP_TASK_URL: endpoints.functions.groupTask,
        // As in Terraform (infra/groups.tf).
        GROUP_TASK_START_GRACE_SECONDS: '300',
        GROUP_TASK_RETENTION_DAYS: GROUP_TASK_RETENTION_DAYS,
        ...GROUP_COLLECTIONS,
      };
    case 'groupTask':
      return { ...GROUP_COLLECTIONS };
    case 'accounts':
      return { ACCOUNT_IMAGES_BUCKET: LOCAL_BUCKETS.accountImages, ACCOUNTS_PUBLIC_URL: endpoints.functions.accounts };
    case 'audios':
      return { AUDIO_FILES_BUCKET: LOCAL_BUCKETS.audioFiles };
    default:
      return formsFunctionEnv(name) ?? {};
  }
}
