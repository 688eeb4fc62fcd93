import * as assert from 'node:assert/strict';
import { Query } from '@google-cloud/firestore';
import * as sinon from 'sinon';
import { DeliveryStore, MAX_ATTEMPTS_KEPT } from '../../../functions/forms/deliveryStore';
import { FormChangedError, FormStore, type FormFields } from '../../../functions/forms/formStore';
import type { Attempt, StoredResponse } from '../../../functions/forms/model';
import { BadPageTokenError, ResponseStore } from '../../../functions/forms/responseStore';
import { SheetBatches } from '../../../functions/forms/sheetBatches';
import { aroundBatchCommits, appliedThenRetried } from '../../support/batchCommits';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';
import { deliveryRow, seedDeliveries } from '../../support/formDeliveries';
import { evaluateInstances, loadInfra } from '../../infra/support/terraformConfig';

/**
 * System E's stores on the Firestore emulator: the outbox commit, the delivery state machine's
 * transactions, the form's replace precondition and the spreadsheet lease as Firestore itself
 * applies them, racing for real, checked by the documents stored and the answers given.
 */
const db = () => emulatorFirestore();
const docData = async (collection: string, id: string) => (await db().collection(collection).doc(id).get()).data();

const attempt = (at: string, outcome: Attempt['outcome'], status: number | null = null): Attempt => ({
  at,
  outcome,
  status,
  error: outcome === 'failed' || outcome === 'dead' ? 'x' : null,
});

