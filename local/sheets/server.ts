import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { closeServer, createLocalServer, listenLocal, readJsonObject, sendJson } from '../httpServer';
import {
  columnLetters,
  formatRange,
  nextFreeRow,
  parseRange,
  RangeError400,
  readRange,
  writeRange,
  type Cell,
  type Spreadsheet,
} from './workbook';

/**
 * A local Google Sheets (v4) and Drive (v3, permissions only) API, in memory: the calls the kit
 * makes, answered in Google's shapes, so `@googleapis/sheets` and `@googleapis/drive` work
 * against it with `rootUrl` set to this server.
 *
 *   POST /v4/spreadsheets                                      spreadsheets.create
 *   GET  /v4/spreadsheets/{id}                                 spreadsheets.get (metadata)
 *   GET  /v4/spreadsheets/{id}/values/{range}                  values.get (majorDimension ROWS or COLUMNS)
 *   PUT  /v4/spreadsheets/{id}/values/{range}                  values.update
 *   POST /v4/spreadsheets/{id}/values/{range}:append           values.append (after the last row with data)
 *   POST /drive/v3/files/{id}/permissions                      permissions.create
 *   GET  /drive/v3/files/{id}/permissions                      permissions.list
 *   GET  /local/stats                                          calls counted by kind (a throttled one too), and the 429s
 *   POST /reset                                                forgets every spreadsheet, counter and quota window
 *
 * Sheets' per-user write quota is enforced (`writesPerMinute`, 60 by default as in Google's): a
 * write request beyond it in a sliding minute is answered 429 RESOURCE_EXHAUSTED. The user is
 * the caller's bearer token (locally every function sends the same one: one service account).
 */
export interface SheetsServerOptions {
  writesPerMinute: number;
  /** Called first for every request; true when it answered (an injected fault). */
  intercept?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
}

export interface SheetsStats {
  creates: number;
  appends: number;
  updates: number;
  reads: number;
  permissions: number;
  throttled: number;
  appendedRows: number;
}

const MAX_BODY = 10 * 1024 * 1024;
const WINDOW_MS = 60_000;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

const bodyErrors = {
  tooLarge: () => new ApiError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.'),
  notJson: () => new ApiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'),
  notObject: () => new ApiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received: not an object.'),
};

export class SheetsServer {
  readonly spreadsheets = new Map<string, Spreadsheet>();
  stats: SheetsStats = emptyStats();
  private writes = new Map<string, number[]>();
  private server?: http.Server;
  url = '';

  constructor(private readonly options: SheetsServerOptions) {}

  static async start(port: number, options: SheetsServerOptions): Promise<SheetsServer> {
    const server = new SheetsServer(options);
    server.server = createLocalServer((req, res) => void server.handle(req, res));
    server.url = await listenLocal(server.server, port);
    return server;
  }

