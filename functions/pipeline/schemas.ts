import type { JsonSchema } from '../shared/validation';

/**
 * A pipeline name as it travels: the workflow keys a Firestore document by it, so it must be a
 * valid document id: no `/`, not `.` or `..`, not `__...__`, at most 1,500 bytes (checked in
 * `pipelineName.ts`, which JSON Schema cannot express in bytes).
 */
export const nameInputSchema: JsonSchema = {
  $id: 'PipelineInput',
  type: 'object',
  description: "The input: a string. It is also the key of the run's state document in Firestore.",
  properties: {
    x: { type: 'string', minLength: 1, description: 'The input value.', examples: ['hello'] },
  },
  required: ['x'],
  additionalProperties: false,
  examples: [{ x: 'hello' }],
};

export const processInputSchema: JsonSchema = {
  $id: 'ProcessInput',
  type: 'object',
  description: 'The value to record in BigQuery.',
  properties: {
    x: { type: 'string', description: 'Written as the `input` column of a new row of the `inputs` table.', examples: ['hello'] },
  },
  required: ['x'],
  additionalProperties: false,
  examples: [{ x: 'hello' }],
};

export const triggerResponseSchema: JsonSchema = {
  type: 'object',
  properties: {
    execution_id: { type: 'string', description: 'The execution id: pass it to checkStatus.' },
    execution: { type: 'string', description: "The execution's full resource name." },
  },
  required: ['execution_id', 'execution'],
  examples: [
    {
      execution_id: '0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e',
      execution: 'projects/my-project/locations/us-central1/workflows/pipeline/executions/0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e',
    },
  ],
};

export const pipelineResultSchema: JsonSchema = {
  type: 'object',
  description: 'What the workflow returns.',
  properties: {
    name: { type: 'string' },
    valid_input_check: { type: 'string', description: '"Success", "Fail", or the error detail isValidInput answered.' },
    process: { type: ['string', 'null'], description: '"Success", or null when the input did not pass the check.' },
  },
  required: ['name', 'valid_input_check', 'process'],
};

export const statusResponseSchema: JsonSchema = {
  type: 'object',
  description: 'The state of an execution: while ACTIVE, the steps done so far (from Firestore); once finished, its result or error.',
  properties: {
    execution_id: { type: 'string' },
    state: { enum: ['QUEUED', 'ACTIVE', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'UNAVAILABLE'] },
    done: { type: 'array', items: { type: 'string' }, description: 'While ACTIVE: the steps completed, e.g. ["valid_input_check"].' },
    result: { $ref: '#/components/schemas/PipelineResult' },
    error: {
      type: 'object',
      description:
        "When FAILED: the raised error's detail or message only (never the called function's headers or body, nor step names); operators read the whole error with the Executions API.",
      properties: { detail: { type: 'string', example: 'HTTP server responded with error code 500' } },
      required: ['detail'],
    },
  },
  required: ['execution_id', 'state'],
  examples: [
    { execution_id: '0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e', state: 'ACTIVE', done: ['valid_input_check'] },
    {
      execution_id: '0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e',
      state: 'SUCCEEDED',
      result: { name: 'hello', valid_input_check: 'Success', process: 'Success' },
    },
  ],
};
