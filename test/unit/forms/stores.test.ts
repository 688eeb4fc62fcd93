import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { DeliveryStore } from '../../../functions/forms/deliveryStore';
import { FormChangedError, FormStore } from '../../../functions/forms/formStore';
import { ResponseStore } from '../../../functions/forms/responseStore';
import { SheetBatches } from '../../../functions/forms/sheetBatches';

/** A Firestore Timestamp as the stores read it. */
const ts = (iso: string) => ({ toDate: () => new Date(iso) });

function snapshot(id: string, data: Record<string, unknown> | undefined, updateTime: unknown = ts('2026-01-01T00:00:00Z')) {
  return { id, exists: data !== undefined, data: () => data, get: (f: string) => data?.[f], updateTime };
}

const deliveryData = (state: string, attempts: unknown[] = []) => ({
  response_id: 'r1',
  form_id: 'f1',
  task_id: 'crm',
  task_type: 'webhook',
  state,
  open: state === 'pending' || state === 'failed',
  attempts,
  target: null,
  verify: false,
  traceparent: null,
  created_at: ts('2026-01-01T00:00:00Z'),
  updated_at: ts('2026-01-01T00:00:00Z'),
});

/** The Firestore calls of System E's stores, each stubbed with sinon. */
describe('forms: stores (Firestore stubbed)', () => {
  afterEach(() => sinon.restore());

  it('writes a response and one delivery per async task in one batch (the outbox)', async () => {
    const batch = { create: sinon.stub(), commit: sinon.stub().resolves() };
    const docs: string[] = [];
    const db = {
      batch: () => batch,
      collection: (c: string) => ({ doc: (id?: string) => (docs.push(`${c}/${id}`), { id: id ?? 'generated', path: `${c}/${id}` }) }),
    };
    const store = new ResponseStore(db as never, { responses: 'form_responses', deliveries: 'form_deliveries' });
    const at = new Date('2026-01-02T03:04:05Z');
    await store.submit(
      { id: 'r1', form_id: 'f1', answers: { q: 1 }, submitted_at: at.toISOString(), results: {}, async_tasks: ['crm', 'sheet'] },
      [
        {
          id: 'r1.crm',
          response_id: 'r1',
          form_id: 'f1',
          task_id: 'crm',
          task_type: 'webhook',
          state: 'pending',
          open: true,
          attempts: [],
          target: null,
          verify: false,
          traceparent: null,
        },
        {
          id: 'r1.sheet',
          response_id: 'r1',
          form_id: 'f1',
          task_id: 'sheet',
          task_type: 'sheets_export',
          state: 'pending',
          open: true,
          attempts: [],
          target: 'S',
          verify: false,
          traceparent: null,
        },
      ],
      at,
    );
    sinon.assert.calledOnce(batch.commit);
    assert.equal(batch.create.callCount, 3);
    assert.deepEqual(docs, ['form_responses/r1', 'form_deliveries/r1.crm', 'form_deliveries/r1.sheet']);
    assert.deepEqual(batch.create.firstCall.args[1], {
      form_id: 'f1',
      answers: { q: 1 },
      results: {},
      async_tasks: ['crm', 'sheet'],
      submitted_at: at,
    });
    assert.equal(batch.create.secondCall.args[1].state, 'pending');
    assert.equal(batch.create.secondCall.args[1].created_at, at);
    assert.equal('id' in batch.create.secondCall.args[1], false);
  });

  it("lists a form's responses newest first, one past the page to know whether another follows", async () => {
    const query = {
      where: sinon.stub().returnsThis(),
      orderBy: sinon.stub().returnsThis(),
      limit: sinon.stub().returnsThis(),
      startAfter: sinon.stub().returnsThis(),
      get: sinon.stub().resolves({
        docs: ['a', 'b', 'c'].map((id) => snapshot(id, { form_id: 'f1', answers: {}, submitted_at: ts('2026-01-01T00:00:00Z') })),
      }),
    };
    const after = snapshot('z', { form_id: 'f1' });
    const db = { collection: () => ({ ...query, doc: () => ({ get: sinon.stub().resolves(after) }) }) };
    const page = await new ResponseStore(db as never, { responses: 'r', deliveries: 'd' }).list('f1', 2, 'z');
    assert.deepEqual(query.where.firstCall.args, ['form_id', '==', 'f1']);
    assert.deepEqual(query.orderBy.args, [
      ['submitted_at', 'desc'],
      ['__name__', 'desc'],
    ]);
    sinon.assert.calledWith(query.limit, 3);
    sinon.assert.calledWith(query.startAfter, after);
    assert.deepEqual(
      page.items.map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(page.nextPageToken, 'b');
  });

  it('never turns a delivered delivery back into failed (a duplicate push)', async () => {
    const tx = { getAll: sinon.stub().resolves([snapshot('r1.crm', deliveryData('delivered'))]), update: sinon.stub() };
    const db = { runTransaction: (work: (t: unknown) => unknown) => work(tx), collection: () => ({ doc: (id: string) => ({ id }) }) };
    const [after] = await new DeliveryStore(db as never, 'd').record(
      ['r1.crm'],
      { at: 'now', outcome: 'failed', status: 500, error: 'x' },
      'failed',
    );
    assert.equal(after.state, 'delivered');
    sinon.assert.notCalled(tx.update);
  });

  it('leaves a delivery replayed after the message was published as it is (a dead letter of an older copy)', async () => {
    const replayed = [
      { at: '2026-01-01T00:00:00.000Z', outcome: 'dead', status: null, error: 'attempts exhausted' },
      { at: '2026-01-01T00:05:00.000Z', outcome: 'replayed', status: null, error: null },
    ];
    const tx = { getAll: sinon.stub().resolves([snapshot('r1.crm', deliveryData('pending', replayed))]), update: sinon.stub() };
    const db = { runTransaction: (work: (t: unknown) => unknown) => work(tx), collection: () => ({ doc: (id: string) => ({ id }) }) };
    const store = new DeliveryStore(db as never, 'd');
    const dead = { at: '2026-01-01T00:06:00.000Z', outcome: 'dead' as const, status: null, error: 'attempts exhausted' };
    const [stale] = await store.record(['r1.crm'], dead, 'dead', '2025-12-31T23:59:00.000Z');
    assert.equal(stale.state, 'pending');
    sinon.assert.notCalled(tx.update);
    // The replay's own message, published after it, is the one that may make it dead.
    const [after] = await store.record(['r1.crm'], dead, 'dead', '2026-01-01T00:05:00.100Z');
    assert.equal(after.state, 'dead');
    sinon.assert.calledOnce(tx.update);
  });

  it('records an attempt, its state, and whether the delivery stays open, keeping the last 50 attempts', async () => {
    const old = Array.from({ length: 50 }, (_, i) => ({ at: String(i), outcome: 'failed', status: 500, error: 'x' }));
    const tx = { getAll: sinon.stub().resolves([snapshot('r1.crm', deliveryData('failed', old))]), update: sinon.stub() };
    const db = { runTransaction: (work: (t: unknown) => unknown) => work(tx), collection: () => ({ doc: (id: string) => ({ id }) }) };
    const [after] = await new DeliveryStore(db as never, 'd').record(
      ['r1.crm'],
      { at: 'last', outcome: 'delivered', status: 204, error: null },
      'delivered',
    );
    const fields = tx.update.firstCall.args[1];
    assert.equal(fields.state, 'delivered');
    assert.equal(fields.open, false);
    assert.equal(fields.attempts.length, 50);
    assert.equal(fields.attempts[49].at, 'last');
    assert.equal(after.state, 'delivered');
  });

  it('replays any delivery: pending, open, checked before a Sheets append', async () => {
    const tx = { get: sinon.stub().resolves(snapshot('r1.crm', deliveryData('dead'))), update: sinon.stub() };
    const db = { runTransaction: (work: (t: unknown) => unknown) => work(tx), collection: () => ({ doc: (id: string) => ({ id }) }) };
    const after = await new DeliveryStore(db as never, 'd').replay('r1.crm', new Date('2026-01-01T00:00:00Z'));
    assert.equal(after!.state, 'pending');
    const fields = tx.update.firstCall.args[1];
    assert.deepEqual([fields.state, fields.open, fields.verify, fields.attempts.at(-1).outcome], ['pending', true, true, 'replayed']);
  });

  it('finds stale pending and failed deliveries and open rows of a spreadsheet with the queries the indexes cover', async () => {
    const calls: unknown[][] = [];
    const query: Record<string, unknown> = {};
    for (const m of ['where', 'orderBy', 'limit']) query[m] = (...args: unknown[]) => (calls.push([m, ...args]), query);
    query.get = sinon.stub().resolves({ docs: [snapshot('r1.crm', deliveryData('pending'))] });
    const db = { collection: () => query };
    const store = new DeliveryStore(db as never, 'd');
    const pending = new Date('2026-01-01T00:00:00Z');
    const failed = new Date('2025-12-31T23:50:00Z');
    assert.equal((await store.stale({ pending, failed }, 10))[0].id, 'r1.crm');
    assert.deepEqual(calls, [
      ['where', 'state', '==', 'pending'],
      ['where', 'updated_at', '<', pending],
      ['orderBy', 'updated_at'],
      ['limit', 10],
      ['where', 'state', '==', 'failed'],
      ['where', 'updated_at', '<', failed],
      ['orderBy', 'updated_at'],
      ['limit', 10],
    ]);
    calls.length = 0;
    await store.openForTarget('S', 500);
    assert.deepEqual(calls, [
      ['where', 'target', '==', 'S'],
      ['where', 'open', '==', true],
      ['orderBy', 'created_at'],
      ['limit', 500],
    ]);
  });

  it('replaces a form only if it did not change since it was read', async () => {
    const update = sinon.stub().rejects(Object.assign(new Error('stale'), { code: 9 }));
    const db = { collection: () => ({ doc: () => ({ update }) }) };
    const version = ts('2026-01-01T00:00:00Z');
    await assert.rejects(new FormStore(db as never, 'forms').replace('f1', version as never, {} as never, {}), FormChangedError);
    assert.deepEqual(update.firstCall.args[1], { lastUpdateTime: version });
  });

  it('creates a form with its secrets stored beside it, and reads it back without them', async () => {
    const create = sinon.stub().resolves();
    const stored = {
      title: 'T',
      owner_email: 'o@e.c',
      questions: [],
      tasks: [],
      secrets: { hook: 'whsec_x' },
      created_at: ts('2026-01-01T00:00:00Z'),
      updated_at: ts('2026-01-01T00:00:00Z'),
    };
    const db = { collection: () => ({ doc: () => ({ id: 'f1', create, get: sinon.stub().resolves(snapshot('f1', stored)) }) }) };
    const store = new FormStore(db as never, 'forms');
    await store.create({ title: 'T', owner_email: 'o@e.c', questions: [], tasks: [] }, { hook: 'whsec_x' });
    assert.deepEqual(create.firstCall.args[0].secrets, { hook: 'whsec_x' });
    const read = await store.get('f1');
    assert.equal('secrets' in read!.form, false);
    assert.deepEqual(read!.secrets, { hook: 'whsec_x' });
  });

  it('takes a spreadsheet lease only when it is free and the back-off has passed', async () => {
    const state = { holder: 'other', lease_until: 2000, not_before: 0, backoff_ms: 0, inflight: [], header: null };
    const tx = { get: sinon.stub().resolves(snapshot('S', state)), set: sinon.stub() };
    const db = { runTransaction: (work: (t: unknown) => unknown) => work(tx), collection: () => ({ doc: () => ({}) }) };
    const batches = new SheetBatches(db as never, 'b');
    assert.deepEqual(await batches.acquire('S', 'me', 1000, 60_000), { acquired: false, retryAt: 2000 });
    sinon.assert.notCalled(tx.set);
    const taken = await batches.acquire('S', 'me', 3000, 60_000);
    assert.equal(taken.acquired, true);
    assert.equal(tx.set.firstCall.args[1].lease_until, 63_000);
    tx.get.resolves(snapshot('S', { ...state, holder: null, lease_until: 0, not_before: 5000 }));
    assert.deepEqual(await batches.acquire('S', 'me', 4000, 60_000), { acquired: false, retryAt: 5000 });
  });
});
