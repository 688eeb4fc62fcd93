import type { Firestore, WriteBatch, WriteResult } from '@google-cloud/firestore';
import * as sinon from 'sinon';

type Commit = () => Promise<WriteResult[]>;

/**
 * For emulator tests of a store's batches: each `db.batch()` batch the store commits is
 * committed by `around`, which gets the real commit and `resend`, a second batch with the same
 * writes (what the client library sends when it retries a commit whose answer was lost), and can
 * run a concurrent writer before either. Returns the stub of `db.batch` (its calls are the
 * batches made); restore it when done, as `db` is the emulator client every test shares.
 */
export function aroundBatchCommits(db: Firestore, around: (commit: Commit, resend: Commit) => Promise<WriteResult[]>): sinon.SinonStub {
  const batch = db.batch.bind(db);
  return sinon.stub(db, 'batch').callsFake(() => {
    const writes: [string, unknown[]][] = [];
    const made = batch();
    const calls = made as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of ['create', 'set', 'update', 'delete']) {
      const write = calls[method].bind(made);
      calls[method] = (...args: unknown[]) => (writes.push([method, args]), write(...args));
    }
    const commit = made.commit.bind(made);
    const resend: Commit = () => {
      const again = batch() as unknown as Record<string, (...args: unknown[]) => unknown> & WriteBatch;
      for (const [method, args] of writes) again[method](...args);
      return again.commit();
    };
    made.commit = () => around(commit, resend);
    return made;
  });
}

/** A commit applied whose answer was lost, then sent again by the client library: the caller gets the second answer. */
export const appliedThenRetried = async (commit: Commit, resend: Commit): Promise<WriteResult[]> => {
  await commit();
  return resend();
};
