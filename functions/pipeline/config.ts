import { integer, projectId, requiredString } from '../shared/config';

/** What `process` reads at cold start. */
export function readProcessConfig() {
  return {
    projectId: projectId(),
    dataset: requiredString('BIGQUERY_DATASET'),
    inputsTable: requiredString('BIGQUERY_INPUTS_TABLE'),
    /** The seed's "sleep for 3 mins"; the function's timeout (Terraform) must exceed it. */
    delaySeconds: integer('PROCESS_DELAY_SECONDS', { default: 180, min: 0, max: 3000 }),
  };
}

/** What `triggerWorkflow` and `checkStatus` read at cold start: which workflow they drive. */
export function readWorkflowConfig() {
  const project = projectId();
  const location = requiredString('WORKFLOW_LOCATION');
  const workflow = requiredString('WORKFLOW_NAME');
  return {
    projectId: project,
    location,
    workflow,
    /** `projects/P/locations/L/workflows/W`, the parent of every execution. */
    workflowPath: `projects/${project}/locations/${location}/workflows/${workflow}`,
    stateCollection: requiredString('PIPELINE_STATE_COLLECTION'),
  };
}

export type WorkflowConfig = ReturnType<typeof readWorkflowConfig>;