describe('forms: the stores on the Firestore emulator', function () {
  this.timeout(60_000);
  let batches: sinon.SinonStub | undefined;
  afterEach(() => {
    batches?.restore();
    batches = undefined;
  });

  describe('ResponseStore', () => {
    let collections: { responses: string; deliveries: string };
    let store: ResponseStore;
    beforeEach(() => {
      collections = { responses: uniqueCollection('form_responses'), deliveries: uniqueCollection('form_deliveries') };
      store = new ResponseStore(db(), collections);
    });
    const response = (id: string, at: Date, formId = 'f1'): StoredResponse => ({
      id,
      form_id: formId,
      answers: { q: 1 },
      submitted_at: at.toISOString(),
      results: {},
      async_tasks: ['crm', 'sheet'],
    });
    const outbox = (id: string) => [
      deliveryRow(`${id}.crm`, 'pending'),
      deliveryRow(`${id}.sheet`, 'pending', { task_type: 'sheets_export', target: 'S' }),
    ];

    it('stores the response and one pending delivery per async task, at the submit time', async () => {
      const at = new Date('2026-01-02T03:04:05.678Z');
      const id = store.newId();
      await store.submit(response(id, at), outbox(id), at);
      assert.deepEqual(await store.get(id), response(id, at));
      const deliveries = await new DeliveryStore(db(), collections.deliveries).getAll([`${id}.crm`, `${id}.sheet`]);
      assert.deepEqual(
        deliveries.map((d) => [d.id, d.state, d.open, d.target, d.created_at, d.updated_at]),
        [
          [`${id}.crm`, 'pending', true, null, at.toISOString(), at.toISOString()],
          [`${id}.sheet`, 'pending', true, 'S', at.toISOString(), at.toISOString()],
        ],
      );
      assert.equal('id' in (await docData(collections.deliveries, `${id}.crm`))!, false, 'the id is the document name only');
    });

    it('writes nothing when one of the outbox rows cannot be created (one commit: no response without its deliveries)', async () => {
      const at = new Date('2026-01-02T03:04:05Z');
      await seedDeliveries(collections.deliveries, [[deliveryRow('r1.sheet', 'delivered'), at]]);
      await assert.rejects(store.submit(response('r1', at), outbox('r1'), at), /ALREADY_EXISTS/);
      assert.equal(await store.get('r1'), undefined);
      assert.equal(await docData(collections.deliveries, 'r1.crm'), undefined);
      assert.equal((await docData(collections.deliveries, 'r1.sheet'))?.state, 'delivered', 'the existing row is left as it was');
    });

    it('takes ALREADY_EXISTS from a retried commit that had been applied as success (the answer was lost)', async () => {
      batches = aroundBatchCommits(db(), appliedThenRetried);
      const at = new Date('2026-01-02T03:04:05Z');
      const id = store.newId();
      await store.submit(response(id, at), outbox(id), at);
      assert.deepEqual(await store.get(id), response(id, at));
      assert.equal((await db().collection(collections.deliveries).get()).size, 2);
    });

    it('still refuses a response id another response holds, writing none of the outbox', async () => {
      const at = new Date('2026-01-02T03:04:05Z');
      await store.submit(response('r1', at, 'f2'), [], at);
      await assert.rejects(store.submit(response('r1', at, 'f1'), outbox('r1'), at), /ALREADY_EXISTS/);
      assert.equal((await store.get('r1'))?.form_id, 'f2');
      assert.equal((await db().collection(collections.deliveries).get()).size, 0);
    });

    it("lists a form's responses newest first (ties by id, descending), a page at a time, to the end", async () => {
      const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
      const rows: [string, number, string][] = [
        ['a', 1, 'f1'],
        ['b', 3, 'f1'],
        ['c', 3, 'f1'],
        ['d', 2, 'f1'],
        ['e', 9, 'f2'],
      ];
      for (const [id, minute, formId] of rows) await store.submit(response(id, at(minute), formId), [], at(minute));
      const seen: string[][] = [];
      let token: string | undefined;
      do {
        const page = await store.list('f1', 2, token);
        seen.push(page.items.map((r) => r.id));
        token = page.nextPageToken ?? undefined;
      } while (token);
      assert.deepEqual(seen, [
        ['c', 'b'],
        ['d', 'a'],
      ]);
      const whole = rows.filter(([, , formId]) => formId === 'f1').map(([id, minute]) => response(id, at(minute)));
      assert.deepEqual(await store.list('f1', 4), {
        items: ['c', 'b', 'd', 'a'].map((id) => whole.find((r) => r.id === id)),
        nextPageToken: null,
      });
    });

    it("refuses a page token that is no response, or another form's", async () => {
      const at = new Date('2026-01-01T00:00:00Z');
      await store.submit(response('theirs', at, 'f2'), [], at);
      await assert.rejects(store.list('f1', 2, 'theirs'), BadPageTokenError);
      await assert.rejects(store.list('f1', 2, 'nothing'), BadPageTokenError);
    });
  });

  describe('DeliveryStore', () => {
    let collection: string;
    let store: DeliveryStore;
    const created = new Date('2026-01-01T00:00:00Z');
    beforeEach(() => {
      collection = uniqueCollection('form_deliveries');
      store = new DeliveryStore(db(), collection);
    });

    it('never turns a delivered delivery back into failed or dead (a late or duplicate push), and leaves its document untouched', async () => {
      await seedDeliveries(collection, [
        [deliveryRow('r1.crm', 'delivered', { open: false, attempts: [attempt('t1', 'delivered', 204)] }), created],
      ]);
      const before = await docData(collection, 'r1.crm');
      for (const state of ['failed', 'dead'] as const) {
        const [after] = await store.record(['r1.crm'], attempt('t2', state, 500), state);
        assert.equal(after.state, 'delivered');
      }
      assert.deepEqual(await docData(collection, 'r1.crm'), before);
    });

    it('ends delivered whichever of a success and a late failure racing on one delivery commits first', async () => {
      const ids = Array.from({ length: 5 }, (_, i) => `r${i}.crm`);
      await seedDeliveries(
        collection,
        ids.map((id) => [deliveryRow(id, 'pending'), created]),
      );
      await Promise.all(
        ids.flatMap((id) => [
          store.record([id], attempt('ok', 'delivered', 204), 'delivered'),
          store.record([id], attempt('late', 'failed', 500), 'failed'),
        ]),
      );
      for (const d of await store.getAll(ids)) {
        assert.deepEqual([d.state, d.open], ['delivered', false], d.id);
        // A failure committed first stays in the log; one that came after the success changed nothing.
        assert.ok(['late,ok', 'ok'].includes(d.attempts.map((a) => a.at).join()), `${d.id}: ${JSON.stringify(d.attempts)}`);
      }
    });

    it('loses no attempt when workers record on one delivery at once (each transaction sees the others)', async () => {
      await seedDeliveries(collection, [[deliveryRow('r1.crm', 'pending'), created]]);
      await Promise.all(Array.from({ length: 5 }, (_, i) => store.record(['r1.crm'], attempt(`t${i}`, 'failed', 503), 'failed')));
      const [after] = await store.getAll(['r1.crm']);
      assert.deepEqual(
        after.attempts.map((a) => a.at).sort(),
        Array.from({ length: 5 }, (_, i) => `t${i}`),
      );
      assert.deepEqual([after.state, after.open], ['failed', true]);
    });

    it('leaves a delivery replayed after the message was published as it is; the replay’s own message may make it dead', async () => {
      const replayed = [attempt('2026-01-01T00:00:00.000Z', 'dead'), attempt('2026-01-01T00:05:00.000Z', 'replayed')];
      await seedDeliveries(collection, [[deliveryRow('r1.crm', 'pending', { attempts: replayed, verify: true }), created]]);
      const dead = attempt('2026-01-01T00:06:00.000Z', 'dead');
      const [stale] = await store.record(['r1.crm'], dead, 'dead', '2025-12-31T23:59:00.000Z');
      assert.equal(stale.state, 'pending');
      assert.deepEqual((await store.get('r1.crm'))?.attempts, replayed, 'the old message’s outcome is not recorded');
      const [after] = await store.record(['r1.crm'], dead, 'dead', '2026-01-01T00:05:00.100Z');
      assert.equal(after.state, 'dead');
      const stored = await store.get('r1.crm');
      assert.deepEqual([stored?.state, stored?.open, stored?.verify, stored?.attempts.length], ['dead', false, false, 3]);
    });

    it('records an attempt with its state, open or not, keeping the last 50 attempts; an absent id is skipped', async () => {
      const old = Array.from({ length: MAX_ATTEMPTS_KEPT }, (_, i) => attempt(String(i), 'failed', 500));
      await seedDeliveries(collection, [[deliveryRow('r1.crm', 'failed', { attempts: old, verify: true }), created]]);
      const out = await store.record(['r1.crm', 'r1.gone'], attempt('last', 'delivered', 204), 'delivered');
      assert.deepEqual(
        out.map((d) => d.id),
        ['r1.crm'],
      );
      const stored = await store.get('r1.crm');
      assert.deepEqual(out[0], stored);
      assert.deepEqual([stored?.state, stored?.open, stored?.verify], ['delivered', false, false]);
      assert.equal(stored?.attempts.length, MAX_ATTEMPTS_KEPT);
      assert.deepEqual([stored?.attempts[0].at, stored?.attempts.at(-1)?.at], ['1', 'last']);
      assert.ok(stored!.updated_at > created.toISOString());
      assert.equal(await store.get('r1.gone'), undefined, 'no document is made for an absent id');
    });

    it('replays any delivery, delivered or dead: pending, open, checked before a Sheets append; an absent one is undefined', async () => {
      await seedDeliveries(collection, [
        [deliveryRow('r1.crm', 'dead', { attempts: [attempt('t1', 'dead')] }), created],
        [deliveryRow('r2.crm', 'delivered', { attempts: [attempt('t1', 'delivered', 204)] }), created],
      ]);
      const at = new Date('2026-01-02T00:00:00Z');
      for (const [id, before] of [
        ['r1.crm', 'dead'],
        ['r2.crm', 'delivered'],
      ]) {
        const answer = await store.replay(id, at);
        const stored = await store.get(id);
        assert.deepEqual(answer, stored);
        assert.deepEqual(
          [stored?.state, stored?.open, stored?.verify, stored?.updated_at, stored?.attempts.map((a) => a.outcome)],
          ['pending', true, true, at.toISOString(), [before, 'replayed']],
        );
      }
      assert.equal(await store.replay('r9.crm', at), undefined);
      assert.equal(await store.get('r9.crm'), undefined);
    });

    it('finds stale pending and failed deliveries, oldest first, and the open rows of one spreadsheet, oldest first', async () => {
      const minute = (m: number) => new Date(created.getTime() + m * 60_000);
      await seedDeliveries(collection, [
        [deliveryRow('p_old.crm', 'pending'), minute(1)],
        [deliveryRow('p_new.crm', 'pending'), minute(10)],
        [deliveryRow('f_old.crm', 'failed'), minute(0)],
        [deliveryRow('f_mid.crm', 'failed'), minute(4)],
        [deliveryRow('d_old.crm', 'delivered', { open: false }), minute(0)],
        [deliveryRow('s2.sheet', 'failed', { target: 'S' }), minute(2)],
        [deliveryRow('s1.sheet', 'pending', { target: 'S' }), minute(1.5)],
        [deliveryRow('s3.sheet', 'delivered', { target: 'S' }), minute(0)],
        [deliveryRow('t1.sheet', 'pending', { target: 'T' }), minute(6)],
      ]);
      const stale = await store.stale({ pending: minute(5), failed: minute(3) }, 10);
      assert.deepEqual(
        stale.map((d) => d.id),
        ['f_old.crm', 'p_old.crm', 's1.sheet', 's2.sheet'],
      );
      assert.deepEqual(
        (await store.stale({ pending: minute(5), failed: minute(3) }, 2)).map((d) => d.id),
        ['f_old.crm', 'p_old.crm'],
      );
      assert.deepEqual(
        (await store.openForTarget('S', 10)).map((d) => d.id),
        ['s1.sheet', 's2.sheet'],
      );
      assert.deepEqual(
        (await store.openForTarget('S', 1)).map((d) => d.id),
        ['s1.sheet'],
      );
    });
  });

  describe('FormStore', () => {
    let collection: string;
    let store: FormStore;
    const fields = (title: string): FormFields => ({ title, owner_email: 'o@example.com', questions: [], tasks: [] });
    beforeEach(() => {
      collection = uniqueCollection('forms');
      store = new FormStore(db(), collection);
    });

    it('creates a form with its secrets stored beside it, and reads it back without them', async () => {
      const form = await store.create(fields('T'), { hook: 'whsec_x' });
      const stored = await docData(collection, form.id);
      assert.deepEqual(stored?.secrets, { hook: 'whsec_x' });
      const read = await store.get(form.id);
      assert.deepEqual(read?.form, form);
      assert.equal('secrets' in read!.form, false);
      assert.deepEqual(read?.secrets, { hook: 'whsec_x' });
    });

    it('replaces a form read at its current version, secrets with it', async () => {
      const form = await store.create(fields('T'), { hook: 'whsec_x' });
      const read = await store.get(form.id);
      const replaced = await store.replace(form.id, read!.version, fields('T2'), { hook: 'whsec_y' });
      const again = await store.get(form.id);
      assert.deepEqual(again?.form, replaced);
      assert.deepEqual([replaced.title, replaced.created_at], ['T2', form.created_at]);
      assert.deepEqual(again?.secrets, { hook: 'whsec_y' });
    });

    it('refuses a replace when another editor wrote the form between its read and its commit, keeping the other change', async () => {
      const form = await store.create(fields('T'), {});
      const read = await store.get(form.id);
      batches = aroundBatchCommits(db(), async (commit) => {
        await db().collection(collection).doc(form.id).update({ title: 'the other editor' });
        return commit();
      });
      await assert.rejects(store.replace(form.id, read!.version, fields('mine'), {}), FormChangedError);
      assert.equal((await store.get(form.id))?.form.title, 'the other editor');
    });

    it('takes a retried create that had been applied (the answer was lost) as the success it was: one form', async () => {
      batches = aroundBatchCommits(db(), appliedThenRetried);
      const form = await store.create(fields('T'), { hook: 'whsec_x' });
      assert.deepEqual(
        (await db().collection(collection).get()).docs.map((d) => d.id),
        [form.id],
        'one form, the one answered',
      );
      assert.deepEqual((await store.get(form.id))?.form, form);
    });

    it('takes a retried replace that had been applied (the answer was lost) as the success it was, not a change by another', async () => {
      const form = await store.create(fields('T'), {});
      const read = await store.get(form.id);
      batches = aroundBatchCommits(db(), appliedThenRetried);
      const replaced = await store.replace(form.id, read!.version, fields('T2'), { hook: 'whsec_y' });
      assert.equal(batches.callCount, 1, 'one commit, sent twice');
      assert.equal(replaced.title, 'T2');
      assert.deepEqual(await store.get(form.id).then((s) => [s?.form, s?.secrets]), [replaced, { hook: 'whsec_y' }]);
    });

    it('refuses a replace of a form deleted since it was read, and does not bring it back', async () => {
      const form = await store.create(fields('T'), {});
      const read = await store.get(form.id);
      assert.equal(await store.delete(form.id), true);
      await assert.rejects(store.replace(form.id, read!.version, fields('mine'), {}), FormChangedError);
      assert.equal(await store.get(form.id), undefined);
      assert.equal(await store.delete(form.id), false);
    });

    it('lists forms oldest first', async () => {
      const first = await store.create(fields('A'), {});
      const second = await store.create(fields('B'), {});
      assert.deepEqual(
        (await store.list(10)).map((f) => f.id),
        [first.id, second.id],
      );
      assert.deepEqual(
        (await store.list(1)).map((f) => f.id),
        [first.id],
      );
    });
  });

  describe('SheetBatches (the spreadsheet lease)', () => {
    let collection: string;
    let batchesOf: SheetBatches;
    beforeEach(() => {
      collection = uniqueCollection('form_sheet_batches');
      batchesOf = new SheetBatches(db(), collection);
    });

    it('takes the lease only when it is free and the back-off has passed, and gives it back keeping what the holder learnt', async () => {
      await db()
        .collection(collection)
        .doc('S')
        .set({ holder: 'other', lease_until: 2000, not_before: 0, backoff_ms: 0, inflight: [], header: null });
      assert.deepEqual(await batchesOf.acquire('S', 'me', 1000, 60_000), { acquired: false, retryAt: 2000 });
      assert.equal((await docData(collection, 'S'))?.holder, 'other', 'a refused acquire writes nothing');
      assert.equal(await batchesOf.freeAt('S', 1000), 2000);

      const taken = await batchesOf.acquire('S', 'me', 3000, 60_000);
      assert.equal(taken.acquired, true);
      assert.deepEqual([(await docData(collection, 'S'))?.holder, (await docData(collection, 'S'))?.lease_until], ['me', 63_000]);

      await batchesOf.update('S', { header: ['a'], inflight: ['r1.sheet'] });
      await batchesOf.release('S', { not_before: 65_000, backoff_ms: 2000, inflight: [] });
      assert.deepEqual(await docData(collection, 'S'), {
        holder: null,
        lease_until: 0,
        not_before: 65_000,
        backoff_ms: 2000,
        inflight: [],
        header: ['a'],
      });
      assert.deepEqual(await batchesOf.acquire('S', 'me', 64_000, 60_000), { acquired: false, retryAt: 65_000 });
      assert.equal(await batchesOf.freeAt('S', 64_000), 65_000);
      assert.equal(await batchesOf.freeAt('never-used', 7), 7);
    });

    it('holds the lease when a run of the transaction finds its own (a re-run after a commit whose answer was lost)', async () => {
      const first = await batchesOf.acquire('S', 'me', 1000, 60_000);
      // The library re-runs the transaction's function with the same arguments.
      assert.deepEqual(await batchesOf.acquire('S', 'me', 1000, 60_000), first);
      assert.deepEqual(await batchesOf.acquire('S', 'other', 1000, 60_000), { acquired: false, retryAt: 61_000 });
    });

    it('of workers racing for a free spreadsheet, exactly one holds the lease', async () => {
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => batchesOf.acquire('S', `w${i}`, 1000, 60_000)));
      const winners = outcomes.flatMap((o, i) => (o.acquired ? [`w${i}`] : []));
      assert.equal(winners.length, 1);
      for (const o of outcomes) if (!o.acquired) assert.equal(o.retryAt, 61_000);
      assert.equal((await docData(collection, 'S'))?.holder, winners[0]);
    });
  });

  /**
   * The emulator answers any query without an index; production Firestore refuses one no index
   * serves. So this is not a check of results (the cases above are) but of each query the stores
   * really ran here, in the wire form Firestore plans from (RunQuery's structuredQuery), against
   * the composite indexes infra/ declares, evaluated by Terraform: every query on two or more
   * fields has one, and every declared index serves some query.
   */
  describe('the composite indexes in infra/', () => {
    it('serve every query of the stores that needs one, and none is declared for nothing', async () => {
      const names = new Map<string, string>();
      const unique = (collection: string) => {
        const name = uniqueCollection(collection);
        names.set(name, collection);
        return name;
      };
      const responses = new ResponseStore(db(), { responses: unique('form_responses'), deliveries: unique('form_deliveries') });
      const deliveries = new DeliveryStore(db(), unique('form_deliveries'));
      const forms = new FormStore(db(), unique('forms'));
      const at = new Date('2026-01-01T00:00:00Z');
      await responses.submit({ id: 'r1', form_id: 'f1', answers: {}, submitted_at: '', results: {}, async_tasks: [] }, [], at);

      const gets = sinon.spy(Query.prototype, 'get');
      try {
        await responses.list('f1', 1);
        await responses.list('f1', 1, 'r1');
        await deliveries.stale({ pending: at, failed: at }, 10);
        await deliveries.openForTarget('S', 10);
        await forms.list(10);
      } finally {
        gets.restore();
      }
      const queries = gets.thisValues.map((q) => shape(q as Query, names));
      assert.equal(queries.length, 6, 'the list twice, two stale queries, the open rows, the forms');

      const declared = await declaredIndexes();
      const used = new Set<string>();
      for (const query of queries) {
        if (query.fields.length < 2) continue; // one field: Firestore's automatic single-field index
        const index = declared.find((i) => serves(i, query));
        assert.ok(index, `no index in infra/ serves ${JSON.stringify(query)}`);
        used.add(index.name);
      }
      assert.deepEqual(
        declared.map((i) => i.name).filter((n) => !used.has(n)),
        [],
        'indexes no store query uses',
      );
    });
  });
});

