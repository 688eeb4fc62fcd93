/**
 * Query jobs: `jobs.query`, `jobs.insert` (query configuration only), `jobs.get`, `jobs.list`,
 * `jobs.cancel` and `jobs.getQueryResults`. A query runs to completion when it is submitted
 * (queries here take milliseconds), its rows are kept with the job, and result pages are cut
 * from that snapshot, so paging is stable even if the table changes in between.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_LOCATION, type Catalog } from './catalog';
import { BigQueryError, invalidQuery, toBigQueryError } from './errors';
import { encodeRows, pageSize, pageStart, pageToken, type WireRow } from './rows';
import { position } from './sql/lexer';
import { readParameters } from './sql/params';
import { translateQuery } from './sql/translate';
import type { ResultField } from './sql/types';
import type { StoredValue, TimestampFormat } from './values';

/** One job and, when it succeeded, its result rows. */
interface JobRecord {
  projectId: string;
  jobId: string;
  location: string;
  configuration: Record<string, unknown>;
  creationTime: number;
  endTime: number;
  error?: BigQueryError;
  fields?: ResultField[];
  rows?: StoredValue[][];
}

/** A query's result, before paging. */
interface QueryResult {
  fields: ResultField[];
  rows: StoredValue[][];
}

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The `formatOptions` of a request body (jobs.query) as a TimestampFormat. */
function bodyFormat(body: Record<string, unknown>): TimestampFormat {
  const f = (body.formatOptions ?? {}) as Record<string, unknown>;
  return {
    useInt64Timestamp: f.useInt64Timestamp === true || f.useInt64Timestamp === 'true',
    timestampOutputFormat: str(f.timestampOutputFormat),
  };
}

/** The `formatOptions.*` of a query string (jobs.getQueryResults, tabledata.list) as a TimestampFormat. */
export function queryFormat(qs: Record<string, string | undefined>): TimestampFormat {
  return {
    useInt64Timestamp: qs['formatOptions.useInt64Timestamp'] === 'true',
    timestampOutputFormat: qs['formatOptions.timestampOutputFormat'],
  };
}

/** Query jobs of every project, kept until reset. */
export class Jobs {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(private readonly catalog: Catalog) {}

  private static key(projectId: string, jobId: string): string {
    return `${projectId}:${jobId}`;
  }

  /** Forgets every job (part of the local cloud's reset). */
  clear(): void {
    this.jobs.clear();
  }

  /**
   * Runs a query configuration (`jobs.query` body or `configuration.query`) to completion.
   * @throws 400 invalidQuery / 404 notFound.
   */
  private run(projectId: string, config: Record<string, unknown>, dryRun = false): QueryResult {
    const query = config.query;
    if (typeof query !== 'string' || query.trim() === '') throw new BigQueryError('required', 'Required parameter is missing: query');
    // The REST API defaults to legacy SQL; only GoogleSQL is emulated, and code that forgets
    // `useLegacySql: false` would fail on real BigQuery's backtick names, so refuse it here too.
    const legacy = /^\s*#legacySQL/i.test(query) || (config.useLegacySql !== false && !/^\s*#standardSQL/i.test(query));
    if (legacy) {
      throw invalidQuery(
        'Legacy SQL is not supported by the local BigQuery: set "useLegacySql": false (the REST API defaults to legacy SQL).',
      );
    }
    const parameters = readParameters(config.parameterMode, config.queryParameters);
    const defaultDataset = (config.defaultDataset ?? {}) as { projectId?: unknown; datasetId?: unknown };
    const translated = translateQuery(query, {
      parameters,
      nowMicros: BigInt(Date.now()) * 1000n,
      resolveTable: (path, offset) => {
        if (path.length > 3 || path.some((p) => p.toUpperCase() === 'INFORMATION_SCHEMA')) {
          throw invalidQuery(
            `Table name "${path.join('.')}" is not supported by the local BigQuery (no INFORMATION_SCHEMA or wildcard tables) at ${position(query, offset)}`,
          );
        }
        let [p, d, t] = path.length === 3 ? path : path.length === 2 ? [projectId, ...path] : [undefined, undefined, path[0]];
        if (d === undefined) {
          d = str(defaultDataset.datasetId);
          p = str(defaultDataset.projectId) ?? projectId;
          if (d === undefined) {
            throw invalidQuery(`Table "${t}" must be qualified with a dataset (e.g. dataset.table). at ${position(query, offset)}`);
          }
        }
        try {
          return this.catalog.getTable(p!, d, t!);
        } catch (err) {
          const e = toBigQueryError(err);
          if (e.reason !== 'notFound') throw e;
          throw new BigQueryError('notFound', `${e.message} was not found in location ${DEFAULT_LOCATION}`);
        }
      },
    });
    if (dryRun) return { fields: translated.fields, rows: [] };
    let rows: StoredValue[][];
    try {
      rows = this.catalog.db.all(translated.sql, translated.bindings);
    } catch (err) {
      // The translator only emits SQL it has type-checked, so this is a run-time failure such
      // as an integer overflow in SUM; BigQuery reports those as invalidQuery too.
      throw invalidQuery(`Query failed: ${(err as Error).message}`);
    }
    return { fields: translated.fields, rows };
  }

