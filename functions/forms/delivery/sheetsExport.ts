import { randomUUID } from 'node:crypto';
import { firestore } from '../../shared/clients/firestore';
import { sheets } from '../../shared/clients/workspace';
import type { Logger } from '../../shared/logger';
import { readCollections, type SheetsConfig } from '../config';
import { DeliveryStore } from '../deliveryStore';
import { attempt } from '../deliveryWorker';
import type { Delivery, Form, StoredResponse } from '../model';
import { DEFAULT_SHEET } from '../plugins/asyncPlugins';
import { ResponseStore } from '../responseStore';
import { SheetBatches, type BatchState } from '../sheetBatches';
import type { Deliverer, DeliveryContext, DeliveryOutcome } from './deliverer';

/**
 * `sheets_export` at delivery, batched per spreadsheet. Google Sheets allows about 60 writes a
 * minute per user (the worker's service account is one user), so one append per response would
 * cap a kit at 60 responses a minute. Instead the worker that takes a spreadsheet's lease appends
 * every open row of that spreadsheet in one call; the others wait for their row to be delivered
 * by it (and ask Pub/Sub to retry if it is not within `waitMs`). Appends to one spreadsheet are
 * `minIntervalMs` apart, and a 429 or 5xx backs off, doubling up to `maxBackoffMs`.
 *
 * Never twice: column A of every row is the response id. An append whose outcome is unknown (a
 * 5xx, a timeout, a crash before the rows were marked delivered) leaves its deliveries in the
 * batch's `inflight` list, and the next holder reads column A first and marks the rows it finds
 * delivered instead of appending them again. A replayed delivery is checked the same way.
 */
export function sheetsDeliverer(config: SheetsConfig): Deliverer {
  const collections = readCollections();
  let deps: { batches: SheetBatches; deliveries: DeliveryStore; responses: ResponseStore } | undefined;
  const store = () =>
    (deps ??= {
      batches: new SheetBatches(firestore(), collections.sheetBatches),
      deliveries: new DeliveryStore(firestore(), collections.deliveries),
      responses: new ResponseStore(firestore(), collections),
    });
  return {
    type: 'sheets_export',
    deliver: (context) => deliverThroughBatches(context, config, store()),
  };
}

interface Deps {
  batches: SheetBatches;
  deliveries: DeliveryStore;
  responses: ResponseStore;
}

const POLL_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function deliverThroughBatches(context: DeliveryContext, config: SheetsConfig, deps: Deps): Promise<DeliveryOutcome> {
  const spreadsheetId = context.task.config.spreadsheet_id as string;
  const holder = randomUUID();
  const deadline = Date.now() + config.waitMs;
  for (;;) {
    const now = Date.now();
    const freeAt = await deps.batches.freeAt(spreadsheetId, now);
    if (freeAt <= now) {
      const lease = await deps.batches.acquire(spreadsheetId, holder, now, config.leaseMs);
      // One batch per turn: after it, look at the own row again (and give up at the deadline).
      if (lease.acquired) await runBatch(context, config, deps, spreadsheetId, lease.state);
    }
    const after = await deps.deliveries.get(context.delivery.id);
    if (!after || after.state === 'delivered' || after.state === 'dead') return { outcome: 'delivered', recorded: true };
    if (Date.now() >= deadline) {
      return { outcome: 'retry', error: 'waiting for the spreadsheet (another append, or a back-off after a 429/5xx)', recorded: true };
    }
    await sleep(Math.min(Math.max(freeAt - Date.now(), POLL_MS), Math.max(deadline - Date.now(), 1)));
  }
}

