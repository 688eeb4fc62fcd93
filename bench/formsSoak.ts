import { setTimeout as sleep } from 'node:timers/promises';
import { clearFaults, injectFault, localEndpoints } from '../test/support/endpoints';
import { localBigQuery } from '../test/support/localBigQuery';
import { WebhookReceiver } from '../test/support/webhookReceiver';
import { printTable } from './report';

/**
 * `make soak`, System E: FORMS_SOAK_RESPONSES (1,000) responses to one form with all three async
 * tasks, submitted by FORMS_SOAK_CLIENTS clients while the control server keeps arming faults in
 * front of the three workers (500s and delays) and of the local Sheets API (429s and 503s), and
 * the webhook receiver fails a share of its requests. Afterwards, with the faults off, every
 * delivery must end delivered: exactly one BigQuery row and one sheet row per response, every
 * webhook id accepted by the receiver, none pending, failed or dead. Exits 1 if not. Prints the
 * submission rate, the time from submission to each task's delivery, the failed attempts (the
 * retries) and the duplicates.
 */
const RESPONSES = Number(process.env.FORMS_SOAK_RESPONSES ?? 1000);
const CLIENTS = Number(process.env.FORMS_SOAK_CLIENTS ?? 8);
const SETTLE_MS = Number(process.env.FORMS_SOAK_SETTLE_SECONDS ?? 600) * 1000;
const WEBHOOK_FAILURE_SHARE = 0.2;

const questions = [
  { id: 'q_n', type: 'integer', label: 'N', required: true },
  { id: 'q_text', type: 'text', label: 'Text' },
];

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function armFaultsWhile(running: () => boolean): Promise<number> {
  const workers = ['bigqueryExportWorker', 'sheetsExportWorker', 'webhookWorker'];
  let armed = 0;
  while (running()) {
    const fn = workers[Math.floor(Math.random() * workers.length)];
    const roll = Math.random();
    if (roll < 0.4) await injectFault({ function: fn, status: 500, times: 3 });
    else if (roll < 0.6) await injectFault({ function: fn, delay_ms: 2000, times: 2 });
    else if (roll < 0.85) await injectFault({ service: 'sheets', status: 429, times: 2 });
    else await injectFault({ service: 'sheets', status: 503, times: 1 });
    armed++;
    await sleep(500);
  }
  return armed;
}

