import { isNotFound } from '../shared/clients/googleErrors';
import { executionsClient } from '../shared/clients/workflows';

/**
 * Whether a workflow execution can still work on a group task. `ended: true` only when the
 * Executions API says so for sure: SUCCEEDED, FAILED or CANCELLED, or no such execution (deleted
 * after its retention, or never created). Anything else, ACTIVE, QUEUED, an unknown state or a
 * lookup that failed, is `ended: false`: a group is never taken from an execution that may still
 * run on its nodes.
 */
export type ExecutionCheck = { ended: true; state: string } | { ended: false; state?: string; error?: Error };

export type CheckExecution = (name: string) => Promise<ExecutionCheck>;

const ENDED_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Asks the Executions API about `name` (`projects/P/locations/L/workflows/W/executions/E`).
 * createGroup and deleteGroup hold roles/workflows.invoker (infra/iam.tf), which includes
 * workflows.executions.get.
 */
export const checkExecution: CheckExecution = async (name) => {
  try {
    const [execution] = await executionsClient().getExecution({ name });
    // In REST (fallback) mode enums arrive as their names.
    const state = String(execution.state ?? 'STATE_UNSPECIFIED');
    return ENDED_STATES.has(state) ? { ended: true, state } : { ended: false, state };
  } catch (err) {
    if (isNotFound(err)) return { ended: true, state: 'NOT_FOUND' };
    return { ended: false, error: err as Error };
  }
};