  reset(): void {
    this.spreadsheets.clear();
    this.writes.clear();
    this.stats = emptyStats();
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sheets.local');
      const path = decodeURIComponent(url.pathname);
      if (req.method === 'POST' && path === '/reset') {
        this.reset();
        return sendJson(res, 200, { reset: ['sheets'] });
      }
      if (req.method === 'GET' && path === '/local/stats') return sendJson(res, 200, this.stats);
      if (this.options.intercept && (await this.options.intercept(req, res))) return;
      sendJson(res, 200, await this.route(req, path, url.searchParams));
    } catch (err) {
      const e =
        err instanceof ApiError ? err : err instanceof RangeError400 ? new ApiError(400, 'INVALID_ARGUMENT', err.message) : undefined;
      if (!e) return sendJson(res, 500, { error: { code: 500, message: (err as Error).message, status: 'INTERNAL' } });
      sendJson(res, e.code, { error: { code: e.code, message: e.message, status: e.status } });
    }
  }

  private async route(req: http.IncomingMessage, path: string, query: URLSearchParams): Promise<unknown> {
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v4/spreadsheets') {
      this.stats.creates++;
      this.countWrite(req);
      return this.create(await readJsonObject(req, MAX_BODY, bodyErrors));
    }
    if ((m = /^\/v4\/spreadsheets\/([^/]+)\/values\/(.+):append$/.exec(path)) && method === 'POST') {
      const sheet = this.get(m[1]);
      this.stats.appends++;
      this.countWrite(req);
      return this.append(sheet, m[2], await readJsonObject(req, MAX_BODY, bodyErrors), query);
    }
    if ((m = /^\/v4\/spreadsheets\/([^/]+)\/values\/(.+)$/.exec(path))) {
      const sheet = this.get(m[1]);
      if (method === 'GET') {
        this.stats.reads++;
        return this.read(sheet, m[2], query);
      }
      if (method === 'PUT') {
        this.stats.updates++;
        this.countWrite(req);
        return this.update(sheet, m[2], await readJsonObject(req, MAX_BODY, bodyErrors));
      }
    }
    if ((m = /^\/v4\/spreadsheets\/([^/]+)$/.exec(path)) && method === 'GET') return this.metadata(this.get(m[1]));
    if ((m = /^\/drive\/v3\/files\/([^/]+)\/permissions$/.exec(path))) {
      const file = this.spreadsheets.get(m[1]);
      if (!file) throw new ApiError(404, 'NOT_FOUND', `File not found: ${m[1]}.`);
      if (method === 'GET') return { kind: 'drive#permissionList', permissions: file.permissions };
      if (method === 'POST') {
        this.stats.permissions++;
        const body = await readJsonObject(req, MAX_BODY, bodyErrors);
        if (
          body.type !== 'user' ||
          typeof body.emailAddress !== 'string' ||
          !['reader', 'writer', 'commenter', 'owner'].includes(String(body.role))
        ) {
          throw new ApiError(400, 'INVALID_ARGUMENT', 'A user permission needs type "user", a role and an emailAddress.');
        }
        const permission = { id: randomBytes(8).toString('hex'), type: 'user', role: String(body.role), emailAddress: body.emailAddress };
        file.permissions.push(permission);
        return { kind: 'drive#permission', ...permission };
      }
    }
    throw new ApiError(404, 'NOT_FOUND', `${method} ${path} is not part of the local Sheets API.`);
  }

  /** Counts a write against the caller's quota window; beyond the limit, 429 as Google answers it. */
  private countWrite(req: http.IncomingMessage): void {
    const user = req.headers.authorization ?? 'anonymous';
    const now = Date.now();
    const recent = (this.writes.get(user) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= this.options.writesPerMinute) {
      this.writes.set(user, recent);
      this.stats.throttled++;
      throw new ApiError(
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' (${this.options.writesPerMinute} a minute).`,
      );
    }
    recent.push(now);
    this.writes.set(user, recent);
  }

  private get(id: string): Spreadsheet {
    const sheet = this.spreadsheets.get(id);
    if (!sheet) throw new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');
    return sheet;
  }

  private create(body: Record<string, unknown>): unknown {
    const id = randomBytes(22).toString('base64url');
    const properties = (body.properties ?? {}) as { title?: string };
    const requested = Array.isArray(body.sheets) ? (body.sheets as { properties?: { title?: string } }[]) : [];
    const titles = requested.map((s, i) => s.properties?.title ?? `Sheet${i + 1}`);
    const spreadsheet: Spreadsheet = {
      id,
      title: properties.title ?? 'Untitled spreadsheet',
      sheets: new Map((titles.length ? titles : ['Sheet1']).map((t) => [t, []])),
      permissions: [],
    };
    this.spreadsheets.set(id, spreadsheet);
    return this.metadata(spreadsheet);
  }

  private metadata(s: Spreadsheet): unknown {
    return {
      spreadsheetId: s.id,
      properties: { title: s.title },
      sheets: [...s.sheets.keys()].map((title, index) => ({ properties: { sheetId: index, title, index } })),
      spreadsheetUrl: `${this.url}/spreadsheets/d/${s.id}/edit`,
    };
  }

  private sheetRows(s: Spreadsheet, rangeText: string) {
    const range = parseRange(rangeText, [...s.sheets.keys()][0]);
    const rows = s.sheets.get(range.sheet);
    if (!rows) throw new ApiError(400, 'INVALID_ARGUMENT', `Unable to parse range: ${rangeText}`);
    return { range, rows };
  }

  private read(s: Spreadsheet, rangeText: string, query: URLSearchParams): unknown {
    const { range, rows } = this.sheetRows(s, rangeText);
    let values = readRange(rows, range);
    const major = query.get('majorDimension') ?? 'ROWS';
    if (major === 'COLUMNS') {
      const width = Math.max(0, ...values.map((r) => r.length));
      values = Array.from({ length: width }, (_, c) => values.map((r) => r[c] ?? ''));
    }
    return { range: rangeText, majorDimension: major, ...(values.length ? { values } : {}) };
  }

  private update(s: Spreadsheet, rangeText: string, body: Record<string, unknown>): unknown {
    const { range, rows } = this.sheetRows(s, rangeText);
    const values = cellsOf(body.values);
    writeRange(rows, range, values);
    const cols = Math.max(0, ...values.map((r) => r.length));
    return {
      spreadsheetId: s.id,
      updatedRange: formatRange(range.sheet, range.startRow ?? 0, range.startCol ?? 0, values.length, cols),
      updatedRows: values.length,
      updatedColumns: cols,
      updatedCells: values.reduce((n, r) => n + r.length, 0),
    };
  }

  private append(s: Spreadsheet, rangeText: string, body: Record<string, unknown>, query: URLSearchParams): unknown {
    if (!query.get('valueInputOption')) throw new ApiError(400, 'INVALID_ARGUMENT', "'valueInputOption' is required but not specified");
    const { range, rows } = this.sheetRows(s, rangeText);
    const values = cellsOf(body.values);
    const start = nextFreeRow(rows);
    const startCol = range.startCol ?? 0;
    writeRange(rows, { sheet: range.sheet, startRow: start, startCol }, values);
    this.stats.appendedRows += values.length;
    const cols = Math.max(0, ...values.map((r) => r.length));
    return {
      spreadsheetId: s.id,
      tableRange: start > 0 ? `${range.sheet}!A1:${columnLetters(Math.max(cols, 1) - 1)}${start}` : undefined,
      updates: {
        spreadsheetId: s.id,
        updatedRange: formatRange(range.sheet, start, startCol, values.length, cols),
        updatedRows: values.length,
        updatedColumns: cols,
        updatedCells: values.reduce((n, r) => n + r.length, 0),
      },
    };
  }
}

function cellsOf(values: unknown): Cell[][] {
  if (!Array.isArray(values) || values.some((r) => !Array.isArray(r))) {
    throw new ApiError(400, 'INVALID_ARGUMENT', 'Invalid values: an array of rows (arrays of cells) is required.');
  }
  return (values as unknown[][]).map((row) =>
    row.map((v) => {
      if (v === null || v === undefined) return '';
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid value at a cell: ${JSON.stringify(v)}`);
    }),
  );
}

function emptyStats(): SheetsStats {
  return { creates: 0, appends: 0, updates: 0, reads: 0, permissions: 0, throttled: 0, appendedRows: 0 };
}
