import * as sinon from 'sinon';

/**
 * Sinon-stubbed stand-ins for the Firestore and Cloud Storage calls System D makes, backed by
 * maps so a test can assert on outcomes (what is stored) as well as on the calls themselves.
 * Every method is a stub: `fake.calls.commit`, `ref.create`... can be made to fail.
 */
export type Data = Record<string, unknown>;

export interface FakeRef {
  id: string;
  path: string;
  get: sinon.SinonStub;
  create: sinon.SinonStub;
  set: sinon.SinonStub;
  delete: sinon.SinonStub;
}

const alreadyExists = (path: string): Error => Object.assign(new Error(`6 ALREADY_EXISTS: ${path}`), { code: 6 });

function snapshot(id: string, data: Data | undefined) {
  return { id, exists: data !== undefined, data: () => (data ? structuredClone(data) : undefined), get: (field: string) => data?.[field] };
}

export function fakeFirestore() {
  const docs = new Map<string, Data>();
  let autoId = 0;
  const refs = new Map<string, FakeRef>();
  const ref = (collection: string, id: string): FakeRef => {
    const path = `${collection}/${id}`;
    let r = refs.get(path);
    if (!r) {
      r = {
        id,
        path,
        get: sinon.stub().callsFake(async () => snapshot(id, docs.get(path))),
        create: sinon.stub().callsFake(async (data: Data) => {
          if (docs.has(path)) throw alreadyExists(path);
          docs.set(path, structuredClone(data));
        }),
        set: sinon.stub().callsFake(async (data: Data) => void docs.set(path, structuredClone(data))),
        delete: sinon.stub().callsFake(async () => void docs.delete(path)),
      };
      refs.set(path, r);
    }
    return r;
  };
  interface QueryShape {
    collection: string;
    where: [string, string, unknown][];
    orderBy?: string;
    startAfter?: unknown;
    limit?: number;
  }
  const queries: QueryShape[] = [];
  // `__name__` orders by document id, any other field numerically, as the stores use them.
  const key = (orderBy: string, { id, d }: { id: string; d: Data }): string | number => (orderBy === '__name__' ? id : Number(d[orderBy]));
  const query = (shape: QueryShape): unknown => ({
    where: (field: string, op: string, value: unknown) => query({ ...shape, where: [...shape.where, [field, op, value]] }),
    orderBy: (field: string) => query({ ...shape, orderBy: field }),
    startAfter: (value: unknown) => query({ ...shape, startAfter: value }),
    limit: (n: number) => query({ ...shape, limit: n }),
    get: sinon.stub().callsFake(async () => {
      queries.push(shape);
      const { collection, where, orderBy } = shape;
      let found = [...docs.entries()]
        .filter(([p]) => p.startsWith(`${collection}/`))
        .map(([p, d]) => ({ id: p.slice(collection.length + 1), d }));
      for (const [field, op, value] of where) {
        if (op !== '==') throw new Error(`fake supports == only, got ${op}`);
        found = found.filter(({ d }) => d[field] === value);
      }
      if (orderBy) {
        found.sort((a, b) => (key(orderBy, a) < key(orderBy, b) ? -1 : key(orderBy, a) > key(orderBy, b) ? 1 : 0));
        if (shape.startAfter !== undefined) found = found.filter((f) => key(orderBy, f) > (shape.startAfter as string | number));
      }
      if (shape.limit !== undefined) found = found.slice(0, shape.limit);
      return { docs: found.map(({ id, d }) => snapshot(id, d)), size: found.length };
    }),
  });

  /** Writes a batch or transaction applies at commit, all or nothing. */
  type Write = { kind: 'create' | 'set' | 'update' | 'delete'; ref: FakeRef; data?: Data };
  const apply = (writes: Write[]): void => {
    for (const w of writes) if (w.kind === 'create' && docs.has(w.ref.path)) throw alreadyExists(w.ref.path);
    for (const w of writes) {
      if (w.kind === 'delete') docs.delete(w.ref.path);
      else if (w.kind === 'update') docs.set(w.ref.path, { ...docs.get(w.ref.path), ...structuredClone(w.data) });
      else docs.set(w.ref.path, structuredClone(w.data!));
    }
  };
  const recorder = (writes: Write[]) => ({
    create: sinon.stub().callsFake((r: FakeRef, data: Data) => writes.push({ kind: 'create', ref: r, data })),
    set: sinon.stub().callsFake((r: FakeRef, data: Data) => writes.push({ kind: 'set', ref: r, data })),
    update: sinon.stub().callsFake((r: FakeRef, data: Data) => writes.push({ kind: 'update', ref: r, data })),
    delete: sinon.stub().callsFake((r: FakeRef) => writes.push({ kind: 'delete', ref: r })),
  });
  const batches: (ReturnType<typeof recorder> & { commit: sinon.SinonStub; writes: Write[] })[] = [];
  const transactions: (ReturnType<typeof recorder> & { get: sinon.SinonStub; writes: Write[] })[] = [];
  const commit = sinon.stub();

  const db = {
    collection: sinon.stub().callsFake((collection: string) => ({
      doc: (id?: string) => ref(collection, id ?? `auto${String(++autoId).padStart(16, '0')}`),
      ...(query({ collection, where: [] }) as object),
    })),
    batch: sinon.stub().callsFake(() => {
      const writes: Write[] = [];
      const batch = {
        ...recorder(writes),
        writes,
        commit: sinon.stub().callsFake(async () => {
          await commit();
          apply(writes);
          return [];
        }),
      };
      batches.push(batch);
      return batch;
    }),
    runTransaction: sinon.stub().callsFake(async (fn: (tx: unknown) => Promise<unknown>) => {
      const writes: Write[] = [];
      const tx = { ...recorder(writes), writes, get: sinon.stub().callsFake(async (r: FakeRef) => snapshot(r.id, docs.get(r.path))) };
      transactions.push(tx);
      const result = await fn(tx);
      await commit();
      apply(writes);
      return result;
    }),
  };
  return { db, docs, ref, batches, transactions, queries, commit };
}

export interface FakeFile {
  name: string;
  metadata: Data;
  save: sinon.SinonStub;
  download: sinon.SinonStub;
  delete: sinon.SinonStub;
}

/** A bucket whose files keep their bytes in `objects`; 404s carry `code: 404` like the client's errors. */
export function fakeBucket(name = 'bucket') {
  const objects = new Map<string, { data: Buffer; contentType?: string }>();
  const files = new Map<string, FakeFile>();
  let generation = 1000;
  const notFound = (file: string): Error => Object.assign(new Error(`No such object: ${name}/${file}`), { code: 404 });
  const file = sinon.stub().callsFake((fileName: string) => {
    let f = files.get(fileName);
    if (!f) {
      const created: FakeFile = {
        name: fileName,
        metadata: {},
        save: sinon.stub().callsFake(async (data: Buffer | string, options: { contentType?: string } = {}) => {
          objects.set(fileName, { data: Buffer.from(data), contentType: options.contentType });
          created.metadata = { generation: String(++generation), contentType: options.contentType };
        }),
        download: sinon.stub().callsFake(async () => {
          const o = objects.get(fileName);
          if (!o) throw notFound(fileName);
          return [o.data];
        }),
        delete: sinon.stub().callsFake(async (options: { ignoreNotFound?: boolean } = {}) => {
          if (!objects.delete(fileName) && !options.ignoreNotFound) throw notFound(fileName);
          return [{}];
        }),
      };
      f = created;
      files.set(fileName, f);
    }
    return f;
  });
  return { bucket: { name, file }, objects, files, file };
}
