import { Readable } from 'node:stream';
import * as sinon from 'sinon';

/**
 * A sinon-stubbed stand-in for the parts of the Firestore client the tag counter uses
 * (collection/doc references, write batches, ordered paged queries), recording every call.
 */
export interface FakeBatch {
  create: sinon.SinonStub;
  set: sinon.SinonStub;
  commit: sinon.SinonStub;
}

export function fakeFirestore() {
  const batches: FakeBatch[] = [];
  const markerGet = sinon.stub().resolves({ data: () => undefined });
  const queryPages: { tag: string; count: number }[][] = [];
  const queryCalls: { orderBy?: string; select?: string[] }[] = [];
  const commit = sinon.stub().resolves([]);
  /** Set to make every query fail with this error. */
  const failures: { query?: Error } = {};

  const makeQuery = (state: { orderBy?: string; select?: string[] }): unknown => ({
    orderBy: (field: string) => makeQuery({ ...state, orderBy: field }),
    select: (...fields: string[]) => makeQuery({ ...state, select: fields }),
    // A streamed query: the documents of every queued page, in order.
    stream: sinon.stub().callsFake(() => {
      queryCalls.push(state);
      if (failures.query) {
        const failing = new Readable({
          objectMode: true,
          read() {
            this.destroy(failures.query);
          },
        });
        return failing;
      }
      return Readable.from(queryPages.flat().map((d) => ({ get: (f: keyof typeof d) => d[f], ref: d })));
    }),
  });

  const db = {
    collection: sinon.stub().callsFake((collection: string) => ({
      doc: (id: string) => ({ id, path: `${collection}/${id}`, get: markerGet }),
      ...(makeQuery({}) as object),
    })),
    batch: sinon.stub().callsFake(() => {
      const batch: FakeBatch = { create: sinon.stub(), set: sinon.stub(), commit };
      batches.push(batch);
      return batch;
    }),
  };
  return { db, batches, commit, markerGet, queryPages, queryCalls, failures };
}