/** One turn as the lease holder: settle unknown outcomes, then append the open rows in one call. */
async function runBatch(
  context: DeliveryContext,
  config: SheetsConfig,
  deps: Deps,
  spreadsheetId: string,
  state: BatchState,
): Promise<void> {
  const { form, log } = context;
  const sheet = (context.task.config.sheet as string | undefined) ?? DEFAULT_SHEET;
  let inflight = state.inflight;
  let header = state.header;
  let backoff = state.backoff_ms;
  let notBefore = 0;
  try {
    const open = (await deps.deliveries.openForTarget(spreadsheetId, config.maxRows)).filter((d) => d.form_id === form.id);
    const toCheck = open.filter((d) => d.verify || inflight.includes(d.id));
    let rows = open;
    if (toCheck.length > 0 || inflight.length > 0) {
      const present = await responseIdsInSheet(spreadsheetId, sheet);
      const found = toCheck.filter((d) => present.has(d.response_id));
      if (found.length > 0) {
        await deps.deliveries.record(
          found.map((d) => d.id),
          attempt(new Date().toISOString(), 'verified', null, 'found in the sheet: an earlier append had added it'),
          'delivered',
        );
        log.info(`${found.length} rows already in spreadsheet ${spreadsheetId}`, { event: 'sheets_rows_verified', count: found.length });
      }
      rows = open.filter((d) => !found.includes(d));
      inflight = [];
      await deps.batches.update(spreadsheetId, { inflight });
    }
    if (rows.length === 0) return;

    const wantedHeader = ['response_id', ...form.questions.map((q) => q.label)];
    const responses = await responsesOf(rows, deps.responses);
    const values = rows.map((d) => rowOf(d.response_id, responses.get(d.response_id), form));
    const at = new Date().toISOString();
    try {
      if (!sameRow(header, wantedHeader)) {
        // Unknown to this batch document (a new spreadsheet, or one the owner shared): read row 1 before writing it.
        if (header === null) header = await headerRow(spreadsheetId, sheet);
        if (!sameRow(header, wantedHeader)) {
          await sheets().spreadsheets.values.update({
            spreadsheetId,
            range: `'${sheet}'!A1`,
            valueInputOption: 'RAW',
            requestBody: { values: [wantedHeader] },
          });
        }
        header = wantedHeader;
        await deps.batches.update(spreadsheetId, { header });
      }
      inflight = rows.map((d) => d.id);
      await deps.batches.update(spreadsheetId, { inflight });
      await sheets().spreadsheets.values.append({
        spreadsheetId,
        range: `'${sheet}'!A1`,
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: { values },
      });
    } catch (err) {
      const status = httpStatus(err);
      // A 429 or a 4xx was refused before anything was written; anything else may have been applied.
      if (status !== undefined && status < 500) inflight = [];
      backoff = Math.min(Math.max(backoff * 2, 1000), config.maxBackoffMs);
      notBefore = Date.now() + backoff;
      const message = `Sheets: ${(err as Error).message}`;
      await deps.deliveries.record(
        rows.map((d) => d.id),
        attempt(at, 'failed', status ?? null, message),
        'failed',
      );
      log.warn(`writing ${rows.length} rows to ${spreadsheetId} failed; backing off ${backoff} ms`, {
        event: 'sheets_append_failed',
        status: status ?? null,
        rows: rows.length,
        outcome_known: inflight.length === 0,
      });
      return;
    }
    backoff = 0;
    notBefore = Date.now() + config.minIntervalMs;
    await deps.deliveries.record(inflight, attempt(at, 'delivered', 200, null), 'delivered');
    inflight = [];
    log.info(`appended ${rows.length} rows to spreadsheet ${spreadsheetId}`, { event: 'sheets_rows_appended', rows: rows.length });
  } finally {
    await deps.batches.release(spreadsheetId, { inflight, header, backoff_ms: backoff, not_before: notBefore }).catch((err: Error) => {
      // The lease then simply expires (leaseMs); the in-flight list is what must not be lost, and it was written before the append.
      logReleaseFailure(log, spreadsheetId, err);
    });
  }
}

function logReleaseFailure(log: Logger, spreadsheetId: string, err: Error): void {
  log.warn(`could not release the lease of spreadsheet ${spreadsheetId}; it expires on its own`, { error: err });
}

function sameRow(a: unknown[] | null, b: unknown[]): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}

async function headerRow(spreadsheetId: string, sheet: string): Promise<string[]> {
  const res = await sheets().spreadsheets.values.get({ spreadsheetId, range: `'${sheet}'!1:1` });
  return ((res.data.values?.[0] ?? []) as unknown[]).map(String);
}

async function responseIdsInSheet(spreadsheetId: string, sheet: string): Promise<Set<string>> {
  const res = await sheets().spreadsheets.values.get({ spreadsheetId, range: `'${sheet}'!A:A`, majorDimension: 'COLUMNS' });
  return new Set(((res.data.values?.[0] ?? []) as unknown[]).map(String));
}

async function responsesOf(rows: Delivery[], store: ResponseStore): Promise<Map<string, StoredResponse>> {
  const found = await store.getAll(rows.map((d) => d.response_id));
  return new Map(found.map((r) => [r.id, r]));
}

/** Column A the response id, then one cell per question in the form's order; RAW, so text is never read as a formula. */
export function rowOf(
  responseId: string,
  response: StoredResponse | undefined,
  form: Pick<Form, 'questions'>,
): (string | number | boolean)[] {
  const answers = response?.answers ?? {};
  return [responseId, ...form.questions.map((q) => cell(answers[q.id]))];
}

function cell(value: unknown): string | number | boolean {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; code?: unknown; response?: { status?: unknown } };
  for (const v of [e?.response?.status, e?.status, e?.code]) if (typeof v === 'number' && v >= 100 && v < 600) return v;
  return undefined;
}
