import * as assert from 'node:assert/strict';
import { localEndpoints } from './endpoints';
import { request, type ReadResponse } from './http';

/** Helpers of System E's cloud-tier tests: create a form, answer it, wait for its deliveries. */
export function formsUrl(): string {
  return localEndpoints().functions.forms;
}

export function responsesUrl(): string {
  return localEndpoints().functions.responses;
}

export async function createForm(body: Record<string, unknown>): Promise<ReadResponse> {
  return request(formsUrl(), { method: 'POST', json: body });
}

export async function submit(
  formId: string,
  answers: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ReadResponse> {
  return request(`${responsesUrl()}/${formId}`, { method: 'POST', json: { answers }, headers });
}

export async function readResponse(formId: string, responseId: string): Promise<ReadResponse> {
  const res = await request(`${responsesUrl()}/${formId}/${responseId}`);
  assert.equal(res.status, 200, res.text);
  return res;
}

type Deliveries = Record<string, { state: string; attempts: { outcome: string; status: number | null; error: string | null }[] }>;

/** Polls the response until every delivery named in `states` is in that state; returns the deliveries. */
export async function waitForDeliveries(
  formId: string,
  responseId: string,
  states: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Deliveries> {
  const deadline = Date.now() + timeoutMs;
  let last: Deliveries = {};
  while (Date.now() < deadline) {
    last = (await readResponse(formId, responseId)).body.deliveries as Deliveries;
    if (Object.entries(states).every(([task, state]) => last[task]?.state === state)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`deliveries of ${responseId} did not reach ${JSON.stringify(states)} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Rows of a spreadsheet of the local Sheets API (values.get, as a client would). */
export async function sheetRows(spreadsheetId: string, range = "'Responses'!A:Z"): Promise<unknown[][]> {
  const base = String(localEndpoints().sheets);
  const res = await request(`${base}/v4/spreadsheets/${spreadsheetId}/values/${encodeURIComponent(range)}`);
  assert.equal(res.status, 200, res.text);
  return (res.body.values ?? []) as unknown[][];
}
