import * as sinon from 'sinon';

/**
 * An in-memory stand-in for the parts of the Firestore client System C uses (documents and
 * sub-collections, get/create/update/delete with preconditions, FieldValue.delete in an update,
 * transactions), every entry point
 * a sinon stub so tests can check calls and make any of them fail.
 */
interface Stored {
  data: Record<string, unknown>;
  version: number;
}

export type FakeFirestore = ReturnType<typeof memoryFirestore>;

export function memoryFirestore() {
  const docs = new Map<string, Stored>();
  let clock = 0;
  const grpcError = (code: number, message: string): Error => Object.assign(new Error(message), { code });

  const snapshot = (path: string) => {
    const stored = docs.get(path);
    return {
      exists: stored !== undefined,
      id: path.split('/').pop(),
      data: () => (stored ? { ...stored.data } : undefined),
      get: (field: string) => stored?.data[field],
      updateTime: stored ? { version: stored.version } : undefined,
    };
  };

  /** Server timestamps become a Timestamp-like value of now, as Firestore resolves them. */
  const resolve = (data: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(data).map(([k, v]) => {
        if ((v as object | null)?.constructor?.name !== 'ServerTimestampTransform') return [k, v];
        const ms = Date.now();
        return [k, { toMillis: () => ms, toDate: () => new Date(ms) }];
      }),
    );
  type Write = () => void;
  const create =
    (path: string, data: Record<string, unknown>): Write =>
    () => {
      if (docs.has(path)) throw grpcError(6, `ALREADY_EXISTS: ${path}`);
      docs.set(path, { data: resolve(data), version: ++clock });
    };
  const set =
    (path: string, data: Record<string, unknown>): Write =>
    () =>
      docs.set(path, { data: resolve(data), version: ++clock });
  const update =
    (path: string, data: Record<string, unknown>, pre?: { lastUpdateTime?: { version: number } }): Write =>
    () => {
      const stored = docs.get(path);
      if (!stored) throw grpcError(5, `NOT_FOUND: ${path}`);
      if (pre?.lastUpdateTime && pre.lastUpdateTime.version !== stored.version) throw grpcError(9, 'FAILED_PRECONDITION');
      const merged: Record<string, unknown> = { ...stored.data, ...resolve(data) };
      for (const [k, v] of Object.entries(data)) if ((v as object | null)?.constructor?.name === 'DeleteTransform') delete merged[k];
      docs.set(path, { data: merged, version: ++clock });
    };
  const remove =
    (path: string, pre?: { exists?: boolean }): Write =>
    () => {
      if (pre?.exists && !docs.has(path)) throw grpcError(5, `NOT_FOUND: ${path}`);
      docs.delete(path);
    };

  const docRef = (path: string): Record<string, unknown> => ({
    id: path.split('/').pop(),
    path,
    get: sinon.stub().callsFake(async () => snapshot(path)),
    create: sinon.stub().callsFake(async (data: Record<string, unknown>) => create(path, data)()),
    set: sinon.stub().callsFake(async (data: Record<string, unknown>) => set(path, data)()),
    update: sinon
      .stub()
      .callsFake(async (data: Record<string, unknown>, pre?: { lastUpdateTime?: { version: number } }) => update(path, data, pre)()),
    delete: sinon.stub().callsFake(async (pre?: { exists?: boolean }) => remove(path, pre)()),
    collection: (name: string) => collectionRef(`${path}/${name}`),
  });
  const refs = new Map<string, Record<string, unknown>>();
  const collectionRef = (path: string) => ({
    doc: (id: string) => {
      const full = `${path}/${id}`;
      if (!refs.has(full)) refs.set(full, docRef(full));
      return refs.get(full)!;
    },
  });

  /** Writes each transaction made, in order, for assertions. */
  /** `beforeCommit` runs once, between the next transaction's (or batch's) reads and its commit (a concurrent writer). */
  const hooks: { beforeCommit?: () => void } = {};
  const transactions: { reads: string[]; writes: [string, string, unknown?][] }[] = [];
  /** All writes or none: preconditions are checked before anything is applied. */
  const commit = (writes: Write[]): void => {
    const before = new Map(docs);
    try {
      for (const write of writes) write();
    } catch (err) {
      docs.clear();
      for (const [k, v] of before) docs.set(k, v);
      throw err;
    }
  };
  /** Each batch committed (or refused), in order, for assertions. */
  const batches: [string, string][][] = [];
  const db = {
    collection: sinon.stub().callsFake((name: string) => collectionRef(name)),
    batch: sinon.stub().callsFake(() => {
      const record: [string, string][] = [];
      const pending: Write[] = [];
      const paths: string[] = [];
      const batch = {
        create: (ref: { path: string }, data: Record<string, unknown>) => {
          record.push(['create', ref.path]);
          paths.push(ref.path);
          pending.push(create(ref.path, data));
          return batch;
        },
        update: (ref: { path: string }, data: Record<string, unknown>, pre?: { lastUpdateTime?: { version: number } }) => {
          record.push(['update', ref.path]);
          paths.push(ref.path);
          pending.push(update(ref.path, data, pre));
          return batch;
        },
        commit: async () => {
          batches.push(record);
          const hook = hooks.beforeCommit;
          hooks.beforeCommit = undefined;
          hook?.();
          commit(pending);
          return paths.map((path) => ({ writeTime: { version: docs.get(path)!.version } }));
        },
      };
      return batch;
    }),
    runTransaction: sinon.stub().callsFake(async (body: (tx: unknown) => Promise<unknown>) => {
      const record = { reads: [] as string[], writes: [] as [string, string, unknown?][] };
      transactions.push(record);
      const pending: Write[] = [];
      const tx = {
        get: async (ref: { path: string }) => {
          record.reads.push(ref.path);
          return snapshot(ref.path);
        },
        create: (ref: { path: string }, data: Record<string, unknown>) => {
          record.writes.push(['create', ref.path, data]);
          pending.push(create(ref.path, data));
        },
        set: (ref: { path: string }, data: Record<string, unknown>) => {
          record.writes.push(['set', ref.path, data]);
          pending.push(set(ref.path, data));
        },
        update: (ref: { path: string }, data: Record<string, unknown>, pre?: { lastUpdateTime?: { version: number } }) => {
          record.writes.push(['update', ref.path, data]);
          pending.push(update(ref.path, data, pre));
        },
        delete: (ref: { path: string }) => {
          record.writes.push(['delete', ref.path]);
          pending.push(remove(ref.path));
        },
      };
      const result = await body(tx);
      const hook = hooks.beforeCommit;
      hooks.beforeCommit = undefined;
      hook?.();
      commit(pending);
      return result;
    }),
  };

  return {
    db,
    docs,
    transactions,
    batches,
    hooks,
    /** Puts a document in place, as if written earlier. */
    seed(path: string, data: Record<string, unknown>): void {
      docs.set(path, { data, version: ++clock });
    },
    read(path: string): Record<string, unknown> | undefined {
      return docs.get(path)?.data;
    },
  };
}
