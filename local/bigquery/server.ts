/**
 * The HTTP front of the local BigQuery: routes the BigQuery v2 REST paths to the catalog,
 * `insertAll`, `tabledata.list` and the jobs, and writes every failure in Google's JSON error
 * shape. Paths are accepted both as `/bigquery/v2/projects/...` (the real API, used by the
 * Workflows connectors) and as `/projects/...`, which is what `@google-cloud/bigquery` calls
 * when `BIGQUERY_EMULATOR_HOST` is set: it uses that variable verbatim as the base URL.
 */
import { closeServer, createLocalServer, listenLocal, readJsonObject, sendJson } from '../httpServer';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Catalog, datasetResource, tableResource, type CatalogSnapshot } from './catalog';
import { SqlDatabase } from './database';
import { BigQueryError, toBigQueryError } from './errors';
import { insertAll } from './insertAll';
import { Jobs, queryFormat } from './jobs';
import { listRows } from './tabledata';

/** A request after routing: path parameters, query string and parsed JSON body. */
interface Call {
  params: string[];
  query: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

/** What a handler answers: a JSON body (200) or nothing (204). */
type Handler = (call: Call) => Record<string, unknown> | undefined;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEGMENT = '([^/]+)';
const MAX_BODY_BYTES = 32 * 1024 * 1024;

function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: new RegExp(`^${path.replace(/\{\w+\}/g, SEGMENT)}$`), handler };
}

/** What a local BigQuery keeps between runs: the catalog's metadata and the rows' database. */
export interface SavedBigQuery {
  catalog: CatalogSnapshot;
  database: Uint8Array;
}

/** A running local BigQuery: the HTTP server plus the in-memory state behind it. */
export class BigQueryServer {
  /** The datasets and tables. */
  readonly catalog: Catalog;
  /** The query jobs. */
  readonly jobs: Jobs;
  private readonly server: http.Server;
  private readonly routes: Route[];

  private constructor(private readonly db: SqlDatabase) {
    this.catalog = new Catalog(db);
    this.jobs = new Jobs(this.catalog);
    this.routes = this.buildRoutes();
    this.server = createLocalServer((req, res) => void this.handle(req, res));
  }

  /**
   * Starts a server on 127.0.0.1 with a fresh in-memory database, or with what `save()` returned.
   * @param port a port, or 0 for any free one (read it back from `port`).
   */
  static async start(port = 0, saved?: SavedBigQuery): Promise<BigQueryServer> {
    const server = new BigQueryServer(await SqlDatabase.open(saved?.database));
    if (saved) server.catalog.restore(saved.catalog);
    await listenLocal(server.server, port);
    return server;
  }

  /** Every dataset, table and row (jobs are not kept: their results are only read right after them). */
  save(): SavedBigQuery {
    return { catalog: this.catalog.snapshot(), database: this.db.export() };
  }

  /** The port the server listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs after every reset; BigQueryService uses it to re-create provisioned tables. */
  afterReset?: () => void;

  /** Empties every table and forgets every job; datasets and tables stay. */
  reset(): void {
    this.catalog.truncateAll();
    this.jobs.clear();
    this.afterReset?.();
  }

  /** Stops listening, drops open connections and frees the database. Safe to call twice. */
  async stop(): Promise<void> {
    await closeServer(this.server);
    this.db.close();
  }

