import * as assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { clearFaults, injectFault, localEndpoints } from '../support/endpoints';
import { emulatorCollection } from '../support/emulatorFirestore';
import { createForm, formsUrl, responsesUrl, sheetRows, submit, waitForDeliveries } from '../support/forms';
import { request } from '../support/http';
import { localBigQuery } from '../support/localBigQuery';
import { assertProblem } from '../support/problems';
import { WebhookReceiver } from '../support/webhookReceiver';

/**
 * System E end to end on the local cloud: a form with all five plug-ins, answered through
 * `responses`; the outbox commit, the Pub/Sub emulator's pushes to the workers, the local
 * BigQuery, the local Sheets API and a webhook receiver on 127.0.0.1.
 */
describe('forms and responses (System E, end to end)', function () {
  this.timeout(120_000);
  let receiver: WebhookReceiver;

  const questions = [
    { id: 'q_city', type: 'choice', label: 'City', required: true, options: ['Mumbai', 'Delhi'] },
    { id: 'q_income', type: 'integer', label: 'Monthly income', required: true },
    { id: 'q_savings', type: 'integer', label: 'Monthly savings' },
    { id: 'q_comment', type: 'text', label: 'Anything else?' },
  ];
  const rules = (mode: string) => ({
    id: 'rules',
    type: 'business_rules',
    config: {
      mode,
      rules: [{ id: 'savings_le_income', left: 'q_savings', op: '<=', right: 'q_income', message: 'Savings cannot exceed income.' }],
    },
  });
  const slang = (mode: string) => ({
    id: 'slang',
    type: 'keyword_flags',
    config: { mode, text_question: 'q_comment', list_question: 'q_city', lists: { Mumbai: ['bindaas'], Delhi: ['scene'] } },
  });

  async function fullForm(mode = 'flag'): Promise<{ id: string; secret: string; spreadsheetId: string }> {
    const res = await createForm({
      title: 'Household survey',
      owner_email: 'owner@example.com',
      questions,
      tasks: [
        rules(mode),
        slang(mode),
        { id: 'warehouse', type: 'bigquery_export', config: {} },
        { id: 'sheet', type: 'sheets_export', config: {} },
        { id: 'crm', type: 'webhook', config: { url: receiver.url } },
      ],
    });
    assert.equal(res.status, 201, res.text);
    const tasks = res.body.tasks as { id: string; secret?: string; config: Record<string, string> }[];
    return {
      id: res.body.id,
      secret: tasks.find((t) => t.id === 'crm')!.secret!,
      spreadsheetId: tasks.find((t) => t.id === 'sheet')!.config.spreadsheet_id,
    };
  }

  before(async () => {
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver.close();
    await clearFaults();
  });

  it('delivers an accepted response to BigQuery, the sheet and the webhook (signature verified), once each', async () => {
    const form = await fullForm();
    assert.match(form.secret, /^whsec_[A-Za-z0-9+/=]+$/);
    const read = await request(`${formsUrl()}/${form.id}`);
    assert.equal(read.status, 200);
    assert.doesNotMatch(read.text, /whsec_/, 'the secret is never shown again');
    assert.ok(form.spreadsheetId, 'a spreadsheet was created for the sheets task');

    const answers = { q_city: 'Mumbai', q_income: 50000, q_savings: 10000, q_comment: 'Great service' };
    const res = await submit(form.id, answers);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.results, { rules: { passed: true, flags: [] }, slang: { passed: true, list: 'Mumbai', flags: [] } });
    assert.deepEqual(res.body.deliveries, {
      warehouse: { state: 'pending', attempts: [] },
      sheet: { state: 'pending', attempts: [] },
      crm: { state: 'pending', attempts: [] },
    });
    const id = res.body.id as string;
    await waitForDeliveries(form.id, id, { warehouse: 'delivered', sheet: 'delivered', crm: 'delivered' });

    const bq = await bigQueryRows(id);
    assert.equal(bq.length, 1);
    assert.equal(bq[0].form_id, form.id);
    assert.deepEqual(JSON.parse(String(bq[0].answers)), answers);

    const sheet = await sheetRows(form.spreadsheetId);
    assert.deepEqual(sheet[0], ['response_id', 'City', 'Monthly income', 'Monthly savings', 'Anything else?']);
    assert.deepEqual(
      sheet.filter((r) => r[0] === id),
      [[id, 'Mumbai', 50000, 10000, 'Great service']],
    );

    const hooks = receiver.withId(`${id}.crm`);
    assert.equal(hooks.length, 1);
    const payload = new Webhook(form.secret).verify(hooks[0].body, {
      'webhook-id': String(hooks[0].headers['webhook-id']),
      'webhook-timestamp': String(hooks[0].headers['webhook-timestamp']),
      'webhook-signature': String(hooks[0].headers['webhook-signature']),
    }) as Record<string, unknown>;
    assert.equal(payload.type, 'response.created');
    assert.deepEqual(payload.data, { form_id: form.id, response_id: id, answers });
  });

  it('stores a flagged response with its flags, and refuses a rejected one (422 with the findings, nothing stored)', async () => {
    const flagged = await fullForm('flag');
    const res = await submit(flagged.id, { q_city: 'Mumbai', q_income: 100, q_savings: 500, q_comment: 'Bindaas!' });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.results.rules, {
      passed: false,
      flags: [{ rule: 'savings_le_income', message: 'Savings cannot exceed income.' }],
    });
    assert.equal(res.body.results.slang.passed, false);
    assert.equal(res.body.results.slang.flags[0].word, 'bindaas');

    const strict = await fullForm('reject');
    const refused = await submit(strict.id, { q_city: 'Delhi', q_income: 100, q_savings: 500, q_comment: 'what a scene' });
    assertProblem(refused, 422);
    assert.equal(refused.body.results.rules.passed, false);
    assert.equal(refused.body.results.slang.flags[0].word, 'scene');
    const list = await request(`${responsesUrl()}/${strict.id}`);
    assert.deepEqual(list.body, { items: [], next_page_token: null });
  });

  it('refuses answers that do not fit the form, each at its pointer, and an unknown form with 404', async () => {
    const form = await fullForm();
    const res = await submit(form.id, { q_city: 'Paris', q_income: '12', q_extra: 1 });
    assertProblem(res, 400, '#/answers/q_city');
    assertProblem(res, 400, '#/answers/q_income');
    assertProblem(res, 400, '#/answers/q_extra');
    assertProblem(await submit('doesNotExist0000000', { q_city: 'Mumbai' }), 404);
  });

  it('refuses a page token no list issued with 400, whatever its shape (Firestore would throw on some)', async () => {
    const form = await fullForm();
    for (const token of ['unknownResponse00000', 'a/b', '__reserved__', '..']) {
      assertProblem(await request(`${responsesUrl()}/${form.id}?page_token=${encodeURIComponent(token)}`), 400, '#/query/page_token');
    }
  });

  it('retries a webhook that fails three times, then delivers it with one id', async () => {
    const form = await fullForm();
    receiver.failuresLeft = 3;
    receiver.failStatus = 503;
    const res = await submit(form.id, { q_city: 'Delhi', q_income: 10, q_savings: 1 });
    const id = res.body.id as string;
    const deliveries = await waitForDeliveries(form.id, id, { crm: 'delivered' }, 90_000);
    const hooks = receiver.withId(`${id}.crm`);
    assert.equal(hooks.length, 4);
    assert.deepEqual(
      deliveries.crm.attempts.map((a) => [a.outcome, a.status]),
      [
        ['failed', 503],
        ['failed', 503],
        ['failed', 503],
        ['delivered', 204],
      ],
    );
  });

  it('makes a delivery that always fails dead, and delivers it when replayed after the fix', async () => {
    const form = await fullForm();
    receiver.failuresLeft = 1000;
    receiver.failStatus = 500;
    const res = await submit(form.id, { q_city: 'Delhi', q_income: 10 });
    const id = res.body.id as string;
    await waitForDeliveries(form.id, id, { crm: 'dead', warehouse: 'delivered', sheet: 'delivered' }, 110_000);
    receiver.failuresLeft = 0;
    const replay = await request(`${responsesUrl()}/${form.id}/${id}/deliveries/crm/replay`, { method: 'POST' });
    assert.equal(replay.status, 202, replay.text);
    const after = await waitForDeliveries(form.id, id, { crm: 'delivered' });
    assert.ok(after.crm.attempts.some((a) => a.outcome === 'dead'));
    assert.ok(after.crm.attempts.some((a) => a.outcome === 'replayed'));
    assert.ok(new Set(receiver.withId(`${id}.crm`).map((h) => h.headers['webhook-id'])).size === 1);
  });

  it('rides out Sheets answering 429 (a fault on the local service by name)', async () => {
    const form = await fullForm();
    await injectFault({ service: 'sheets', status: 429, times: 3 });
    const res = await submit(form.id, { q_city: 'Mumbai', q_income: 5 });
    const id = res.body.id as string;
    const deliveries = await waitForDeliveries(form.id, id, { sheet: 'delivered' }, 90_000);
    assert.ok(
      deliveries.sheet.attempts.some((a) => a.status === 429),
      JSON.stringify(deliveries.sheet),
    );
    const sheet = await sheetRows(form.spreadsheetId);
    assert.equal(sheet.filter((r) => r[0] === id).length, 1);
  });

  it('delivers despite a fault in front of every worker', async () => {
    const form = await fullForm();
    for (const fn of ['bigqueryExportWorker', 'sheetsExportWorker', 'webhookWorker'])
      await injectFault({ function: fn, status: 500, times: 2 });
    const res = await submit(form.id, { q_city: 'Mumbai', q_income: 7 });
    const id = res.body.id as string;
    await waitForDeliveries(form.id, id, { warehouse: 'delivered', sheet: 'delivered', crm: 'delivered' }, 90_000);
    assert.equal((await bigQueryRows(id)).length, 1);
    assert.equal((await sheetRows(form.spreadsheetId)).filter((r) => r[0] === id).length, 1);
    assert.equal(receiver.withId(`${id}.crm`).length, 1);
  });

  it('publishes, through the local scheduler and the sweeper, a delivery whose publish was lost', async () => {
    const form = await fullForm();
    // What a lost publish leaves: the outbox commit's response and a pending delivery, older than the sweep age.
    const id = `lost${Date.now().toString(36)}`;
    const old = new Date(Date.now() - 60_000);
    await emulatorCollection('form_responses')
      .doc(id)
      .create({ form_id: form.id, answers: { q_city: 'Delhi', q_income: 3 }, submitted_at: old, results: {}, async_tasks: ['warehouse'] });
    await emulatorCollection('form_deliveries').doc(`${id}.warehouse`).create({
      response_id: id,
      form_id: form.id,
      task_id: 'warehouse',
      task_type: 'bigquery_export',
      state: 'pending',
      open: true,
      attempts: [],
      target: null,
      verify: false,
      traceparent: null,
      created_at: old,
      updated_at: old,
    });
    const run = await request(`${localEndpoints().scheduler}/jobs/form-delivery-sweeper:run`, { method: 'POST' });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.body.last_run.status, 200);
    await waitForDeliveries(form.id, id, { warehouse: 'delivered' });
    assert.equal((await bigQueryRows(id)).length, 1);
  });

  async function bigQueryRows(responseId: string): Promise<Record<string, unknown>[]> {
    const [rows] = await localBigQuery().query({
      query: 'SELECT response_id, form_id, answers FROM `forms.responses` WHERE response_id = @id',
      params: { id: responseId },
    });
    return rows as Record<string, unknown>[];
  }

  it('lists the endpoints of the local Sheets and Pub/Sub', () => {
    assert.match(String(localEndpoints().sheets), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(String(localEndpoints().pubsub), /^127\.0\.0\.1:\d+$/);
  });
});
