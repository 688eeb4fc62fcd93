import { wfError } from '../errors';
import { CallContext } from '../stdlib/registry';
import { isMap, Value, ValueMap } from '../values';
import { ConnectorMethod, LongRunning, restMethods } from './rest';

function base(ctx: CallContext): string {
  const url = ctx.endpoints.bigquery;
  if (!url) throw wfError('ConnectionFailedError', 'the local BigQuery is not configured for the local Workflows engine');
  return url.replace(/\/$/, '');
}

const V2 = 'googleapis.bigquery.v2';
const PROJECT = '/bigquery/v2/projects/{projectId}';
const DATASET = `${PROJECT}/datasets/{datasetId}`;
const TABLE = `${DATASET}/tables/{tableId}`;

/**
 * A BigQuery job is its own long-running operation (https://cloud.google.com/workflows/docs/poll-bigquery-job,
 * "Automatic polling"): done when `status.state` is DONE, read again with jobs.get, failed when
 * DONE with `status.errorResult`.
 */
const job: LongRunning = {
  done: (j) => isMap(j) && isMap(j.status) && j.status.state === 'DONE',
  async poll(j, call) {
    const ref = isMap(j) && isMap(j.jobReference) ? j.jobReference : {};
    if (typeof ref.jobId !== 'string') throw wfError('ResponseTypeError', `${call.method.name}: the job has no jobReference.jobId`);
    const query: ValueMap = typeof ref.location === 'string' ? { location: ref.location } : {};
    return call.send({ method: 'GET', path: `/bigquery/v2/projects/${String(call.args.projectId)}/jobs/${ref.jobId}`, query });
  },
  outcome(j, call) {
    const status = (j as ValueMap).status as ValueMap;
    if (status.errorResult === undefined || status.errorResult === null) return j;
    const reason = isMap(status.errorResult) ? String(status.errorResult.message ?? status.errorResult.reason) : 'the job failed';
    throw wfError('OperationError', `${call.method.name}: ${reason}`, { operation: j as Value });
  },
};

const method = restMethods(V2, base);

/**
 * The BigQuery connector methods this engine runs against the local BigQuery's standard REST
 * paths, with the argument names of https://cloud.google.com/workflows/docs/reference/googleapis/bigquery/v2/Overview.
 */
export const bigqueryConnectors: ConnectorMethod[] = [
  method('tabledata.insertAll', 'POST', `${TABLE}/insertAll`, { body: true }),
  method('tabledata.list', 'GET', `${TABLE}/data`, { queryArgs: ['maxResults', 'pageToken', 'selectedFields', 'startIndex'] }),
  method('jobs.query', 'POST', `${PROJECT}/queries`, { body: true }),
  method('jobs.getQueryResults', 'GET', `${PROJECT}/queries/{jobId}`, {
    queryArgs: ['location', 'maxResults', 'pageToken', 'startIndex', 'timeoutMs'],
  }),
  // https://cloud.google.com/workflows/docs/reference/googleapis/bigquery/v2/jobs/insert: polls the job until DONE.
  method('jobs.insert', 'POST', `${PROJECT}/jobs`, { body: true, operation: job }),
  method('jobs.get', 'GET', `${PROJECT}/jobs/{jobId}`, { queryArgs: ['location'] }),
  method('datasets.insert', 'POST', `${PROJECT}/datasets`, { body: true, unsupportedArgs: ['accessPolicyVersion'] }),
  method('datasets.get', 'GET', DATASET, { unsupportedArgs: ['datasetView', 'accessPolicyVersion'] }),
  method('datasets.list', 'GET', `${PROJECT}/datasets`, { unsupportedArgs: ['all', 'filter', 'maxResults', 'pageToken'] }),
  method('datasets.patch', 'PATCH', DATASET, { body: true, unsupportedArgs: ['updateMode', 'accessPolicyVersion'] }),
  method('datasets.update', 'PUT', DATASET, { body: true, unsupportedArgs: ['updateMode', 'accessPolicyVersion'] }),
  method('datasets.delete', 'DELETE', DATASET, { queryArgs: ['deleteContents'] }),
  method('tables.insert', 'POST', `${DATASET}/tables`, { body: true }),
  method('tables.get', 'GET', TABLE, { unsupportedArgs: ['selectedFields', 'view'] }),
  method('tables.list', 'GET', `${DATASET}/tables`, { unsupportedArgs: ['maxResults', 'pageToken'] }),
  method('tables.patch', 'PATCH', TABLE, { body: true, unsupportedArgs: ['autodetect_schema'] }),
  method('tables.update', 'PUT', TABLE, { body: true, unsupportedArgs: ['autodetect_schema'] }),
  method('tables.delete', 'DELETE', TABLE),
];
