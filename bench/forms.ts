import { setTimeout as sleep } from 'node:timers/promises';
import { localEndpoints } from '../test/support/endpoints';
import { localBigQuery } from '../test/support/localBigQuery';
import { WebhookReceiver } from '../test/support/webhookReceiver';
import { FunctionUnderTest } from './functionUnderTest';
import { load } from './load';
import { median, printTable } from './report';

/**
 * System E's figures, against the whole local cloud (`make bench` runs it under withCloud):
 *
 * 1. `POST /responses/{form}` under closed-loop load (validation, two sync plug-ins, the outbox
 *    commit of the response and three deliveries, three publishes) beside the bare hello function
 *    on the same framework at the same concurrency: what the submission path costs.
 * 2. Time from the 201 to the BigQuery row, the sheet row and the webhook's arrival.
 * 3. Sheets append calls per response for one form receiving FORMS_BENCH_RESPONSES (1,000)
 *    responses in a minute, with the local Sheets API's write quota at Google's 60 a minute per
 *    user: the batching is what keeps that under the quota, and every 429 must be resolved.
 *
 * Figures move with the machine's load; read them side by side within one run.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RESPONSES = Number(process.env.FORMS_BENCH_RESPONSES ?? 1000);
const LATENCY_SAMPLES = Number(process.env.FORMS_BENCH_SAMPLES ?? 20);

const questions = [
  { id: 'q_city', type: 'choice', label: 'City', required: true, options: ['Mumbai', 'Delhi'] },
  { id: 'q_income', type: 'integer', label: 'Monthly income', required: true },
  { id: 'q_savings', type: 'integer', label: 'Monthly savings' },
  { id: 'q_comment', type: 'text', label: 'Anything else?' },
];
const syncTasks = [
  {
    id: 'rules',
    type: 'business_rules',
    config: {
      mode: 'flag',
      rules: [{ id: 'r', left: 'q_savings', op: '<=', right: 'q_income', message: 'Savings cannot exceed income.' }],
    },
  },
  {
    id: 'slang',
    type: 'keyword_flags',
    config: { mode: 'flag', text_question: 'q_comment', list_question: 'q_city', lists: { Mumbai: ['bindaas'] } },
  },
];
const answers = (i: number) => ({
  q_city: i % 2 ? 'Mumbai' : 'Delhi',
  q_income: 1000 + i,
  q_savings: i % 1000,
  q_comment: `response ${i}`,
});

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function createForm(tasks: unknown[]): Promise<{ id: string; spreadsheetId?: string }> {
  const res = await post(localEndpoints().functions.forms, { title: 'Bench', owner_email: 'bench@example.com', questions, tasks });
  if (res.status !== 201) throw new Error(`form not created: ${res.status} ${JSON.stringify(res.body)}`);
  const sheet = (res.body.tasks as { type: string; config: { spreadsheet_id?: string } }[]).find((t) => t.type === 'sheets_export');
  return { id: res.body.id as string, spreadsheetId: sheet?.config.spreadsheet_id };
}

async function sheetColumnA(spreadsheetId: string): Promise<string[]> {
  const res = await fetch(
    `${localEndpoints().sheets}/v4/spreadsheets/${spreadsheetId}/values/${encodeURIComponent("'Responses'!A:A")}?majorDimension=COLUMNS`,
  );
  const body = (await res.json()) as { values?: string[][] };
  return (body.values?.[0] ?? []).slice(1);
}

async function sheetsStats(): Promise<{ appends: number; throttled: number; updates: number; reads: number }> {
  return (await (await fetch(`${localEndpoints().sheets}/local/stats`)).json()) as never;
}

async function submissionThroughput(receiver: WebhookReceiver): Promise<string[][]> {
  const form = await createForm([
    ...syncTasks,
    { id: 'warehouse', type: 'bigquery_export', config: {} },
    { id: 'crm', type: 'webhook', config: { url: receiver.url } },
  ]);
  const hello = await FunctionUnderTest.start('hello', 'bench/fixtures/hello', {});
  try {
    let i = 0;
    const body = () => JSON.stringify({ answers: answers(i++) });
    const url = `${localEndpoints().functions.responses}/${form.id}`;
    await load(url, { concurrency: 4, seconds: 2, method: 'POST', path: '', body, expectStatus: 201 }); // warm up
    const helloResult = await load(hello.url, { concurrency: CONCURRENCY, seconds: SECONDS, path: '/' });
    const submit = await load(url, { concurrency: CONCURRENCY, seconds: SECONDS, method: 'POST', path: '', body, expectStatus: 201 });
    const row = (label: string, r: typeof submit): string[] => [
      label,
      r.perSecond.toFixed(0),
      r.p50ms.toFixed(1),
      r.p99ms.toFixed(1),
      String(r.errors),
    ];
    return [
      row('hello (bare framework)', helloResult),
      row('POST /responses/{form} (2 sync + 2 async tasks)', submit),
      [
        'ratio (responses / hello)',
        (submit.perSecond / helloResult.perSecond).toFixed(2),
        (submit.p50ms / helloResult.p50ms).toFixed(1) + 'x',
        '',
        '',
      ],
    ];
  } finally {
    hello.child.kill();
  }
}

async function timeToDestinations(receiver: WebhookReceiver): Promise<string[][]> {
  const form = await createForm([
    { id: 'warehouse', type: 'bigquery_export', config: {} },
    { id: 'sheet', type: 'sheets_export', config: {} },
    { id: 'crm', type: 'webhook', config: { url: receiver.url } },
  ]);
  const times = { bigquery: [] as number[], sheets: [] as number[], webhook: [] as number[] };
  for (let n = 0; n < LATENCY_SAMPLES; n++) {
    const started = Date.now();
    const res = await post(`${localEndpoints().functions.responses}/${form.id}`, { answers: answers(n) });
    const id = res.body.id as string;
    const seen: Partial<Record<keyof typeof times, number>> = {};
    while (Object.keys(seen).length < 3 && Date.now() - started < 60_000) {
      if (seen.webhook === undefined) {
        const hook = receiver.withId(`${id}.crm`)[0];
        if (hook) seen.webhook = hook.at - started;
      }
      if (seen.sheets === undefined && (await sheetColumnA(form.spreadsheetId!)).includes(id)) seen.sheets = Date.now() - started;
      if (seen.bigquery === undefined) {
        const [rows] = await localBigQuery().query({
          query: 'SELECT response_id FROM `forms.responses` WHERE response_id = @id',
          params: { id },
        });
        if (rows.length > 0) seen.bigquery = Date.now() - started;
      }
      await sleep(20);
    }
    for (const k of Object.keys(times) as (keyof typeof times)[]) if (seen[k] !== undefined) times[k].push(seen[k]!);
  }
  const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
  return (Object.entries(times) as [string, number[]][]).map(([dest, v]) => [
    dest,
    String(v.length),
    median(v).toFixed(0),
    p(v, 0.95).toFixed(0),
    Math.max(...v).toFixed(0),
  ]);
}

async function sheetsBatching(): Promise<string[][]> {
  const form = await createForm([{ id: 'sheet', type: 'sheets_export', config: {} }]);
  const before = await sheetsStats();
  const url = `${localEndpoints().functions.responses}/${form.id}`;
  const started = Date.now();
  const interval = 60_000 / RESPONSES;
  let accepted = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < RESPONSES; i++) {
    const due = started + i * interval;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push(
      post(url, { answers: answers(i) }).then((r) => {
        if (r.status === 201) accepted++;
      }),
    );
  }
  await Promise.all(inFlight);
  const submittedIn = (Date.now() - started) / 1000;
  let rows = 0;
  while (Date.now() - started < 600_000) {
    rows = new Set(await sheetColumnA(form.spreadsheetId!)).size;
    if (rows >= accepted) break;
    await sleep(500);
  }
  const lastRowAfter = (Date.now() - started) / 1000;
  const after = await sheetsStats();
  const appends = after.appends - before.appends;
  return [
    ['responses accepted', String(accepted), `in ${submittedIn.toFixed(0)} s`],
    ['distinct rows in the sheet', String(rows), `all in ${lastRowAfter.toFixed(0)} s from the first submission`],
    ['values.append calls', String(appends), `${(appends / Math.max(accepted, 1)).toFixed(3)} per response`],
    [
      '429s answered by the local Sheets API',
      String(after.throttled - before.throttled),
      rows >= accepted ? 'all resolved (every row is in)' : 'ROWS MISSING',
    ],
    [
      'other Sheets writes / reads',
      `${after.updates - before.updates} / ${after.reads - before.reads}`,
      'header updates / reads (this bench polls column A too)',
    ],
  ];
}

async function main(): Promise<void> {
  const receiver = await WebhookReceiver.start();
  try {
    printTable(
      `System E: submissions, ${CONCURRENCY} concurrent, ${SECONDS} s`,
      ['', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
      await submissionThroughput(receiver),
    );
    printTable(
      `System E: from the 201 to each destination (${LATENCY_SAMPLES} responses, one at a time)`,
      ['destination', 'n', 'p50 ms', 'p95 ms', 'max ms'],
      await timeToDestinations(receiver),
    );
    printTable(
      `System E: ${RESPONSES} responses to one form in a minute, Sheets quota 60 writes/min`,
      ['', 'count', ''],
      await sheetsBatching(),
    );
  } finally {
    await receiver.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
