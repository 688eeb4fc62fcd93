import { randomUUID } from 'node:crypto';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { validator } from '../shared/validation';
import { readTagCounterConfig } from './config';
import { tagCounter } from './counterFactory';
import { idempotencyKeyPattern, incrementRequestSchema, type IncrementRequest } from './schemas';
import { INCREMENT_EVENT, REPLAY_EVENT } from './logEvents';
import { IdempotencyConflictError } from './tagCounter';

const config = readTagCounterConfig();
const validateIncrement = validator<IncrementRequest>(incrementRequestSchema);

/**
 * `POST {"name", "value"}`: adds value to the tag's total, exactly once, and answers the
 * increment. An optional `Idempotency-Key` header makes client retries safe.
 */
export const incrementTag = httpFunction('incrementTag', [
  {
    method: 'POST',
    path: '/',
    async handle({ req, res, log }) {
      const { name, value } = validateIncrement(readJsonObject(req));
      const requestId = idempotencyKey(req.get('idempotency-key')) ?? `r-${randomUUID()}`;
      try {
        const outcome = await tagCounter(config).increment(name, value, requestId);
        if (outcome === 'applied') {
          // The one log entry per accepted increment; the log-based metric sums `value`.
          log.info(`tag ${name} incremented by ${value}`, { event: INCREMENT_EVENT, tag: name, value });
        } else {
          log.info(`tag ${name}: replayed increment ${requestId} not counted again`, { event: REPLAY_EVENT, tag: name });
        }
      } catch (err) {
        if (err instanceof IdempotencyConflictError) throw new HttpError('conflict', err.message);
        throw err;
      }
      sendJson(res, 200, { name, value });
    },
  },
]);

function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!idempotencyKeyPattern.test(header)) {
    throw new HttpError('validation_failed', 'Idempotency-Key must be 8 to 128 characters of A-Z, a-z, 0-9, _ or -.', {
      errors: [{ pointer: '#/headers/idempotency-key', detail: `must match ${idempotencyKeyPattern.source}` }],
    });
  }
  return `k-${header}`;
}
