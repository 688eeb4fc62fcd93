import type { JsonSchema } from '../shared/validation';

/** The largest integer a JSON number carries exactly (2^53 - 1); session ids beyond it would change on the way through. */
const SAFE = Number.MAX_SAFE_INTEGER;

/** An audio session, as sent and as returned: exactly these four fields. Shared with the OpenAPI document. */
export const audioSchema: JsonSchema = {
  $id: 'Audio',
  type: 'object',
  description:
    'One audio session. Exactly these four fields; numbers are returned with the values sent (a fractional tick stays fractional; JSON does not tell -50.0 from -50, so that one comes back as -50).',
  properties: {
    session_id: {
      type: 'integer',
      minimum: -SAFE,
      maximum: SAFE,
      description: 'Identifies the session; any integer, negative included, up to ±(2^53 - 1). Not `"12"`, not `12.0`, not `true`.',
      examples: [42],
    },
    ticks: {
      type: 'array',
      minItems: 15,
      maxItems: 15,
      items: { type: 'number', minimum: -100, maximum: -10 },
      description: 'Exactly 15 numbers, each from -100 to -10 inclusive.',
      examples: [[-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55]],
    },
    selected_tick: { type: 'integer', minimum: 0, maximum: 14, description: 'Index of the selected tick, 0 to 14.', examples: [3] },
    step_count: { type: 'integer', minimum: 0, maximum: SAFE, description: 'A count of steps, 0 or more.', examples: [12] },
  },
  required: ['session_id', 'ticks', 'selected_tick', 'step_count'],
  additionalProperties: false,
  examples: [
    {
      session_id: 42,
      ticks: [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55],
      selected_tick: 3,
      step_count: 12,
    },
  ],
};

export interface Audio {
  session_id: number;
  ticks: number[];
  selected_tick: number;
  step_count: number;
}

export const audioListSchema: JsonSchema = {
  $id: 'AudioList',
  type: 'array',
  description: 'Every stored session, by ascending session_id.',
  items: { $ref: '#/components/schemas/Audio' },
};
