/**
 * The `event` field of the log line written for each accepted increment. The log-based metric
 * in `infra/logging.tf` filters on it and sums the line's `value`; the infra tests check the two
 * agree. (Its own module so the tests can read it without loading the function.)
 */
export const INCREMENT_EVENT = 'tag_incremented';
/** Logged instead when an Idempotency-Key replay is answered without counting again. */
export const REPLAY_EVENT = 'tag_increment_replayed';