  private newJobId(requested: unknown): string {
    if (requested === undefined || requested === null || requested === '') return `job_${randomUUID().replace(/-/g, '_')}`;
    if (typeof requested !== 'string' || !JOB_ID.test(requested)) {
      throw new BigQueryError(
        'invalid',
        `Invalid job ID "${String(requested)}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`,
      );
    }
    return requested;
  }

  private store(record: JobRecord): void {
    const key = Jobs.key(record.projectId, record.jobId);
    if (this.jobs.has(key)) {
      throw new BigQueryError('duplicate', `Already Exists: Job ${record.projectId}:${record.location}.${record.jobId}`);
    }
    this.jobs.set(key, record);
  }

  private find(projectId: string, jobId: string): JobRecord {
    const job = this.jobs.get(Jobs.key(projectId, jobId));
    if (!job) throw new BigQueryError('notFound', `Not found: Job ${projectId}:${jobId}`);
    return job;
  }

  /** `jobs.query` (`POST /projects/{p}/queries`): runs the query and returns the first page. */
  query(projectId: string, body: Record<string, unknown>): Record<string, unknown> {
    const location = str(body.location) ?? DEFAULT_LOCATION;
    if (body.dryRun === true) {
      const result = this.run(projectId, body, true);
      return {
        kind: 'bigquery#queryResponse',
        schema: { fields: result.fields },
        jobReference: { projectId, location },
        totalBytesProcessed: '0',
        jobComplete: true,
        cacheHit: false,
      };
    }
    const result = this.run(projectId, body);
    const now = Date.now();
    const record: JobRecord = {
      projectId,
      jobId: this.newJobId(undefined),
      location,
      configuration: { query: { ...body, useLegacySql: false }, jobType: 'QUERY' },
      creationTime: now,
      endTime: now,
      fields: result.fields,
      rows: result.rows,
    };
    this.store(record);
    return {
      kind: 'bigquery#queryResponse',
      ...this.page(record, { maxResults: body.maxResults }, bodyFormat(body)),
    };
  }

  /**
   * `jobs.insert` (`POST /projects/{p}/jobs`) for query jobs. A query that fails still creates
   * a job, DONE with `status.errorResult`, as BigQuery does.
   */
  insert(projectId: string, body: Record<string, unknown>): Record<string, unknown> {
    const configuration = (body.configuration ?? {}) as Record<string, unknown>;
    const query = configuration.query as Record<string, unknown> | undefined;
    if (!query || typeof query !== 'object') {
      const kinds = ['load', 'extract', 'copy'].filter((k) => configuration[k] !== undefined);
      throw new BigQueryError(
        'notImplemented',
        `The local BigQuery runs only query jobs${kinds.length ? `, not ${kinds.join('/')} jobs` : ''}.`,
      );
    }
    for (const key of ['destinationTable', 'createDisposition', 'writeDisposition', 'tableDefinitions']) {
      if (query[key] !== undefined)
        throw new BigQueryError('notImplemented', `The local BigQuery does not support configuration.query.${key}.`);
    }
    const ref = (body.jobReference ?? {}) as Record<string, unknown>;
    if (ref.projectId !== undefined && ref.projectId !== projectId) {
      throw new BigQueryError(
        'invalid',
        `jobReference.projectId ${String(ref.projectId)} does not match the project in the URL (${projectId}).`,
      );
    }
    const location = str(ref.location) ?? DEFAULT_LOCATION;
    const dryRun = configuration.dryRun === true;
    const now = Date.now();
    const record: JobRecord = {
      projectId,
      jobId: dryRun ? '' : this.newJobId(ref.jobId),
      location,
      configuration: { ...configuration, jobType: 'QUERY' },
      creationTime: now,
      endTime: now,
    };
    try {
      const result = this.run(projectId, query, dryRun);
      record.fields = result.fields;
      record.rows = result.rows;
    } catch (err) {
      record.error = toBigQueryError(err);
      if (record.error.reason === 'internalError') throw record.error;
    }
    if (dryRun) return this.resource(record);
    this.store(record);
    return this.resource(record);
  }

