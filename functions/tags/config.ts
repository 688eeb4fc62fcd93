import { integer, projectId, requiredString } from '../shared/config';

/** Settings of the tag counter, read once at cold start (see `shared/config.ts`). */
export interface TagCounterConfig {
  projectId: string;
  /** Collection holding one document per (tag, shard) that has ever been written. */
  shardsCollection: string;
  /** Collection of idempotency markers, one per accepted increment, expired by a TTL policy. */
  markersCollection: string;
  /** Shards per tag: the write ceiling of one tag is about this many writes per second. */
  shards: number;
  /** How long a marker (and so an `Idempotency-Key`) is remembered. */
  markerTtlHours: number;
}

export function readTagCounterConfig(): TagCounterConfig {
  return {
    projectId: projectId(),
    shardsCollection: requiredString('TAG_SHARDS_COLLECTION'),
    markersCollection: requiredString('TAG_MARKERS_COLLECTION'),
    shards: integer('TAG_COUNTER_SHARDS', { default: 16, min: 1, max: 1000 }),
    markerTtlHours: integer('TAG_MARKER_TTL_HOURS', { default: 24, min: 1, max: 24 * 30 }),
  };
}
