import type { Firestore, QueryDocumentSnapshot } from '@google-cloud/firestore';
import { firestoreModule } from '../shared/clients/firestore';
import { isAlreadyExists } from '../shared/clients/googleErrors';

/**
 * Sharded counters in Firestore.
 *
 * Layout: one document per (tag, shard) in `shardsCollection`, id `<tag>.<shard>`, fields
 * `{tag, count}`. An increment adds to one shard picked at random with a server-side
 * `FieldValue.increment`, so concurrent increments never overwrite each other, and a hot tag
 * spreads its writes over `shards` documents (Firestore sustains about one write per second per
 * document). Shard documents exist only once written, so a tag incremented once costs one
 * document and `totals()` reads one document per written shard, not `shards` per tag.
 *
 * Exactly once: every increment is committed in one atomic batch with a `create` of a marker
 * document named after the request (the client's `Idempotency-Key`, or a fresh id). If the
 * client library retries a commit that had in fact been applied, or a client re-sends a keyed
 * request, the `create` fails with ALREADY_EXISTS and nothing is added twice. Markers carry
 * `expires_at` for a Firestore TTL policy (infra/firestore.tf), so they do not pile up.
 *
 * Tag names are never used alone as document ids: `__foo__` is a valid tag but a reserved
 * Firestore id (`__.*__`); `__foo__.3` is an ordinary one.
 */
export interface TagCounterOptions {
  shardsCollection: string;
  markersCollection: string;
  shards: number;
  markerTtlHours: number;
  /** Returns a number in [0, 1); injectable so tests can pin the shard. */
  random?: () => number;
}

export type IncrementOutcome = 'applied' | 'replayed';

export class IdempotencyConflictError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different increment`);
  }
}

export class TagCounter {
  private readonly random: () => number;

  constructor(
    private readonly db: Firestore,
    private readonly options: TagCounterOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** The id of a tag's shard document; see the class comment for why it is not the bare tag. */
  static shardId(tag: string, shard: number): string {
    return `${tag}.${shard}`;
  }

  /** Adds `value` to `tag` exactly once for `requestId`. */
  async increment(tag: string, value: number, requestId: string): Promise<IncrementOutcome> {
    const { FieldValue, Timestamp } = firestoreModule();
    const shard = Math.floor(this.random() * this.options.shards);
    const marker = this.db.collection(this.options.markersCollection).doc(requestId);
    const shardDoc = this.db.collection(this.options.shardsCollection).doc(TagCounter.shardId(tag, shard));
    const expiresAt = Timestamp.fromMillis(Date.now() + this.options.markerTtlHours * 3600_000);
    const batch = this.db.batch();
    batch.create(marker, { tag, value, expires_at: expiresAt });
    batch.set(shardDoc, { tag, count: FieldValue.increment(value) }, { merge: true });
    try {
      await batch.commit();
      return 'applied';
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = (await marker.get()).data();
      if (existing?.tag === tag && existing?.value === value) return 'replayed';
      throw new IdempotencyConflictError(requestId);
    }
  }

  /**
   * Every tag's total, in ascending tag order. Shard documents are read in one streamed query
   * ordered by `tag`, so each tag's shards arrive together and are summed as they pass; async
   * iteration applies the stream's backpressure, so only a small buffer of documents is held
   * however many tags exist. (One stream rather than cursor pages: each page restarts a scan on
   * the emulator, which made 100,000 tags take minutes; the library resumes a broken stream
   * from the last document it delivered.)
   */
  async *totals(): AsyncGenerator<[string, number]> {
    const query = this.db.collection(this.options.shardsCollection).orderBy('tag').select('tag', 'count');
    let current: string | undefined;
    let sum = 0;
    for await (const doc of query.stream() as AsyncIterable<QueryDocumentSnapshot>) {
      const tag = doc.get('tag') as string;
      const count = Number(doc.get('count') ?? 0);
      if (tag !== current) {
        if (current !== undefined) yield [current, sum];
        current = tag;
        sum = 0;
      }
      sum += count;
    }
    if (current !== undefined) yield [current, sum];
  }
}
