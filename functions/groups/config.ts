import { integer, projectId, requiredString, url } from '../shared/config';

/** Where the group tasks and locks live; the workflow is given the same names (manifest/manifest.json). */
export function readGroupCollections() {
  return {
    tasksCollection: requiredString('GROUP_TASKS_COLLECTION'),
    locksCollection: requiredString('GROUP_LOCKS_COLLECTION'),
  };
}

/**
 * What `createGroup` and `deleteGroup` read at cold start: the workflow they start, where tasks
 * live. Not the nodes: only the workflow knows them (its own NODES), so no request can name one.
 */
export function readGroupOperationConfig() {
  const project = projectId();
  const location = requiredString('WORKFLOW_LOCATION');
  const workflow = requiredString('WORKFLOW_NAME');
  return {
    projectId: project,
    /** `projects/P/locations/L/workflows/W`: the groups workflow (workflows/groups.yaml). */
    workflowPath: `projects/${project}/locations/${location}/workflows/${workflow}`,
    /** groupTask's URL: the 202's `Location` is `<it>/<task_id>`. */
    groupTaskUrl: url('GROUP_TASK_URL'),
    /**
     * `GROUP_TASK_RETENTION_DAYS` (default 30, 1 to 3650): a task this function writes gets
     * `expires_at` this far ahead, as the workflow does for the tasks it ends; Firestore's TTL
     * policy deletes it after (infra/firestore.tf).
     */
    retentionDays: integer('GROUP_TASK_RETENTION_DAYS', { default: 30, min: 1, max: 3650 }),
    ...readGroupCollections(),
  };
}

export type GroupOperationConfig = ReturnType<typeof readGroupOperationConfig>;

/** What `groupTask` reads at cold start. */
export function readGroupTaskConfig() {
  return { projectId: projectId(), ...readGroupCollections() };
}

/** What `nodeSim` reads at cold start: where the simulated nodes keep their groups and switches. */
export function readNodeSimConfig() {
  return { projectId: projectId(), collection: requiredString('NODE_SIM_COLLECTION') };
}
