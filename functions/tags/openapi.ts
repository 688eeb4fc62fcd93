import { componentSchema, jsonBody, jsonResponse, problemResponses, type OpenApiFragment } from '../shared/openapi/fragments';
import { idempotencyKeyPattern, incrementRequestSchema, incrementResponseSchema, tagStatsResponseSchema } from './schemas';

/** The tag counter's endpoints (System B), from the schemas the handlers validate with. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: 'Tag counter',
    description:
      'Counts user-provided tags. Totals live in sharded Firestore counters, so a tag takes many writes per second, and every accepted increment is counted exactly once.',
  },
  schemas: {
    IncrementTagRequest: componentSchema(incrementRequestSchema),
    IncrementTagResponse: componentSchema(incrementResponseSchema),
    TagStats: componentSchema(tagStatsResponseSchema),
  },
  paths: {
    '/incrementTag': {
      post: {
        operationId: 'incrementTag',
        tags: ['Tag counter'],
        summary: "Add a value to a tag's total",
        description:
          'Adds `value` (an integer from 1 to 9) to the total of tag `name`, which starts at 0. The body must have exactly these two keys. ' +
          'Each accepted increment is counted exactly once, whatever the concurrency, and writes one structured log entry carrying the tag and value (the source of the log-based metric `tag_increment_values`). ' +
          'Send an `Idempotency-Key` to retry safely: a repeat with the same key and body is answered 200 again without counting twice.',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Optional client-chosen key (8 to 128 of A-Z a-z 0-9 _ -) that makes retries of this increment safe for 24 hours.',
            schema: { type: 'string', pattern: idempotencyKeyPattern.source },
            example: 'c0ffee-2026-11-23-0001',
          },
        ],
        requestBody: jsonBody('IncrementTagRequest', 'The tag and the value to add.', { name: 'foo', value: 4 }),
        responses: {
          '200': jsonResponse('IncrementTagResponse', 'The increment was counted (or, for a repeated Idempotency-Key, had been).', {
            name: 'foo',
            value: 4,
          }),
          ...problemResponses([400, 405, 409, 413, 415, 500], {
            400: 'Missing body, malformed JSON, a body that is not an object, a name that does not match `^[a-z_]{3,15}$`, a value that is not an integer from 1 to 9 (`4.0`, `"4"` and `true` are refused), or any other key.',
            409: 'The Idempotency-Key was already used for a different tag or value.',
          }),
        },
      },
    },
    '/tagStats': {
      get: {
        operationId: 'tagStats',
        tags: ['Tag counter'],
        summary: 'Totals of every tag',
        description:
          'Every tag ever incremented, with the sum of its values, keys in ascending order; `{}` when there are none. Streamed as it is read, so it stays fast and memory-bounded with 100,000 tags.',
        responses: {
          '200': jsonResponse('TagStats', 'The totals.', { ballz: 76, foo: 13 }),
          ...problemResponses([405, 500]),
        },
      },
    },
  },
};
