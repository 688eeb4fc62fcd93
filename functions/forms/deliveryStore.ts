import type { DocumentData, DocumentSnapshot, Firestore, Timestamp, Transaction } from '@google-cloud/firestore';
import type { Attempt, Delivery, DeliveryState } from './model';

/**
 * The delivery records (`form_deliveries/{response id}.{task id}`): the outbox row written with
 * the response, then the state and attempt log every worker updates. States only move forward
 * except by a replay: a `delivered` delivery is never made `failed` or `dead` by a late or
 * duplicate attempt, which is what makes duplicate pushes harmless.
 */
export const MAX_ATTEMPTS_KEPT = 50;

export class DeliveryStore {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  private ref(id: string) {
    return this.db.collection(this.collection).doc(id);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const snapshot = await this.ref(id).get();
    return snapshot.exists ? toDelivery(snapshot) : undefined;
  }

  async getAll(ids: string[]): Promise<Delivery[]> {
    if (ids.length === 0) return [];
    const snapshots = await this.db.getAll(...ids.map((id) => this.ref(id)));
    return snapshots.filter((s) => s.exists).map(toDelivery);
  }

  /**
   * Records an attempt and the state it leads to, on each of `ids` (one for most workers, a whole
   * batch of rows for Sheets), in one transaction. A delivery already `delivered` keeps that state
   * (a duplicate push, or a replayed delivery another worker finished). With `publishedAt`, the
   * time the message this outcome is about was published, a delivery replayed since is left as it
   * is: the outcome is the old message's, and the replay's own message decides. Returns the
   * deliveries after.
   */
  async record(ids: string[], attempt: Attempt, state: DeliveryState, publishedAt?: string): Promise<Delivery[]> {
    return this.db.runTransaction(async (tx) => {
      const snapshots = await tx.getAll(...ids.map((id) => this.ref(id)));
      const out: Delivery[] = [];
      for (const snapshot of snapshots) {
        if (!snapshot.exists) continue;
        const current = toDelivery(snapshot);
        const replayedSince = publishedAt !== undefined && (lastReplay(current) ?? '') > publishedAt;
        if ((current.state === 'delivered' && state !== 'delivered') || replayedSince) {
          out.push(current);
          continue;
        }
        out.push(this.write(tx, current, attempt, state));
      }
      return out;
    });
  }

  private write(tx: Transaction, current: Delivery, attempt: Attempt, state: DeliveryState): Delivery {
    const attempts = [...current.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
    const open = state === 'pending' || state === 'failed';
    const now = new Date();
    const verify = state === 'delivered' || state === 'dead' ? false : current.verify;
    tx.update(this.ref(current.id), { state, open, attempts, verify, updated_at: now });
    return { ...current, state, open, attempts, verify, updated_at: now.toISOString() };
  }

  /**
   * A replay: back to `pending` whatever the state, with `verify` set so a Sheets append checks
   * the sheet before adding the row (it may be there already).
   */
  async replay(id: string, at: Date): Promise<Delivery | undefined> {
    return this.db.runTransaction(async (tx) => {
      const snapshot = await tx.get(this.ref(id));
      if (!snapshot.exists) return undefined;
      const current = toDelivery(snapshot);
      const attempts = [...current.attempts, { at: at.toISOString(), outcome: 'replayed', status: null, error: null } as Attempt].slice(
        -MAX_ATTEMPTS_KEPT,
      );
      tx.update(this.ref(id), { state: 'pending', open: true, verify: true, attempts, updated_at: at });
      return { ...current, state: 'pending' as const, open: true, verify: true, attempts, updated_at: at.toISOString() };
    });
  }

  /**
   * What the sweeper republishes, oldest first: deliveries still `pending` untouched since
   * `cutoffs.pending` (a publish that failed, a message lost before its first push), and
   * deliveries `failed` untouched since `cutoffs.failed` (a retry Pub/Sub should have pushed by
   * then but did not: a nack lost, a subscription re-created or sought past it). Without the
   * second, a delivery whose message vanished after one failed attempt would stay `failed` for
   * ever. One query per state, each served by the (state, updated_at) index.
   */
  async stale(cutoffs: Record<'pending' | 'failed', Date>, limit: number): Promise<Delivery[]> {
    const states = ['pending', 'failed'] as const;
    const snapshots = await Promise.all(
      states.map((state) =>
        this.db
          .collection(this.collection)
          .where('state', '==', state)
          .where('updated_at', '<', cutoffs[state])
          .orderBy('updated_at')
          .limit(limit)
          .get(),
      ),
    );
    return snapshots
      .flatMap((s) => s.docs.map(toDelivery))
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at))
      .slice(0, limit);
  }

  /** Marks deliveries as just (re)published, so the next sweep leaves them alone for another period. */
  async touch(ids: string[], at: Date): Promise<void> {
    const writer = this.db.batch();
    for (const id of ids) writer.update(this.ref(id), { updated_at: at });
    if (ids.length > 0) await writer.commit();
  }

  /** Open (pending or failed) deliveries to `target`, oldest first: one Sheets batch. */
  async openForTarget(target: string, limit: number): Promise<Delivery[]> {
    const snapshot = await this.db
      .collection(this.collection)
      .where('target', '==', target)
      .where('open', '==', true)
      .orderBy('created_at')
      .limit(limit)
      .get();
    return snapshot.docs.map(toDelivery);
  }
}

/** When the delivery was last replayed (its newest `replayed` attempt), if it was. */
function lastReplay(delivery: Delivery): string | undefined {
  for (let i = delivery.attempts.length - 1; i >= 0; i--) if (delivery.attempts[i].outcome === 'replayed') return delivery.attempts[i].at;
  return undefined;
}

/** The Firestore fields of a new delivery (the outbox row). */
export function newDeliveryData(delivery: Omit<Delivery, 'created_at' | 'updated_at'>, at: Date): DocumentData {
  const { id: _id, ...fields } = delivery;
  void _id;
  return { ...fields, created_at: at, updated_at: at };
}

export function toDelivery(snapshot: DocumentSnapshot): Delivery {
  const data = snapshot.data()!;
  return {
    id: snapshot.id,
    response_id: data.response_id,
    form_id: data.form_id,
    task_id: data.task_id,
    task_type: data.task_type,
    state: data.state,
    open: data.open,
    attempts: data.attempts ?? [],
    target: data.target ?? null,
    verify: data.verify ?? false,
    traceparent: data.traceparent ?? null,
    created_at: (data.created_at as Timestamp).toDate().toISOString(),
    updated_at: (data.updated_at as Timestamp).toDate().toISOString(),
  };
}