  /** `jobs.get`. */
  get(projectId: string, jobId: string): Record<string, unknown> {
    return this.resource(this.find(projectId, jobId));
  }

  /** `jobs.list`, newest first as in BigQuery. */
  list(projectId: string): Record<string, unknown> {
    const jobs = [...this.jobs.values()].filter((j) => j.projectId === projectId).reverse();
    return {
      kind: 'bigquery#jobList',
      etag: `"${jobs.length}"`,
      jobs: jobs.map((j) => {
        const { etag: _etag, selfLink: _selfLink, ...rest } = this.resource(j);
        return { ...rest, state: 'DONE' };
      }),
    };
  }

  /** `jobs.cancel`: every job here is already DONE, so this just returns it. */
  cancel(projectId: string, jobId: string): Record<string, unknown> {
    return { kind: 'bigquery#jobCancelResponse', job: this.resource(this.find(projectId, jobId)) };
  }

  /** `jobs.delete` (metadata only). */
  delete(projectId: string, jobId: string): void {
    this.find(projectId, jobId);
    this.jobs.delete(Jobs.key(projectId, jobId));
  }

  /**
   * `jobs.getQueryResults` (`GET /projects/{p}/queries/{jobId}`).
   * @throws the job's own error when the query failed.
   */
  getQueryResults(projectId: string, jobId: string, qs: Record<string, string | undefined>): Record<string, unknown> {
    const job = this.find(projectId, jobId);
    if (job.error) throw job.error;
    return {
      kind: 'bigquery#getQueryResultsResponse',
      etag: `"${job.creationTime.toString(36)}"`,
      ...this.page(job, qs, queryFormat(qs)),
    };
  }

  private page(
    job: JobRecord,
    options: { maxResults?: unknown; pageToken?: string; startIndex?: string },
    format: TimestampFormat,
  ): Record<string, unknown> {
    const all = job.rows ?? [];
    const start = pageStart(options.pageToken, options.startIndex);
    const size = pageSize(options.maxResults);
    const slice = all.slice(start, size === undefined ? undefined : start + size);
    const out: Record<string, unknown> = {
      schema: { fields: job.fields ?? [] },
      jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
      totalRows: String(all.length),
    };
    const end = start + slice.length;
    if (end < all.length && slice.length > 0) out.pageToken = pageToken(end);
    const rows: WireRow[] = encodeRows(job.fields ?? [], slice, format);
    if (rows.length) out.rows = rows;
    return { ...out, totalBytesProcessed: '0', jobComplete: true, cacheHit: false };
  }

  /** The REST `Job` resource. */
  private resource(job: JobRecord): Record<string, unknown> {
    const status: Record<string, unknown> = { state: 'DONE' };
    if (job.error) {
      status.errorResult = job.error.toErrorProto();
      status.errors = [job.error.toErrorProto()];
    }
    const query: Record<string, unknown> = { totalBytesProcessed: '0', totalBytesBilled: '0', cacheHit: false, statementType: 'SELECT' };
    if (job.fields) query.schema = { fields: job.fields };
    return {
      kind: 'bigquery#job',
      etag: `"${job.creationTime.toString(36)}"`,
      id: `${job.projectId}:${job.location}.${job.jobId}`,
      selfLink: `/bigquery/v2/projects/${job.projectId}/jobs/${job.jobId}?location=${job.location}`,
      user_email: 'local@localhost',
      configuration: job.configuration,
      jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
      statistics: {
        creationTime: String(job.creationTime),
        startTime: String(job.creationTime),
        endTime: String(job.endTime),
        totalBytesProcessed: '0',
        query,
      },
      status,
    };
  }
}
