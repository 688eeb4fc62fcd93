import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as sinon from 'sinon';
import { bigqueryDeliverer } from '../../../functions/forms/delivery/bigqueryExport';
import type { DeliveryContext } from '../../../functions/forms/delivery/deliverer';
import { sheetsDeliverer } from '../../../functions/forms/delivery/sheetsExport';
import { webhookDeliverer } from '../../../functions/forms/delivery/webhook';
import { DeliveryStore } from '../../../functions/forms/deliveryStore';
import type { Delivery, Form } from '../../../functions/forms/model';
import { DeliveryPublisher } from '../../../functions/forms/publisher';
import { ResponseStore } from '../../../functions/forms/responseStore';
import { SheetBatches } from '../../../functions/forms/sheetBatches';
import { createSpreadsheet } from '../../../functions/forms/spreadsheets';
import * as bigqueryClient from '../../../functions/shared/clients/bigquery';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import * as pubsubClient from '../../../functions/shared/clients/pubsub';
import * as workspace from '../../../functions/shared/clients/workspace';
import { createLogger } from '../../../functions/shared/logger';
import { captureLogs } from '../../support/captureLogs';
import { WebhookReceiver } from '../../support/webhookReceiver';
import { useFunctionEnv } from '../../support/functionEnv';

const form: Form = {
  id: 'f1',
  title: 'T',
  owner_email: 'o@example.com',
  questions: [
    { id: 'q_a', type: 'text', label: 'A' },
    { id: 'q_b', type: 'integer', label: 'B' },
  ],
  tasks: [],
  created_at: '',
  updated_at: '',
};

function delivery(id: string, overrides: Partial<Delivery> = {}): Delivery {
  const [responseId, taskId] = id.split('.');
  return {
    id,
    response_id: responseId,
    form_id: 'f1',
    task_id: taskId,
    task_type: 'sheets_export',
    state: 'pending',
    open: true,
    attempts: [],
    target: 'S',
    verify: false,
    traceparent: null,
    created_at: '',
    updated_at: '',
    ...overrides,
  };
}

function context(d: Delivery, task: DeliveryContext['task'], secrets: Record<string, string> = {}): DeliveryContext {
  return {
    delivery: d,
    response: {
      id: d.response_id,
      form_id: 'f1',
      answers: { q_a: 'x', q_b: 2 },
      submitted_at: '2026-01-01T00:00:00.000Z',
      results: {},
      async_tasks: [d.task_id],
    },
    form,
    task,
    secrets,
    log: createLogger(),
  };
}