type Direction = 'ASCENDING' | 'DESCENDING';
interface WireQuery {
  collection: string;
  /** Fields compared with ==, in any order. */
  equalities: string[];
  /** Then the order, the inequality's field first (Firestore orders by it implicitly if not told). */
  order: [string, Direction][];
  fields: string[];
}
interface DeclaredIndex {
  name: string;
  collection: string;
  fields: [string, Direction][];
}

/** A query as Firestore receives it (the client library's RunQuery request; `toProto` is how it builds it). */
function shape(query: Query, names: Map<string, string>): WireQuery {
  type FieldFilter = { field: { fieldPath: string }; op: string };
  type Structured = {
    from: { collectionId: string }[];
    where?: { fieldFilter?: FieldFilter; compositeFilter?: { filters: { fieldFilter: FieldFilter }[] } };
    orderBy?: { field: { fieldPath: string }; direction: Direction }[];
  };
  const structured = (query as unknown as { toProto(): { structuredQuery: Structured } }).toProto().structuredQuery;
  const filters =
    structured.where?.compositeFilter?.filters.map((f) => f.fieldFilter) ??
    (structured.where?.fieldFilter ? [structured.where.fieldFilter] : []);
  const equalities = filters.filter((f) => f.op === 'EQUAL').map((f) => f.field.fieldPath);
  const order: [string, Direction][] = (structured.orderBy ?? []).map((o) => [o.field.fieldPath, o.direction]);
  for (const f of filters)
    if (f.op !== 'EQUAL' && !order.some(([field]) => field === f.field.fieldPath)) order.unshift([f.field.fieldPath, 'ASCENDING']);
  const collection = names.get(structured.from[0].collectionId) ?? structured.from[0].collectionId;
  return { collection, equalities, order, fields: [...new Set([...equalities, ...order.map(([f]) => f)])].filter((f) => f !== '__name__') };
}

