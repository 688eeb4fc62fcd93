import {
  componentSchema,
  jsonBody,
  jsonResponse,
  problemResponses,
  type OpenApiFragment,
  type OpenApiObject,
} from '../shared/openapi/fragments';
import { nameInputSchema, pipelineResultSchema, processInputSchema, statusResponseSchema, triggerResponseSchema } from './schemas';

const TAG = 'Validation pipeline';

const xQuery = (description: string): OpenApiObject => ({
  name: 'x',
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', minLength: 1 },
  example: 'hello',
});

/** The validation pipeline's endpoints (System A), from the schemas the handlers validate with. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: TAG,
    description:
      'A Cloud Workflow (`workflow.yaml`) checks an input with isValidInput, records progress in Firestore, calls process, and writes a results row to BigQuery. ' +
      'triggerWorkflow starts a run and checkStatus follows it. isValidInput and process are called by the workflow with OIDC and are not public.',
  },
  schemas: {
    PipelineInput: componentSchema(nameInputSchema),
    ProcessInput: componentSchema(processInputSchema),
    TriggerResponse: triggerResponseSchema,
    PipelineResult: pipelineResultSchema,
    ExecutionStatus: statusResponseSchema,
  },
  paths: {
    '/isValidInput': {
      get: {
        operationId: 'isValidInput',
        tags: [TAG],
        summary: 'Classify an input by its literal form',
        description:
          'A query value is text; its type is read from how it is written, never evaluated. Integer literals (`42`, `-7`, `+3`) → 400 `"int" is not allowed`; ' +
          'float literals (`1.5`, `.5`, `1e5`, `2.0`) → 400 `"float" is not allowed`; `true`/`false` in any case → 500 `"bool" is not allowed` (the seed asks for a run-time error; it is logged at ERROR); ' +
          'any other string → `"Success"` when it has no upper-case letter (in any script), `"Fail"` when it has one. Not public: the workflow calls it with an OIDC token.',
        parameters: [{ ...xQuery('The input. Required, exactly once, not empty.'), required: true }],
        responses: {
          '200': {
            description: '`"Success"` or `"Fail"`.',
            content: { 'application/json': { schema: { enum: ['Success', 'Fail'] }, example: 'Success' } },
          },
          ...problemResponses([400, 405, 500], {
            400: 'x is missing, repeated or empty, or an int or float literal: detail is exactly `"int" is not allowed` or `"float" is not allowed`.',
            500: 'x is a boolean literal: detail is `"bool" is not allowed`. Any other 500 is an unexpected failure, logged with the trace.',
          }),
        },
      },
    },
    '/process': {
      post: {
        operationId: 'process',
        tags: [TAG],
        summary: 'Record an input in BigQuery after a delay',
        description:
          'Waits `PROCESS_DELAY_SECONDS` (default 180, without blocking the instance), inserts `{"input": x}` into the BigQuery table `inputs`, then answers `"Success"`. ' +
          'x comes from the JSON body or, with no body, from `?x=`. A failed insert is a 502 problem, never "Success". Not idempotent: the workflow never retries it. Not public.',
        parameters: [xQuery('The input, when there is no body.')],
        requestBody: { ...jsonBody('ProcessInput', 'The input to record.', { x: 'hello' }), required: false },
        responses: {
          '200': {
            description: 'The row was inserted.',
            content: { 'application/json': { schema: { const: 'Success' }, example: 'Success' } },
          },
          ...problemResponses([400, 405, 413, 415, 500, 502], {
            502: 'BigQuery refused the row or could not be reached; nothing was recorded.',
          }),
        },
      },
    },
    '/triggerWorkflow': {
      post: {
        operationId: 'triggerWorkflow',
        tags: [TAG],
        summary: 'Start a pipeline run',
        description:
          'Starts an execution of the pipeline workflow with `{"name": x}` and answers at once with its id. x comes from the JSON body or, with no body, from `?x=`; ' +
          "it keys the run's Firestore state document, so it may not contain `/`, be `.` or `..`, or both start and end with `__`.",
        parameters: [xQuery('The name, when there is no body.')],
        requestBody: { ...jsonBody('PipelineInput', 'The name to run the pipeline for.', { x: 'hello' }), required: false },
        responses: {
          '202': jsonResponse('TriggerResponse', 'The execution started.', (triggerResponseSchema.examples as unknown[])[0], {
            Location: {
              description: "checkStatus query for this execution, relative to checkStatus's URL.",
              schema: { type: 'string' },
              example: '?id=0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e',
            },
          }),
          ...problemResponses([400, 405, 413, 415, 500]),
        },
      },
    },
    '/checkStatus': {
      get: {
        operationId: 'checkStatus',
        tags: [TAG],
        summary: 'Follow a pipeline run',
        description:
          'Reads the execution through the Workflows Executions API. While it runs: `state` ACTIVE and `done`, the steps recorded in Firestore so far. ' +
          'Finished: SUCCEEDED with `result`, FAILED with `error`, or CANCELLED.',
        parameters: [
          {
            name: 'id',
            in: 'query',
            required: false,
            description: 'The execution id, or its full resource name.',
            schema: { type: 'string' },
            example: '0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e',
          },
          xQuery('Same as id (the seed called it x).'),
        ],
        responses: {
          '200': {
            description: "The execution's state.",
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/ExecutionStatus' },
                examples: Object.fromEntries(
                  (statusResponseSchema.examples as unknown[]).map((value, i) => [i === 0 ? 'running' : 'succeeded', { value }]),
                ),
              },
            },
          },
          ...problemResponses([400, 404, 405, 500], {
            400: 'The id is missing, malformed, or names an execution of another workflow.',
            404: 'No execution with this id.',
          }),
        },
      },
    },
  },
};
