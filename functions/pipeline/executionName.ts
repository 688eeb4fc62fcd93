import { HttpError } from '../shared/errors';
import type { WorkflowConfig } from './config';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const FULL = /^projects\/([^/]+)\/locations\/([^/]+)\/workflows\/([^/]+)\/executions\/([^/]+)$/;

/**
 * Turns what a client passes to checkStatus (an execution id, or the full resource name
 * triggerWorkflow returned) into the full name of an execution of *this* deployment's workflow.
 * Anything else is a 400: a malformed id, or an execution of another workflow.
 */
export function executionNameFor(input: string, config: WorkflowConfig, pointer: string): { id: string; name: string } {
  const full = FULL.exec(input);
  if (full) {
    const [, project, location, workflow, id] = full;
    if (project !== config.projectId || location !== config.location || workflow !== config.workflow) {
      throw new HttpError('validation_failed', `${input} is not an execution of ${config.workflowPath}.`, {
        errors: [{ pointer, detail: `must name an execution of ${config.workflowPath}` }],
      });
    }
    return checked(id, config, pointer);
  }
  return checked(input, config, pointer);
}

function checked(id: string, config: WorkflowConfig, pointer: string): { id: string; name: string } {
  if (!ID.test(id)) {
    throw new HttpError(
      'validation_failed',
      'The execution id is malformed: expected 1 to 128 letters, digits, "-" or "_", or a full execution name.',
      {
        errors: [{ pointer, detail: 'is not an execution id' }],
      },
    );
  }
  return { id, name: `${config.workflowPath}/executions/${id}` };
}

/** The id at the end of an execution's resource name. */
export function executionIdOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
