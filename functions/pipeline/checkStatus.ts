import { firestore } from '../shared/clients/firestore';
import { isNotFound } from '../shared/clients/googleErrors';
import { executionsClient } from '../shared/clients/workflows';
import { HttpError } from '../shared/errors';
import { httpFunction } from '../shared/http/httpFunction';
import { queryValues, singleQueryValue } from '../shared/http/query';
import { sendJson } from '../shared/http/router';
import { readWorkflowConfig } from './config';
import { executionNameFor } from './executionName';
import { failureDetail } from './failureDetail';
import { PipelineState } from './pipelineState';

const config = readWorkflowConfig();
let state: PipelineState | undefined;

/**
 * `GET ?id=<execution id or full name>` (also `?x=`): reads the execution through the Workflows
 * Executions API. While it runs: `{"execution_id", "state": "ACTIVE", "done": [...]}` from the
 * Firestore state the workflow keeps; once finished: its `result`, or `error` when FAILED.
 * `checkStatus` is public, so a failure is reported by its detail alone: the raised error's
 * `detail` or `message`, never the called function's headers and body, step names or lines
 * (operators read those with the Executions API).
 */
export const checkStatus = httpFunction('checkStatus', [
  {
    method: 'GET',
    path: '/',
    async handle({ req, res }) {
      const param = queryValues(req, 'id').length > 0 ? 'id' : 'x';
      const { id, name } = executionNameFor(singleQueryValue(req, param), config, `#/query/${param}`);
      let execution;
      try {
        [execution] = await executionsClient().getExecution({ name });
      } catch (err) {
        if (isNotFound(err)) throw new HttpError('not_found', `No execution ${id} of ${config.workflowPath}.`);
        throw err;
      }
      const stateName = String(execution.state);
      switch (stateName) {
        case 'SUCCEEDED':
          return sendJson(res, 200, { execution_id: id, state: stateName, result: parseJson(execution.result) });
        case 'FAILED':
          return sendJson(res, 200, {
            execution_id: id,
            state: stateName,
            error: { detail: failureDetail(parseJson(execution.error?.payload)) },
          });
        case 'CANCELLED':
        case 'UNAVAILABLE':
          return sendJson(res, 200, { execution_id: id, state: stateName });
        default: {
          // QUEUED or ACTIVE: report the steps done so far, from Firestore.
          const runName = (parseJson(execution.argument) as { name?: unknown } | undefined)?.name;
          state ??= new PipelineState(firestore(), config.stateCollection);
          const done = typeof runName === 'string' ? await state.done(runName) : [];
          return sendJson(res, 200, { execution_id: id, state: stateName, done });
        }
      }
    },
  },
]);

/** Executions carry argument, result and error payload as JSON text; fall back to the text when it is not JSON. */
function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