/** Each async plug-in's delivery, with its Google client (Pub/Sub, BigQuery, Sheets, Drive) stubbed by sinon. */
describe('forms: deliveries (Google clients stubbed)', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => {
    logs.restore();
    sinon.restore();
  });

  it("publishes one message per delivery to its type's topic, with the trace; a failure leaves it to the sweeper", async () => {
    const publishMessage = sinon.stub().resolves('id-1');
    const topic = sinon.stub().returns({ publishMessage });
    sinon.stub(pubsubClient, 'pubsub').returns({ topic } as never);
    const publisher = new DeliveryPublisher({ bigquery_export: 'tb', sheets_export: 'ts', webhook: 'tw' }, 200);
    const d = delivery('r1.crm', { task_type: 'webhook', traceparent: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01' });
    assert.deepEqual(await publisher.publish([d], createLogger()), ['r1.crm']);
    assert.equal(topic.firstCall.args[0], 'tw');
    const message = publishMessage.firstCall.args[0];
    assert.deepEqual(JSON.parse(message.data.toString()), { delivery_id: 'r1.crm' });
    assert.equal(message.attributes.traceparent, d.traceparent);
    assert.equal(message.attributes.task_type, 'webhook');
    assert.ok(Math.abs(Date.parse(message.attributes.published_at) - Date.now()) < 60_000, 'the publish time, for the dead-letter worker');

    publishMessage.rejects(new Error('UNAVAILABLE'));
    assert.deepEqual(await publisher.publish([d], createLogger()), []);
    publishMessage.returns(new Promise(() => undefined));
    assert.deepEqual(await publisher.publish([d], createLogger()), [], 'a publish that hangs times out');
  });

  it('inserts the BigQuery row with the delivery id as insertId; a refused row is permanent', async () => {
    const insert = sinon.stub().resolves();
    const table = sinon.stub().returns({ insert });
    const dataset = sinon.stub().returns({ table });
    sinon.stub(bigqueryClient, 'bigquery').returns({ dataset } as never);
    const deliverer = bigqueryDeliverer({ dataset: 'forms', table: 'responses' });
    const d = delivery('r1.warehouse', { task_type: 'bigquery_export' });
    assert.deepEqual(await deliverer.deliver(context(d, { id: 'warehouse', type: 'bigquery_export', config: {} })), {
      outcome: 'delivered',
    });
    sinon.assert.calledWith(dataset, 'forms');
    sinon.assert.calledWith(table, 'responses');
    assert.deepEqual(insert.firstCall.args, [
      [
        {
          insertId: 'r1.warehouse',
          json: { response_id: 'r1', form_id: 'f1', submitted_at: '2026-01-01T00:00:00.000Z', answers: '{"q_a":"x","q_b":2}' },
        },
      ],
      { raw: true },
    ]);
    insert.rejects(
      Object.assign(new Error('partial'), { name: 'PartialFailureError', errors: [{ errors: [{ message: 'no such field' }] }] }),
    );
    assert.equal((await deliverer.deliver(context(d, { id: 'warehouse', type: 'bigquery_export', config: {} }))).outcome, 'permanent');
    insert.rejects(Object.assign(new Error('backend'), { code: 503 }));
    assert.equal((await deliverer.deliver(context(d, { id: 'warehouse', type: 'bigquery_export', config: {} }))).outcome, 'retry');
  });

  describe('webhook', () => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await WebhookReceiver.start();
    });
    after(() => receiver.close());

    it('POSTs the event signed over id.timestamp.body, the same id on every attempt; 410 is permanent', async () => {
      const secret = 'whsec_' + Buffer.from('0123456789abcdef01234567').toString('base64');
      const deliverer = webhookDeliverer({ allowLoopback: true, timeoutMs: 2000 });
      const d = delivery('r1.crm', { task_type: 'webhook' });
      const task = { id: 'crm', type: 'webhook' as const, config: { url: receiver.url } };
      receiver.failuresLeft = 1;
      receiver.failStatus = 500;
      assert.deepEqual(await deliverer.deliver(context(d, task, { crm: secret })), {
        outcome: 'retry',
        status: 500,
        error: 'the receiver answered 500',
      });
      assert.deepEqual(await deliverer.deliver(context(d, task, { crm: secret })), { outcome: 'delivered', status: 204 });
      const [first, second] = receiver.withId('r1.crm');
      assert.ok(first && second);
      const { headers, body } = second;
      const expected = createHmac('sha256', Buffer.from('0123456789abcdef01234567'))
        .update(`r1.crm.${headers['webhook-timestamp']}.${body}`)
        .digest('base64');
      assert.equal(headers['webhook-signature'], `v1,${expected}`);
      assert.deepEqual(JSON.parse(body), {
        type: 'response.created',
        timestamp: '2026-01-01T00:00:00.000Z',
        data: { form_id: 'f1', response_id: 'r1', answers: { q_a: 'x', q_b: 2 } },
      });
      receiver.failuresLeft = 1;
      receiver.failStatus = 410;
      assert.equal((await deliverer.deliver(context(d, task, { crm: secret }))).outcome, 'permanent');
    });

    it('refuses to call loopback when it is not allowed, at delivery too', async () => {
      const deliverer = webhookDeliverer({ allowLoopback: false, timeoutMs: 2000 });
      const before = receiver.received.length;
      const outcome = await deliverer.deliver(
        context(
          delivery('r2.crm', { task_type: 'webhook' }),
          { id: 'crm', type: 'webhook', config: { url: receiver.url } },
          { crm: 'whsec_AAAA' },
        ),
      );
      assert.equal(outcome.outcome, 'permanent');
      assert.equal(receiver.received.length, before);
    });
  });

  describe('sheets_export', () => {
    // The deliverer reads its collections when it is made, as the worker does at cold start.
    let restoreEnv: () => void;
    before(() => {
      restoreEnv = useFunctionEnv('sheetsExportWorker');
    });
    after(() => restoreEnv());
    const config = { minIntervalMs: 0, maxRows: 500, leaseMs: 60_000, maxBackoffMs: 8000, waitMs: 0 };
    const task = { id: 'sheet', type: 'sheets_export' as const, config: { spreadsheet_id: 'S', sheet: 'Responses' } };
    let api: { append: sinon.SinonStub; update: sinon.SinonStub; get: sinon.SinonStub };
    let stores: Record<string, sinon.SinonStub>;
    let state: Record<string, unknown>;

    beforeEach(() => {
      api = {
        append: sinon.stub().resolves({ data: {} }),
        update: sinon.stub().resolves({ data: {} }),
        get: sinon.stub().resolves({ data: { values: [] } }),
      };
      sinon.stub(workspace, 'sheets').returns({ spreadsheets: { values: api } } as never);
      sinon.stub(firestoreClient, 'firestore').returns({} as never);
      state = { holder: null, lease_until: 0, not_before: 0, backoff_ms: 0, inflight: [], header: ['response_id', 'A', 'B'] };
      const open = [delivery('r1.sheet'), delivery('r2.sheet'), delivery('r3.sheet')];
      let ownState = 'pending';
      stores = {
        get: sinon.stub(DeliveryStore.prototype, 'get').callsFake(async () => delivery('r1.sheet', { state: ownState as never })),
        openForTarget: sinon.stub(DeliveryStore.prototype, 'openForTarget').resolves(open),
        record: sinon.stub(DeliveryStore.prototype, 'record').callsFake(async (ids, _a, s) => {
          if (ids.includes('r1.sheet')) ownState = s;
          return [];
        }),
        getAll: sinon
          .stub(ResponseStore.prototype, 'getAll')
          .callsFake(async (ids: string[]) =>
            ids.map((id) => ({ id, form_id: 'f1', answers: { q_a: id, q_b: 1 }, submitted_at: '', results: {}, async_tasks: [] })),
          ),
        freeAt: sinon.stub(SheetBatches.prototype, 'freeAt').callsFake(async (_s, now) => now),
        acquire: sinon.stub(SheetBatches.prototype, 'acquire').callsFake(async () => ({ acquired: true, state: { ...state } as never })),
        update: sinon.stub(SheetBatches.prototype, 'update').resolves(),
        release: sinon.stub(SheetBatches.prototype, 'release').callsFake(async (_s, fields) => void Object.assign(state, fields)),
      };
    });

    it('appends every open row of the spreadsheet in one call, column A the response id, and marks them delivered', async () => {
      const outcome = await sheetsDeliverer(config).deliver(context(delivery('r1.sheet'), task));
      assert.deepEqual(outcome, { outcome: 'delivered', recorded: true });
      sinon.assert.calledOnce(api.append);
      const request = api.append.firstCall.args[0];
      assert.equal(request.spreadsheetId, 'S');
      assert.equal(request.valueInputOption, 'RAW');
      assert.equal(request.insertDataOption, 'INSERT_ROWS');
      assert.deepEqual(request.requestBody.values, [
        ['r1', 'r1', 1],
        ['r2', 'r2', 1],
        ['r3', 'r3', 1],
      ]);
      assert.deepEqual(
        stores.update.args.map((a) => a[1]),
        [{ inflight: ['r1.sheet', 'r2.sheet', 'r3.sheet'] }],
        'the rows are in flight before the append',
      );
      assert.deepEqual(stores.record.firstCall.args[0], ['r1.sheet', 'r2.sheet', 'r3.sheet']);
      assert.equal(stores.record.firstCall.args[2], 'delivered');
      assert.deepEqual(state.inflight, []);
      sinon.assert.notCalled(api.update);
    });

    it('after a 429 backs off, and knows nothing was written', async () => {
      api.append.rejects(Object.assign(new Error('Quota exceeded'), { status: 429 }));
      const outcome = await sheetsDeliverer(config).deliver(context(delivery('r1.sheet'), task));
      assert.equal(outcome.outcome, 'retry');
      assert.deepEqual(state.inflight, []);
      assert.equal(state.backoff_ms, 1000);
      assert.ok((state.not_before as number) > Date.now());
      assert.equal(stores.record.firstCall.args[1].status, 429);
      assert.equal(stores.record.firstCall.args[2], 'failed');
    });

    it('after a 5xx keeps the rows in flight, and the next holder finds them in column A instead of appending again', async () => {
      api.append.rejects(Object.assign(new Error('backend'), { status: 503 }));
      await sheetsDeliverer(config).deliver(context(delivery('r1.sheet'), task));
      assert.deepEqual(state.inflight, ['r1.sheet', 'r2.sheet', 'r3.sheet']);

      api.append.reset();
      api.append.resolves({ data: {} });
      api.get.resolves({ data: { values: [['response_id', 'r1', 'r2']] } });
      state.not_before = 0;
      await sheetsDeliverer(config).deliver(context(delivery('r1.sheet'), task));
      assert.equal(api.get.firstCall.args[0].range, "'Responses'!A:A");
      const verified = stores.record.getCalls().find((c) => c.args[1].outcome === 'verified')!;
      assert.deepEqual(verified.args[0], ['r1.sheet', 'r2.sheet']);
      assert.deepEqual(api.append.firstCall.args[0].requestBody.values, [['r3', 'r3', 1]], 'only the row not found is appended');
    });

    it('writes the header row when the form gained a question', async () => {
      state.header = ['response_id', 'A'];
      await sheetsDeliverer(config).deliver(context(delivery('r1.sheet'), task));
      assert.deepEqual(api.update.firstCall.args[0].requestBody.values, [['response_id', 'A', 'B']]);
      assert.ok(api.update.calledBefore(api.append));
    });

    it('waits for a holder to deliver its row rather than appending it itself', async () => {
      stores.freeAt.callsFake(async (_s, now: number) => now + 10_000);
      const outcome = await sheetsDeliverer({ ...config, waitMs: 50 }).deliver(context(delivery('r1.sheet'), task));
      assert.equal(outcome.outcome, 'retry');
      sinon.assert.notCalled(api.append);
    });
  });

  it('creates a spreadsheet with its header and shares it with the owner and the worker', async () => {
    const create = sinon.stub().resolves({ data: { spreadsheetId: 'NEW' } });
    const update = sinon.stub().resolves({ data: {} });
    const permissions = { create: sinon.stub().resolves({ data: {} }) };
    sinon.stub(workspace, 'sheets').returns({ spreadsheets: { create, values: { update } } } as never);
    sinon.stub(workspace, 'drive').returns({ permissions } as never);
    assert.equal(
      await createSpreadsheet('T (responses)', ['response_id', 'A'], ['o@example.com', 'worker@p.iam.gserviceaccount.com']),
      'NEW',
    );
    assert.deepEqual(create.firstCall.args[0].requestBody, {
      properties: { title: 'T (responses)' },
      sheets: [{ properties: { title: 'Responses' } }],
    });
    assert.deepEqual(update.firstCall.args[0].requestBody.values, [['response_id', 'A']]);
    assert.deepEqual(
      permissions.create.args.map((a) => [a[0].fileId, a[0].requestBody, a[0].sendNotificationEmail]),
      [
        ['NEW', { type: 'user', role: 'writer', emailAddress: 'o@example.com' }, true],
        ['NEW', { type: 'user', role: 'writer', emailAddress: 'worker@p.iam.gserviceaccount.com' }, false],
      ],
    );
  });
});
