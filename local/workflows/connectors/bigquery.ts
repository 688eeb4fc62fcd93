import { wfError } from '../errors';
import { CallContext } from '../stdlib/registry';
import { ConnectorMethod } from './rest';

function base(ctx: CallContext): string {
  const url = ctx.endpoints.bigquery;
  if (!url) throw wfError('ConnectionFailedError', 'the local BigQuery is not configured for the local Workflows engine');
  return url.replace(/\/$/, '');
}

/**
 * The BigQuery connector methods this engine runs against the local BigQuery's standard REST
 * paths, with the argument names of https://cloud.google.com/workflows/docs/reference/googleapis/bigquery/v2/Overview.
 */
export const bigqueryConnectors: ConnectorMethod[] = [
  {
    name: 'googleapis.bigquery.v2.tabledata.insertAll',
    httpMethod: 'POST',
    path: '/bigquery/v2/projects/{projectId}/datasets/{datasetId}/tables/{tableId}/insertAll',
    pathArgs: ['projectId', 'datasetId', 'tableId'],
    queryArgs: [],
    body: true,
    base,
  },
  {
    name: 'googleapis.bigquery.v2.tabledata.list',
    httpMethod: 'GET',
    path: '/bigquery/v2/projects/{projectId}/datasets/{datasetId}/tables/{tableId}/data',
    pathArgs: ['projectId', 'datasetId', 'tableId'],
    queryArgs: ['maxResults', 'pageToken', 'selectedFields', 'startIndex'],
    body: false,
    base,
  },
  {
    name: 'googleapis.bigquery.v2.jobs.getQueryResults',
    httpMethod: 'GET',
    path: '/bigquery/v2/projects/{projectId}/queries/{jobId}',
    pathArgs: ['projectId', 'jobId'],
    queryArgs: ['location', 'maxResults', 'pageToken', 'startIndex', 'timeoutMs'],
    body: false,
    base,
  },
  {
    name: 'googleapis.bigquery.v2.jobs.query',
    httpMethod: 'POST',
    path: '/bigquery/v2/projects/{projectId}/queries',
    pathArgs: ['projectId'],
    queryArgs: [],
    body: true,
    base,
  },
];
