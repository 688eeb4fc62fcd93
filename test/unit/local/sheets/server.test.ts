import * as assert from 'node:assert/strict';
import { drive } from '@googleapis/drive';
import { sheets } from '@googleapis/sheets';
import { emulatorAuthClient } from '../../../../functions/shared/clients/localAuth';
import { nextRun, parseCron } from '../../../../local/scheduler/cron';
import { SheetsServer } from '../../../../local/sheets/server';
import { FaultPlan, parseFault } from '../../../../local/faults/faultPlan';
import { applyFault } from '../../../../local/faults/faultProxy';

/** The local Sheets and Drive API through the real `@googleapis` clients, with `rootUrl` pointing at it. */
describe('local Sheets and Drive API', () => {
  let server: SheetsServer;
  const faults = new FaultPlan();
  let client: ReturnType<typeof sheets>;
  let driveClient: ReturnType<typeof drive>;

  before(async () => {
    server = await SheetsServer.start(0, { writesPerMinute: 5, intercept: (req, res) => applyFault(faults, 'sheets', req, res) });
    const options = { rootUrl: server.url + '/', auth: emulatorAuthClient(), retry: false } as never;
    client = sheets({ version: 'v4', ...(options as object) });
    driveClient = drive({ version: 'v3', ...(options as object) });
  });
  after(() => server.stop());
  beforeEach(() => server.reset());

  it('creates a spreadsheet, appends after the last row, reads ranges by rows and columns', async () => {
    const created = await client.spreadsheets.create({
      requestBody: { properties: { title: 'T' }, sheets: [{ properties: { title: 'Responses' } }] },
    });
    const id = created.data.spreadsheetId!;
    assert.equal(created.data.sheets?.[0].properties?.title, 'Responses');
    await client.spreadsheets.values.update({
      spreadsheetId: id,
      range: "'Responses'!A1",
      valueInputOption: 'RAW',
      requestBody: { values: [['id', 'A']] },
    });
    const appended = await client.spreadsheets.values.append({
      spreadsheetId: id,
      range: "'Responses'!A1",
      valueInputOption: 'RAW',
      insertDataOption: 'INSERT_ROWS',
      requestBody: {
        values: [
          ['r1', 5],
          ['r2', '=1+1'],
        ],
      },
    });
    assert.equal(appended.data.updates?.updatedRange, 'Responses!A2:B3');
    assert.equal(appended.data.updates?.updatedRows, 2);
    const rows = await client.spreadsheets.values.get({ spreadsheetId: id, range: 'Responses!A:Z' });
    assert.deepEqual(rows.data.values, [
      ['id', 'A'],
      ['r1', 5],
      ['r2', '=1+1'],
    ]);
    const columnA = await client.spreadsheets.values.get({ spreadsheetId: id, range: "'Responses'!A:A", majorDimension: 'COLUMNS' });
    assert.deepEqual(columnA.data.values, [['id', 'r1', 'r2']]);
    const header = await client.spreadsheets.values.get({ spreadsheetId: id, range: "'Responses'!1:1" });
    assert.deepEqual(header.data.values, [['id', 'A']]);
  });

  it('shares through Drive permissions', async () => {
    const id = (await client.spreadsheets.create({ requestBody: {} })).data.spreadsheetId!;
    await driveClient.permissions.create({ fileId: id, requestBody: { type: 'user', role: 'writer', emailAddress: 'o@example.com' } });
    const list = await driveClient.permissions.list({ fileId: id });
    assert.deepEqual(
      list.data.permissions?.map((p) => [p.emailAddress, p.role]),
      [['o@example.com', 'writer']],
    );
  });

  it('answers 429 RESOURCE_EXHAUSTED past the per-user write quota, counts it, and forgets it on reset', async () => {
    const id = (await client.spreadsheets.create({ requestBody: {} })).data.spreadsheetId!;
    const append = () =>
      client.spreadsheets.values.append({ spreadsheetId: id, range: 'A1', valueInputOption: 'RAW', requestBody: { values: [['x']] } });
    for (let i = 0; i < 4; i++) await append();
    await assert.rejects(
      append(),
      (err: { status?: number; message: string }) => err.status === 429 && /Write requests per minute per user/.test(err.message),
    );
    assert.equal(server.stats.throttled, 1);
    assert.equal(server.stats.appends, 5);
    const res = await fetch(server.url + '/reset', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.equal(server.spreadsheets.size, 0);
    await client.spreadsheets.create({ requestBody: {} });
  });

  it('answers 404 for an unknown spreadsheet, and applies faults armed for it by name', async () => {
    await assert.rejects(
      client.spreadsheets.values.get({ spreadsheetId: 'nope', range: 'A1' }),
      (err: { status?: number }) => err.status === 404,
    );
    const fault = parseFault({ service: 'sheets', status: 503, times: 1 }, ['responses'], ['sheets']);
    assert.equal(typeof fault, 'object');
    faults.add(fault as never);
    await assert.rejects(client.spreadsheets.create({ requestBody: {} }), (err: { status?: number }) => err.status === 503);
    await client.spreadsheets.create({ requestBody: {} });
    assert.match(String(parseFault({ service: 'nope', status: 429 }, [], ['sheets'])), /"service" must be one of sheets/);
  });
});

describe('local scheduler: unix-cron', () => {
  const at = new Date('2026-01-01T10:15:30Z');
  const table: [string, string][] = [
    ['* * * * *', '2026-01-01T10:16:00.000Z'],
    ['*/5 * * * *', '2026-01-01T10:20:00.000Z'],
    ['0 * * * *', '2026-01-01T11:00:00.000Z'],
    ['30 9 * * 1-5', '2026-01-02T09:30:00.000Z'],
    ['0 0 1 * *', '2026-02-01T00:00:00.000Z'],
  ];
  for (const [schedule, next] of table)
    it(`${schedule} → ${next}`, () => assert.equal(nextRun(parseCron(schedule), at).toISOString(), next));
  it('refuses what it cannot read', () => {
    assert.throws(() => parseCron('* * *'), /five fields/);
    assert.throws(() => parseCron('61 * * * *'), /out of range/);
  });
});
