import { wfError } from '../errors';
import { CallContext } from '../stdlib/registry';
import { Bytes, Value } from '../values';
import { ConnectorCall, ConnectorMethod, restMethods } from './rest';

const V1 = 'googleapis.storage.v1';

function base(ctx: CallContext): string {
  const url = ctx.endpoints.storage;
  if (!url) throw wfError('ConnectionFailedError', 'the local Cloud Storage is not configured for the local Workflows engine');
  return url.replace(/\/$/, '');
}

// Preconditions and projections the local Storage does not evaluate: refused by name, never ignored.
const OBJECT_UNSUPPORTED = ['ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch', 'projection', 'userProject'];

/**
 * An object name as the workflow passes it: URL-encoded, as the connector asks
 * (https://cloud.google.com/workflows/docs/reference/googleapis/storage/Overview: "URL-encode
 * object names to be path safe"). Decoded here so the query builder encodes it once.
 */
function decodedName(call: ConnectorCall, arg: string): string {
  const v = call.args[arg];
  if (typeof v !== 'string' || v === '') throw wfError('TypeError', `${call.method.name}: missing required argument '${arg}'`);
  try {
    return decodeURIComponent(v);
  } catch {
    throw wfError('ValueError', `${call.method.name}: ${arg} "${v}" is not a valid URL-encoded name`);
  }
}

/** A media upload: the body is the object's data (a string as UTF-8 text, bytes as they are, anything else as JSON). */
async function upload(call: ConnectorCall): Promise<Value> {
  if (call.args.uploadType !== 'media')
    throw wfError('ValueError', `${call.method.name}: the local Workflows engine uploads with uploadType "media" only`);
  const body = call.args.body as Value;
  const contentType =
    body instanceof Bytes ? 'application/octet-stream' : typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  const query: Record<string, Value> = { uploadType: 'media', name: decodedName(call, 'name') };
  if (call.args.ifGenerationMatch !== undefined && call.args.ifGenerationMatch !== null)
    query.ifGenerationMatch = call.args.ifGenerationMatch;
  return call.send({
    method: 'POST',
    path: `/upload/storage/v1/b/${String(call.args.bucket)}/o`,
    query,
    body,
    headers: { 'Content-Type': contentType },
  });
}

/**
 * objects.get: the metadata, or with `alt: media` the data. The reference page has the data
 * come back as bytes ("use text.decode"); JSON data is decoded to a value, as the http.* calls
 * decode a JSON response.
 */
async function getObject(call: ConnectorCall): Promise<Value> {
  const query: Record<string, Value> = {};
  for (const q of ['alt', 'generation', 'ifGenerationMatch'])
    if (call.args[q] !== undefined && call.args[q] !== null) query[q] = call.args[q];
  const data = await call.send({ method: 'GET', path: `/storage/v1/b/${String(call.args.bucket)}/o/${String(call.args.object)}`, query });
  if (call.args.alt === 'media' && typeof data === 'string') return new Bytes(Buffer.from(data, 'utf8'));
  return data;
}

// Names are URL-encoded by the workflow (see decodedName).
const method = restMethods(V1, base, { verbatimPath: true });

/**
 * The Cloud Storage connector methods the local Storage serves
 * (https://cloud.google.com/workflows/docs/reference/googleapis/storage/Overview).
 */
export const storageConnectors: ConnectorMethod[] = [
  method('objects.insert', 'POST', '/storage/v1/b/{bucket}/o', {
    queryArgs: ['name', 'uploadType', 'ifGenerationMatch'],
    unsupportedArgs: [...OBJECT_UNSUPPORTED, 'contentEncoding', 'kmsKeyName', 'predefinedAcl'],
    allowed: { uploadType: ['media'] },
    body: true,
    run: upload,
  }),
  method('objects.get', 'GET', '/storage/v1/b/{bucket}/o/{object}', {
    queryArgs: ['alt', 'generation', 'ifGenerationMatch'],
    unsupportedArgs: [...OBJECT_UNSUPPORTED, 'softDeleted'],
    allowed: { alt: ['json', 'media'] },
    run: getObject,
  }),
  method('objects.list', 'GET', '/storage/v1/b/{bucket}/o', {
    queryArgs: ['prefix'],
    unsupportedArgs: [
      'delimiter',
      'endOffset',
      'includeFoldersAsPrefixes',
      'includeTrailingDelimiter',
      'matchGlob',
      'maxResults',
      'pageToken',
      'projection',
      'softDeleted',
      'startOffset',
      'userProject',
      'versions',
    ],
  }),
  method('objects.delete', 'DELETE', '/storage/v1/b/{bucket}/o/{object}', {
    queryArgs: ['ifGenerationMatch'],
    unsupportedArgs: [...OBJECT_UNSUPPORTED, 'generation'],
  }),
  method('buckets.insert', 'POST', '/storage/v1/b', {
    queryArgs: ['project'],
    requiredArgs: ['project'],
    unsupportedArgs: ['enableObjectRetention', 'predefinedAcl', 'predefinedDefaultObjectAcl', 'projection', 'userProject'],
    body: true,
  }),
  method('buckets.get', 'GET', '/storage/v1/b/{bucket}', {
    unsupportedArgs: ['ifMetagenerationMatch', 'ifMetagenerationNotMatch', 'projection', 'userProject'],
  }),
  method('buckets.delete', 'DELETE', '/storage/v1/b/{bucket}', {
    unsupportedArgs: ['ifMetagenerationMatch', 'ifMetagenerationNotMatch', 'userProject'],
  }),
];
