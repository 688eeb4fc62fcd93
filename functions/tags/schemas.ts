import type { JsonSchema } from '../shared/validation';

/** `POST` body of incrementTag. Shared with the OpenAPI document. */
export const incrementRequestSchema: JsonSchema = {
  $id: 'IncrementTagRequest',
  type: 'object',
  description: 'One increment: a tag name and a value from 1 to 9 to add to its total.',
  properties: {
    name: {
      type: 'string',
      pattern: '^[a-z_]{3,15}$',
      description: 'The tag: 3 to 15 characters, lower-case ASCII letters and underscores only.',
      examples: ['foo', '__foo__'],
    },
    value: {
      type: 'integer',
      minimum: 1,
      maximum: 9,
      description: 'A JSON integer from 1 to 9 (not `4.0`, not `"4"`, not `true`).',
      examples: [4],
    },
  },
  required: ['name', 'value'],
  additionalProperties: false,
  examples: [{ name: 'foo', value: 4 }],
};

export interface IncrementRequest {
  name: string;
  value: number;
}

/** The `Idempotency-Key` header: lets a client retry an increment without counting it twice. */
export const idempotencyKeyPattern = /^[A-Za-z0-9_-]{8,128}$/;

/** 200 answer of incrementTag: the increment as accepted. */
export const incrementResponseSchema: JsonSchema = {
  $id: 'IncrementTagResponse',
  type: 'object',
  properties: {
    name: { type: 'string', description: 'The tag that was incremented.' },
    value: { type: 'integer', description: 'The value added to its total.' },
  },
  required: ['name', 'value'],
  additionalProperties: false,
  examples: [{ name: 'foo', value: 4 }],
};

/** 200 answer of tagStats: every tag ever incremented and the sum of its values, keys sorted. */
export const tagStatsResponseSchema: JsonSchema = {
  $id: 'TagStats',
  type: 'object',
  description: 'Every tag ever incremented, with the sum of all its accepted values, keys in ascending order; `{}` when none.',
  propertyNames: { pattern: '^[a-z_]{3,15}$' },
  additionalProperties: { type: 'integer', minimum: 1 },
  examples: [{ ballz: 76, foo: 13 }],
};
