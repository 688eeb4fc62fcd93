import { executionsClient } from '../shared/clients/workflows';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { validator } from '../shared/validation';
import { readWorkflowConfig } from './config';
import { executionIdOf } from './executionName';
import { readX } from './inputX';
import { assertDocumentIdSafe } from './pipelineName';
import { nameInputSchema } from './schemas';

const config = readWorkflowConfig();
const validate = validator<{ x: string }>(nameInputSchema);

/**
 * `POST {"x": "<name>"}` (or `?x=`): starts an execution of the pipeline workflow with
 * `{"name": x}` and answers 202 with its id and full name, and a `Location` to poll.
 */
export const triggerWorkflow = httpFunction('triggerWorkflow', [
  {
    method: 'POST',
    path: '/',
    async handle({ req, res, log }) {
      const { x, pointer } = readX(req, validate);
      assertDocumentIdSafe(x, pointer);
      const [execution] = await executionsClient().createExecution({
        parent: config.workflowPath,
        execution: { argument: JSON.stringify({ name: x }) },
      });
      const name = execution.name!;
      const id = executionIdOf(name);
      log.info('workflow execution started', { event: 'execution_started', execution: name });
      sendJson(res, 202, { execution_id: id, execution: name }, { Location: `?id=${encodeURIComponent(id)}` });
    },
  },
]);