async function main(): Promise<void> {
  const endpoints = localEndpoints();
  const receiver = await WebhookReceiver.start();
  const created = await post(endpoints.functions.forms, {
    title: 'Soak',
    owner_email: 'soak@example.com',
    questions,
    tasks: [
      { id: 'warehouse', type: 'bigquery_export', config: {} },
      { id: 'sheet', type: 'sheets_export', config: {} },
      { id: 'crm', type: 'webhook', config: { url: receiver.url } },
    ],
  });
  if (created.status !== 201) throw new Error(`form not created: ${JSON.stringify(created.body)}`);
  const formId = created.body.id as string;
  const spreadsheetId = (created.body.tasks as { id: string; config: { spreadsheet_id: string } }[]).find((t) => t.id === 'sheet')!.config
    .spreadsheet_id;

  const ids: string[] = [];
  let next = 0;
  let submitting = true;
  let flaky = 0;
  // A flaky receiver: every 200 ms, with some probability, its next request is answered 500 or 503.
  const flakiness = setInterval(() => {
    if (Math.random() < WEBHOOK_FAILURE_SHARE) {
      receiver.failuresLeft += 1;
      receiver.failStatus = Math.random() < 0.5 ? 500 : 503;
      flaky++;
    }
  }, 200);
  const faults = armFaultsWhile(() => submitting);
  const started = Date.now();
  let refused = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let n = next++; n < RESPONSES; n = next++) {
        // A client retries a submission that failed (503 from a busy backend); none is expected.
        for (;;) {
          const res = await post(`${endpoints.functions.responses}/${formId}`, { answers: { q_n: n, q_text: `soak ${n}` } });
          if (res.status === 201) {
            ids.push(res.body.id as string);
            break;
          }
          refused++;
          await sleep(200);
        }
      }
    }),
  );
  submitting = false;
  const armed = await faults;
  clearInterval(flakiness);
  await clearFaults();
  receiver.failuresLeft = 0;
  const submittedIn = (Date.now() - started) / 1000;

  const expected = new Set(ids);
  const check = async () => {
    const [bq] = await localBigQuery().query({
      query: 'SELECT response_id FROM `forms.responses` WHERE form_id = @f',
      params: { f: formId },
    });
    const bqIds = (bq as { response_id: string }[]).map((r) => r.response_id);
    const sheet = await fetch(
      `${endpoints.sheets}/v4/spreadsheets/${spreadsheetId}/values/${encodeURIComponent("'Responses'!A:A")}?majorDimension=COLUMNS`,
    );
    const sheetIds = (((await sheet.json()) as { values?: string[][] }).values?.[0] ?? []).slice(1);
    // Accepted (2xx) by the receiver, not merely sent: a 500 answered to an id does not deliver it.
    const accepted = receiver.received.filter((r) => r.headers['webhook-id'] && r.status < 300);
    const hookIds = new Set(accepted.map((r) => String(r.headers['webhook-id'])));
    return { bqIds, sheetIds, hookIds, hooksAccepted: accepted.length };
  };
  // Settled: every row and webhook there, and no delivery still open (pending or failed), which
  // the rows alone do not show (a sheet row appended by an append whose outcome was unknown, or a
  // webhook a later attempt must still deliver).
  let state = await check();
  let items = await responseItems(endpoints.functions.responses, formId);
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const rowsDone =
      state.bqIds.length >= expected.size &&
      state.sheetIds.length >= expected.size &&
      [...expected].every((id) => state.hookIds.has(`${id}.crm`));
    if (rowsDone) {
      items = await responseItems(endpoints.functions.responses, formId);
      if (items.every((item) => Object.values(item.deliveries).every((d) => d.state !== 'pending' && d.state !== 'failed'))) break;
    }
    await sleep(rowsDone ? 5000 : 2000);
    state = await check();
  }
  const settledIn = (Date.now() - started) / 1000;
  state = await check();
  items = await responseItems(endpoints.functions.responses, formId);

  const states = new Map<string, number>();
  const unfinished: string[] = [];
  const latencies: Record<string, number[]> = {};
  const failedAttempts: Record<string, number> = {};
  for (const item of items) {
    for (const [task, d] of Object.entries(item.deliveries)) {
      states.set(d.state, (states.get(d.state) ?? 0) + 1);
      if (d.state !== 'delivered') unfinished.push(`${item.id} ${task}: ${JSON.stringify(d)}`);
      failedAttempts[task] = (failedAttempts[task] ?? 0) + d.attempts.filter((a) => a.outcome === 'failed').length;
      const done = d.attempts.find((a) => a.outcome === 'delivered' || a.outcome === 'verified');
      if (done) (latencies[task] ??= []).push(Date.parse(done.at) - Date.parse(item.submitted_at));
    }
  }

  const bqUnique = new Set(state.bqIds);
  const sheetUnique = new Set(state.sheetIds);
  const missingHooks = [...expected].filter((id) => !state.hookIds.has(`${id}.crm`));
  const sheetStats = (await (await fetch(`${endpoints.sheets}/local/stats`)).json()) as { appends: number; throttled: number };
  const rows: string[][] = [
    [
      'responses accepted',
      String(expected.size),
      `in ${submittedIn.toFixed(0)} s, ${(expected.size / submittedIn).toFixed(1)}/s (${refused} submissions retried)`,
    ],
    ['faults armed (worker 500s/delays, Sheets 429s/503s)', String(armed), `webhook receiver failures queued: ${flaky}`],
    [
      'BigQuery rows',
      String(state.bqIds.length),
      `${bqUnique.size} distinct, ${[...expected].filter((id) => !bqUnique.has(id)).length} missing`,
    ],
    [
      'sheet rows',
      String(state.sheetIds.length),
      `${sheetUnique.size} distinct, ${[...expected].filter((id) => !sheetUnique.has(id)).length} missing; ` +
        `${sheetStats.appends} appends, ${sheetStats.throttled} answered 429`,
    ],
    [
      'webhook ids accepted',
      String(state.hookIds.size),
      `${missingHooks.length} missing, ${state.hooksAccepted - state.hookIds.size} accepted twice, ` +
        `${receiver.received.length} requests in all`,
    ],
    ...Object.entries(latencies).map(([task, ms]) => [
      `submission to delivered: ${task}`,
      `${(percentile(ms, 0.5) / 1000).toFixed(1)} s`,
      `p95 ${(percentile(ms, 0.95) / 1000).toFixed(1)} s, max ${(Math.max(...ms) / 1000).toFixed(1)} s; ${failedAttempts[task]} failed attempts`,
    ]),
    [
      'delivery states',
      [...states].map(([s, n]) => `${s} ${n}`).join(', '),
      `settled ${settledIn.toFixed(0)} s after the first submission`,
    ],
  ];
  printTable(`System E soak: ${RESPONSES} responses through faults`, ['', 'count', ''], rows);
  await receiver.close();
  const exact =
    state.bqIds.length === expected.size &&
    bqUnique.size === expected.size &&
    state.sheetIds.length === expected.size &&
    sheetUnique.size === expected.size &&
    missingHooks.length === 0 &&
    states.get('delivered') === expected.size * 3;
  // What a delivery that did not end delivered went through: its attempt log says why.
  for (const line of unfinished.slice(0, 20)) console.error(line);
  if (!exact) {
    console.error('\nFAILED: not exactly one row per response in BigQuery and Sheets, every webhook, every delivery delivered.');
    process.exit(1);
  }
  console.log('\nOK: exactly one BigQuery row and one sheet row per response, every webhook accepted, every delivery delivered.');
}

interface ResponseItem {
  id: string;
  submitted_at: string;
  deliveries: Record<string, { state: string; attempts: { at: string; outcome: string }[] }>;
}

/** Every response of the form with its deliveries, through the admin API. */
async function responseItems(responsesUrl: string, formId: string): Promise<ResponseItem[]> {
  const items: ResponseItem[] = [];
  for (let token: string | null = ''; token !== null;) {
    const page = await fetch(`${responsesUrl}/${formId}?page_size=500${token ? `&page_token=${token}` : ''}`);
    const body = (await page.json()) as { items: ResponseItem[]; next_page_token: string | null };
    items.push(...body.items);
    token = body.next_page_token;
  }
  return items;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
