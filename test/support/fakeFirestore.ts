import { Readable } from 'node:stream';
import { FieldValue, Timestamp } from '@google-cloud/firestore';
import * as sinon from 'sinon';

/**
 * The one in-memory Firestore for unit tests of handlers: the subset of the client the handlers'
 * stores call (documents and sub-collections; get, create, set with merge, update, delete with
 * their preconditions; batches and transactions applied all or nothing; `==` queries ordered,
 * paged and projected; the serverTimestamp, increment and delete transforms), with Firestore's
 * error codes. What Firestore itself decides under concurrency (which of two racing writes wins,
 * a precondition against a real concurrent writer) is not simulated: the stores' emulator tests
 * (test/emulator/) check that.
 *
 * Entry points are sinon stubs so a test can make one fail or count calls: `db.collection`,
 * `db.batch`, `db.runTransaction`, each document's `get`/`create`/`set`/`update`/`delete` (one
 * reference per path, so `db.collection(c).doc(id)` in a test is the store's), `commit` (every
 * write, single or batched, goes through it before it is applied) and `query` (every query's
 * `get` and `stream`).
 */
export type Data = Record<string, unknown>;

interface Stored {
  data: Data;
  updateTime: Timestamp;
}

interface Precondition {
  exists?: boolean;
  lastUpdateTime?: Timestamp;
}

/** One write of a commit, as the fake applies it. */
export interface Write {
  kind: 'create' | 'set' | 'update' | 'delete';
  path: string;
  data?: Data;
  merge?: boolean;
  precondition?: Precondition;
}

/** A query as built by `where`, `orderBy`, `startAfter`, `limit` and `select`. */
interface QueryShape {
  collection: string;
  where: [string, '==', unknown][];
  orderBy?: string;
  startAfter?: unknown;
  limit?: number;
  select?: string[];
}

/** A deep copy of plain objects and arrays; other values (Timestamp, Date, Buffer) are kept, as the client keeps their class. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
  return value;
}

const grpcError = (code: number, message: string): Error => Object.assign(new Error(`${code} ${message}`), { code });

/** Firestore's name for the document id in `orderBy`. */
const DOCUMENT_ID = '__name__';

