import type { Firestore } from '@google-cloud/firestore';

/**
 * One document per spreadsheet (`form_sheet_batches/{spreadsheet id}`) coordinating the Sheets
 * workers: a lease (only its holder appends, so rows of concurrent pushes go out in one append),
 * `not_before` (the back-off after a 429 or 5xx, and the minimum interval between appends),
 * `inflight` (the deliveries of an append whose outcome is not known yet: the next holder checks
 * the sheet for them before appending anything), and `header` (the header row last written).
 */
export interface BatchState {
  holder: string | null;
  lease_until: number;
  not_before: number;
  backoff_ms: number;
  inflight: string[];
  header: string[] | null;
}

const EMPTY: BatchState = { holder: null, lease_until: 0, not_before: 0, backoff_ms: 0, inflight: [], header: null };

export type Acquired = { acquired: true; state: BatchState } | { acquired: false; retryAt: number };

export class SheetBatches {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  private ref(spreadsheetId: string) {
    return this.db.collection(this.collection).doc(spreadsheetId);
  }

  /** When the lease could next be taken, read without a transaction (waiting workers poll this). */
  async freeAt(spreadsheetId: string, now: number): Promise<number> {
    const snapshot = await this.ref(spreadsheetId).get();
    const state = { ...EMPTY, ...(snapshot.data() as Partial<BatchState> | undefined) };
    return Math.max(state.lease_until, state.not_before, now);
  }

  /** Takes the lease for `leaseMs` when nobody holds it and the back-off has passed. */
  async acquire(spreadsheetId: string, holder: string, now: number, leaseMs: number): Promise<Acquired> {
    return this.db.runTransaction(async (tx) => {
      const snapshot = await tx.get(this.ref(spreadsheetId));
      const state = { ...EMPTY, ...(snapshot.data() as Partial<BatchState> | undefined) };
      // The client library runs the whole transaction again when a commit's answer is lost: that
      // run finds the lease its first run took, and it is this holder's, not a reason to wait.
      if (state.holder === holder && state.lease_until > now) return { acquired: true, state };
      const freeAt = Math.max(state.lease_until, state.not_before);
      if (freeAt > now) return { acquired: false, retryAt: freeAt };
      const next = { ...state, holder, lease_until: now + leaseMs };
      tx.set(this.ref(spreadsheetId), next);
      return { acquired: true, state: next };
    });
  }

  /** Writes fields while holding the lease (the in-flight list before an append, the header after writing it). */
  async update(spreadsheetId: string, fields: Partial<BatchState>): Promise<void> {
    await this.ref(spreadsheetId).set(fields, { merge: true });
  }

  /** Gives the lease up, with what the holder learnt (back-off, in-flight rows). */
  async release(spreadsheetId: string, fields: Partial<BatchState>): Promise<void> {
    await this.ref(spreadsheetId).set({ ...fields, holder: null, lease_until: 0 }, { merge: true });
  }
}