  private buildRoutes(): Route[] {
    const { catalog, jobs } = this;
    const p = '/projects/{p}';
    const ds = `${p}/datasets/{d}`;
    const tb = `${ds}/tables/{t}`;
    return [
      route('GET', `${p}/datasets`, ({ params: [project] }) => {
        const list = catalog.listDatasets(project!);
        return {
          kind: 'bigquery#datasetList',
          etag: `"${list.length}"`,
          ...(list.length
            ? {
                datasets: list.map((d) => ({
                  kind: 'bigquery#dataset',
                  id: `${d.projectId}:${d.datasetId}`,
                  datasetReference: { datasetId: d.datasetId, projectId: d.projectId },
                  location: d.location,
                  ...(d.labels ? { labels: d.labels } : {}),
                })),
              }
            : {}),
        };
      }),
      route('POST', `${p}/datasets`, ({ params: [project], body }) => datasetResource(catalog.createDataset(project!, body))),
      route('GET', ds, ({ params: [project, dataset] }) => datasetResource(catalog.getDataset(project!, dataset!))),
      ...['PATCH', 'PUT'].map((method) =>
        route(method, ds, ({ params: [project, dataset], body }) => datasetResource(catalog.patchDataset(project!, dataset!, body))),
      ),
      ...['PATCH', 'PUT'].map((method) =>
        route(method, tb, ({ params: [project, dataset, table], body }) => {
          const entry = catalog.patchTable(project!, dataset!, table!, body);
          return tableResource(entry, catalog.rowCount(entry));
        }),
      ),
      route('DELETE', ds, ({ params: [project, dataset], query }) => {
        catalog.deleteDataset(project!, dataset!, query.deleteContents === 'true');
        return undefined;
      }),
      route('GET', `${ds}/tables`, ({ params: [project, dataset] }) => {
        const tables = catalog.listTables(project!, dataset!);
        return {
          kind: 'bigquery#tableList',
          etag: `"${tables.length}"`,
          ...(tables.length
            ? {
                tables: tables.map((t) => ({
                  kind: 'bigquery#table',
                  id: `${t.projectId}:${t.datasetId}.${t.tableId}`,
                  tableReference: { projectId: t.projectId, datasetId: t.datasetId, tableId: t.tableId },
                  type: 'TABLE',
                  creationTime: String(t.creationTime),
                })),
              }
            : {}),
          totalItems: tables.length,
        };
      }),
      route('POST', `${ds}/tables`, ({ params: [project, dataset], body }) => {
        const table = catalog.createTable(project!, dataset!, body);
        return tableResource(table, 0);
      }),
      route('GET', tb, ({ params: [project, dataset, table] }) => {
        const entry = catalog.getTable(project!, dataset!, table!);
        return tableResource(entry, catalog.rowCount(entry));
      }),
      route('DELETE', tb, ({ params: [project, dataset, table] }) => {
        catalog.deleteTable(project!, dataset!, table!);
        return undefined;
      }),
      route('POST', `${tb}/insertAll`, ({ params: [project, dataset, table], body }) => ({
        ...insertAll(catalog, catalog.getTable(project!, dataset!, table!), body),
      })),
      route('GET', `${tb}/data`, ({ params: [project, dataset, table], query }) => ({
        ...listRows(catalog, catalog.getTable(project!, dataset!, table!), {
          maxResults: query.maxResults,
          pageToken: query.pageToken,
          startIndex: query.startIndex,
          selectedFields: query.selectedFields,
          ...queryFormat(query),
        }),
      })),
      route('POST', `${p}/queries`, ({ params: [project], body }) => jobs.query(project!, body)),
      route('GET', `${p}/queries/{j}`, ({ params: [project, job], query }) => jobs.getQueryResults(project!, job!, query)),
      route('POST', `${p}/jobs`, ({ params: [project], body }) => jobs.insert(project!, body)),
      route('GET', `${p}/jobs`, ({ params: [project] }) => jobs.list(project!)),
      route('GET', `${p}/jobs/{j}`, ({ params: [project, job] }) => jobs.get(project!, job!)),
      route('POST', `${p}/jobs/{j}/cancel`, ({ params: [project, job] }) => jobs.cancel(project!, job!)),
      route('DELETE', `${p}/jobs/{j}/delete`, ({ params: [project, job] }) => {
        jobs.delete(project!, job!);
        return undefined;
      }),
    ];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/^\/bigquery\/v2(?=\/)/, '').replace(/\/+$/, '') || '/';
      const method = (req.method ?? 'GET').toUpperCase();
      if (path === '/' && method === 'GET') {
        sendJson(res, 200, { kind: 'local#bigquery', status: 'ok' });
        return;
      }
      // A handy hook for tests that run the server in another process (`main.ts`).
      if (path === '/_local/reset' && method === 'POST') {
        this.reset();
        sendJson(res, 200, { status: 'reset' });
        return;
      }
      const query: Record<string, string | undefined> = {};
      url.searchParams.forEach((value, key) => {
        query[key] = value;
      });
      const body = await readJsonObject(req, MAX_BODY_BYTES, BODY_ERRORS);
      for (const r of this.routes) {
        if (r.method !== method) continue;
        const m = r.pattern.exec(path);
        if (!m) continue;
        const params = m.slice(1).map((s) => decodeURIComponent(s));
        const out = r.handler({ params, query, body });
        if (out === undefined) {
          res.writeHead(204).end();
        } else {
          sendJson(res, 200, out);
        }
        return;
      }
      throw new BigQueryError('notImplemented', `The local BigQuery does not implement ${method} ${url.pathname}.`);
    } catch (err) {
      const e = toBigQueryError(err);
      if (e.reason === 'internalError') console.error(err);
      sendJson(res, e.code, e.toBody());
    }
  }
}

const parseError = (): BigQueryError => new BigQueryError('parseError', 'Parse Error: the request body is not a JSON object.');

/** How a bad request body is answered: 400 parseError, or `invalid` past the size limit. */
const BODY_ERRORS = {
  tooLarge: () => new BigQueryError('invalid', 'Request payload size exceeds the limit of the local BigQuery.'),
  notJson: parseError,
  notObject: parseError,
};