export function fakeFirestore() {
  const docs = new Map<string, Stored>();
  // Update times strictly increase, as a precondition on `lastUpdateTime` needs.
  let clock = 0;
  const nextTime = (): Timestamp => Timestamp.fromMillis(Date.now() + ++clock / 1000);
  let autoId = 0;

  const snapshot = (path: string) => {
    const stored = docs.get(path);
    return {
      id: path.split('/').pop()!,
      ref: ref(path),
      exists: stored !== undefined,
      data: () => (stored ? clone(stored.data) : undefined),
      get: (field: string) => (stored ? clone(stored.data[field]) : undefined),
      updateTime: stored?.updateTime,
    };
  };

  /** A field's value after a write: transforms resolved against what was there. */
  const transformed = (value: unknown, before: unknown): unknown => {
    if (!(value instanceof FieldValue)) return clone(value);
    if (value.isEqual(FieldValue.serverTimestamp())) return Timestamp.now();
    const operand = (value as unknown as { operand?: number }).operand;
    if (operand !== undefined) return (typeof before === 'number' ? before : 0) + operand;
    throw new Error(`fakeFirestore: unsupported ${value.constructor.name}`);
  };
  const merged = (before: Data, fields: Data): Data => {
    const out = { ...before };
    for (const [field, value] of Object.entries(fields)) {
      if (value instanceof FieldValue && value.isEqual(FieldValue.delete())) delete out[field];
      else out[field] = transformed(value, before[field]);
    }
    return out;
  };

  /** Checks every write's precondition first, then applies them all: a commit is all or nothing. */
  const apply = (writes: Write[]): Timestamp => {
    const present = (path: string) => docs.has(path);
    for (const w of writes) {
      if (w.kind === 'create' && present(w.path)) throw grpcError(6, `ALREADY_EXISTS: ${w.path}`);
      if (w.kind === 'update' && !present(w.path)) throw grpcError(5, `NOT_FOUND: ${w.path}`);
      if (w.precondition?.exists === true && !present(w.path)) throw grpcError(5, `NOT_FOUND: ${w.path}`);
      const last = w.precondition?.lastUpdateTime;
      if (last && !docs.get(w.path)?.updateTime.isEqual(last)) throw grpcError(9, `FAILED_PRECONDITION: ${w.path}`);
    }
    const updateTime = nextTime();
    for (const w of writes) {
      if (w.kind === 'delete') docs.delete(w.path);
      else {
        const before = w.kind === 'update' || w.merge ? (docs.get(w.path)?.data ?? {}) : {};
        docs.set(w.path, { data: merged(before, w.data!), updateTime });
      }
    }
    return updateTime;
  };
  /** Every commit passes through this stub first (reject it to make writes fail); then the writes are applied. */
  const commit = sinon.stub<[Write[]], Promise<void>>().resolves();
  const committed = async (writes: Write[]): Promise<{ writeTime: Timestamp }[]> => {
    await commit(writes);
    const writeTime = apply(writes);
    return writes.map(() => ({ writeTime }));
  };

  /** Runs every query's `get` and `stream`: the documents of the collection that match, in order. */
  const runQuery = async (shape: QueryShape) => {
    const prefix = `${shape.collection}/`;
    let found = [...docs.keys()]
      .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
      .map((path) => ({ path, id: path.slice(prefix.length), data: docs.get(path)!.data }));
    for (const [field, , value] of shape.where) found = found.filter((d) => d.data[field] === value);
    const { orderBy } = shape;
    if (orderBy) {
      const key = (d: (typeof found)[number]) => (orderBy === DOCUMENT_ID ? d.id : (d.data[orderBy] as string | number));
      // Firestore leaves out documents without the ordered field.
      found = found.filter((d) => key(d) !== undefined).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      if (shape.startAfter !== undefined) found = found.filter((d) => key(d) > (shape.startAfter as string | number));
    }
    if (shape.limit !== undefined) found = found.slice(0, shape.limit);
    return found.map(({ path }) => {
      const s = snapshot(path);
      if (!shape.select) return s;
      const projected = Object.fromEntries(shape.select.filter((f) => f in s.data()!).map((f) => [f, s.get(f)]));
      return { ...s, data: () => clone(projected), get: (f: string) => clone(projected[f]) };
    });
  };
  const query = sinon.stub<[QueryShape], ReturnType<typeof runQuery>>().callsFake(runQuery);
  const queryOf = (shape: QueryShape) => ({
    where: (field: string, op: string, value: unknown) => {
      if (op !== '==') throw new Error(`fakeFirestore supports == only, got ${op}`);
      return queryOf({ ...shape, where: [...shape.where, [field, '==', value]] });
    },
    orderBy: (field: string, direction?: 'asc' | 'desc') => {
      // Only ascending order is modelled: a descending query must not pass here sorted the other way.
      if (direction !== undefined && direction !== 'asc') throw new Error(`fakeFirestore: orderBy ${direction} is not modelled`);
      return queryOf({ ...shape, orderBy: field });
    },
    startAfter: (value: unknown) => queryOf({ ...shape, startAfter: value }),
    limit: (n: number) => queryOf({ ...shape, limit: n }),
    select: (...fields: string[]) => queryOf({ ...shape, select: fields }),
    get: async () => {
      const found = await query(shape);
      return { docs: found, size: found.length, empty: found.length === 0 };
    },
    stream: () =>
      Readable.from(
        (async function* () {
          yield* await query(shape);
        })(),
        { objectMode: true },
      ),
  });

  const collection = (path: string) => ({
    id: path.split('/').pop()!,
    path,
    doc: (id?: string) => ref(`${path}/${id ?? `auto${String(++autoId).padStart(16, '0')}`}`),
    ...queryOf({ collection: path, where: [] }),
  });

  const refs = new Map<string, DocRef>();
  type DocRef = ReturnType<typeof newRef>;
  const newRef = (path: string) => ({
    id: path.split('/').pop()!,
    path,
    collection: (name: string) => collection(`${path}/${name}`),
    get: sinon.stub().callsFake(async () => snapshot(path)),
    create: sinon.stub().callsFake(async (data: Data) => (await committed([{ kind: 'create', path, data }]))[0]),
    set: sinon
      .stub()
      .callsFake(
        async (data: Data, options?: { merge?: boolean }) => (await committed([{ kind: 'set', path, data, merge: options?.merge }]))[0],
      ),
    update: sinon
      .stub()
      .callsFake(async (data: Data, precondition?: Precondition) => (await committed([{ kind: 'update', path, data, precondition }]))[0]),
    delete: sinon.stub().callsFake(async (precondition?: Precondition) => (await committed([{ kind: 'delete', path, precondition }]))[0]),
  });
  function ref(path: string): DocRef {
    let r = refs.get(path);
    if (!r) refs.set(path, (r = newRef(path)));
    return r;
  }

  /** The write methods of a batch or transaction, each queuing a write for the commit. */
  const writer = <T>(writes: Write[], self: () => T) => ({
    create: (r: { path: string }, data: Data) => (writes.push({ kind: 'create', path: r.path, data }), self()),
    set: (r: { path: string }, data: Data, options?: { merge?: boolean }) => (
      writes.push({ kind: 'set', path: r.path, data, merge: options?.merge }),
      self()
    ),
    update: (r: { path: string }, data: Data, precondition?: Precondition) => (
      writes.push({ kind: 'update', path: r.path, data, precondition }),
      self()
    ),
    delete: (r: { path: string }, precondition?: Precondition) => (writes.push({ kind: 'delete', path: r.path, precondition }), self()),
  });

  const db = {
    collection: sinon.stub().callsFake((path: string) => collection(path)),
    batch: sinon.stub().callsFake(() => {
      const writes: Write[] = [];
      const batch: object = { ...writer(writes, () => batch), commit: () => committed(writes) };
      return batch;
    }),
    runTransaction: sinon.stub().callsFake(async (body: (tx: unknown) => Promise<unknown>) => {
      const writes: Write[] = [];
      const tx: object = {
        ...writer(writes, () => tx),
        get: async (r: { path: string }) => {
          // As the client library: every read of a transaction comes before its first write.
          if (writes.length > 0) throw new Error('Firestore transactions require all reads to be executed before all writes.');
          return snapshot(r.path);
        },
      };
      const result = await body(tx);
      await committed(writes);
      return result;
    }),
  };

  return {
    db,
    commit,
    query,
    /** Puts a document in place, as if written earlier (no transform, no commit). */
    seed(path: string, data: Data): void {
      docs.set(path, { data: clone(data), updateTime: nextTime() });
    },
    /** A stored document's fields, or undefined. */
    read(path: string): Data | undefined {
      return docs.has(path) ? clone(docs.get(path)!.data) : undefined;
    },
    /** The paths of the stored documents, in `collection` when given. */
    paths(collection?: string): string[] {
      return [...docs.keys()].filter((path) => collection === undefined || path.startsWith(`${collection}/`));
    },
    /**
     * Forgets every document, and every document reference with its stubs (the stores take a
     * reference for each call); `commit` and `query` get their default behaviour back, and the
     * `db` stubs forget their calls.
     */
    reset(): void {
      docs.clear();
      refs.clear();
      commit.reset();
      commit.resolves();
      query.reset();
      query.callsFake(runQuery);
      for (const stub of Object.values(db)) stub.resetHistory();
    },
  };
}

export type FakeFirestore = ReturnType<typeof fakeFirestore>;