/** An ordering without the document-id tail Firestore adds in the last field's direction anyway. */
function withoutImplicitTail(order: [string, Direction][]): [string, Direction][] {
  const last = order.at(-1);
  return last?.[0] === '__name__' && order.length > 1 && order.at(-2)![1] === last[1] ? order.slice(0, -1) : order;
}

/** Whether the index serves the query: its equality fields first (any order), then exactly the query's order. */
function serves(index: DeclaredIndex, query: WireQuery): boolean {
  if (index.collection !== query.collection) return false;
  const fields = withoutImplicitTail(index.fields);
  const head = fields.slice(0, query.equalities.length).map(([f]) => f);
  const tail = fields.slice(query.equalities.length);
  const order = withoutImplicitTail(query.order);
  return (
    [...head].sort().join() === [...query.equalities].sort().join() &&
    tail.length === order.length &&
    tail.every(([f, d], i) => f === order[i][0] && d === order[i][1])
  );
}

async function declaredIndexes(): Promise<DeclaredIndex[]> {
  const names = Object.keys((await loadInfra()).resources.google_firestore_index ?? {});
  const out: DeclaredIndex[] = [];
  for (const name of names) {
    for (const instance of Object.values(await evaluateInstances('google_firestore_index', name))) {
      const fields = (instance.fields as { field_path: string; order: Direction }[]).map((f): [string, Direction] => [
        f.field_path,
        f.order,
      ]);
      out.push({ name, collection: instance.collection as string, fields });
    }
  }
  return out;
}
