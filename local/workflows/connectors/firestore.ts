import { wfError } from '../errors';
import { CallContext } from '../stdlib/registry';
import { ConnectorMethod } from './rest';

const PREFIX = 'googleapis.firestore.v1.projects.databases.documents';

function base(ctx: CallContext): string {
  const host = ctx.endpoints.firestore;
  if (!host) throw wfError('ConnectionFailedError', 'the Firestore emulator is not configured for the local Workflows engine');
  return host.startsWith('http') ? host : `http://${host}`;
}

// The emulator skips security rules for this token, as it does for the Admin SDK.
const headers = { Authorization: 'Bearer owner' };

/**
 * The Firestore connector methods this engine runs against the emulator's REST API, with the
 * argument names of https://cloud.google.com/workflows/docs/reference/googleapis/firestore/v1/Overview.
 */
export const firestoreConnectors: ConnectorMethod[] = [
  {
    name: `${PREFIX}.get`,
    httpMethod: 'GET',
    path: '/v1/{name}',
    pathArgs: ['name'],
    queryArgs: ['mask.fieldPaths', 'readTime', 'transaction'],
    body: false,
    base,
    headers,
  },
  {
    name: `${PREFIX}.patch`,
    httpMethod: 'PATCH',
    path: '/v1/{name}',
    pathArgs: ['name'],
    queryArgs: ['updateMask.fieldPaths', 'mask.fieldPaths', 'currentDocument.exists', 'currentDocument.updateTime'],
    body: true,
    base,
    headers,
  },
  {
    name: `${PREFIX}.createDocument`,
    httpMethod: 'POST',
    path: '/v1/{parent}/{collectionId}',
    pathArgs: ['parent', 'collectionId'],
    queryArgs: ['documentId', 'mask.fieldPaths'],
    body: true,
    base,
    headers,
  },
  {
    name: `${PREFIX}.delete`,
    httpMethod: 'DELETE',
    path: '/v1/{name}',
    pathArgs: ['name'],
    queryArgs: ['currentDocument.exists', 'currentDocument.updateTime'],
    body: false,
    base,
    headers,
  },
  {
    name: `${PREFIX}.list`,
    httpMethod: 'GET',
    path: '/v1/{parent}/{collectionId}',
    pathArgs: ['parent', 'collectionId'],
    queryArgs: ['pageSize', 'pageToken', 'orderBy', 'mask.fieldPaths', 'showMissing', 'readTime', 'transaction'],
    body: false,
    base,
    headers,
  },
  {
    name: `${PREFIX}.runQuery`,
    httpMethod: 'POST',
    path: '/v1/{parent}:runQuery',
    pathArgs: ['parent'],
    queryArgs: [],
    body: true,
    base,
    headers,
  },
  {
    name: `${PREFIX}.batchWrite`,
    httpMethod: 'POST',
    path: '/v1/{database}/documents:batchWrite',
    pathArgs: ['database'],
    queryArgs: [],
    body: true,
    base,
    headers,
  },
  {
    name: `${PREFIX}.commit`,
    httpMethod: 'POST',
    path: '/v1/{database}/documents:commit',
    pathArgs: ['database'],
    queryArgs: [],
    body: true,
    base,
    headers,
  },
];
