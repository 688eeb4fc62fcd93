import * as http from 'node:http';
import * as https from 'node:https';
import { wfError, WorkflowError } from '../errors';
import { stringify } from '../expressions/evaluate';
import { Bytes, fromJson, isMap, toJson, typeName, Value, ValueMap } from '../values';
import { arg, CallContext, def, StdFunction } from './registry';

/**
 * The bearer token added locally for `auth: {type: OIDC}` and `auth: {type: OAuth2}`. In the
 * cloud Workflows mints a real token for its service account; offline there is nobody to mint
 * one, and the local functions do not check it, so a fixed, recognisable value is sent.
 */
export const LOCAL_AUTH_TOKEN = 'local-workflows-token';

/** Documented default and maximum of the `timeout` argument, in seconds. */
const DEFAULT_TIMEOUT_S = 300;
const MAX_TIMEOUT_S = 1800;

// Keep-alive pools: the engine's overhead per call stays small against a local function.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** Closes pooled connections, so a stopped engine leaves no socket holding the process open. */
export function closeIdleConnections(): void {
  agents.http.destroy();
  agents.https.destroy();
}

export interface HttpRequestArgs {
  method: string;
  url: string;
  headers?: ValueMap;
  query?: ValueMap;
  body?: Value;
  timeout?: number;
  auth?: ValueMap;
}

function headerGet(h: Record<string, string>, name: string): string | undefined {
  const k = Object.keys(h).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : h[k];
}

/** Turns a response body into a value by its content type: JSON decoded, text as a string, anything else as bytes. */
export function decodeBody(buf: Buffer, contentType: string | undefined): Value {
  const ct = (contentType ?? '').toLowerCase();
  if (/[/+]json\b/.test(ct)) {
    if (buf.length === 0) return null;
    try {
      return fromJson(buf.toString('utf8'));
    } catch {
      return buf.toString('utf8');
    }
  }
  if (ct === '' || ct.startsWith('text/') || ct.includes('charset=')) return buf.toString('utf8');
  return new Bytes(buf);
}

/**
 * Performs one HTTP request with Workflows' semantics: JSON request bodies for maps and lists,
 * response `{code, headers, body}`, HttpError for status >= 400, ConnectionFailedError when no
 * connection could be made, ConnectionError when it broke mid-way, TimeoutError after `timeout`.
 */
export async function httpRequest(req: HttpRequestArgs, ctx: CallContext): Promise<ValueMap> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw wfError('ValueError', `invalid URL: ${req.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw wfError('ValueError', `unsupported URL scheme: ${url.protocol}`);
  for (const [k, v] of Object.entries(req.query ?? {})) {
    for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x === null ? '' : stringify(x));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = v === null ? '' : stringify(v);
  if (req.auth) {
    const type = req.auth.type;
    if (type !== 'OIDC' && type !== 'OAuth2') throw wfError('ValueError', `auth.type must be OIDC or OAuth2, got ${String(type)}`);
    headers['Authorization'] = `Bearer ${LOCAL_AUTH_TOKEN}`;
  }
  let payload: Buffer | undefined;
  if (req.body !== undefined && req.body !== null) {
    const ct = headerGet(headers, 'Content-Type');
    if (req.body instanceof Bytes) payload = req.body.data;
    else if (typeof req.body === 'string' && !(ct ?? '').includes('json')) {
      payload = Buffer.from(req.body, 'utf8');
      if (!ct) headers['Content-Type'] = 'text/plain; charset=utf-8';
    } else if (ct && ct.startsWith('application/x-www-form-urlencoded') && isMap(req.body)) {
      payload = Buffer.from(
        new URLSearchParams(Object.entries(req.body).map(([k, v]): [string, string] => [k, v === null ? '' : stringify(v)])).toString(),
      );
    } else {
      try {
        payload = Buffer.from(toJson(req.body), 'utf8');
      } catch {
        throw wfError('TypeError', 'HTTP body cannot be JSON-encoded');
      }
      if (!ct) headers['Content-Type'] = 'application/json';
    }
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  const timeoutS = req.timeout ?? DEFAULT_TIMEOUT_S;
  if (!(timeoutS > 0) || timeoutS > MAX_TIMEOUT_S) throw wfError('ValueError', `timeout must be between 0 and ${MAX_TIMEOUT_S} seconds`);

  return new Promise<ValueMap>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const done = (f: () => void): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        f();
      }
    };
    const mod = url.protocol === 'https:' ? https : http;
    const r = mod.request(url, { method: req.method, headers, agent: url.protocol === 'https:' ? agents.https : agents.http }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => done(() => reject(connectionError(e, true))));
      res.on('end', () =>
        done(() => {
          const rh: ValueMap = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const k = res.rawHeaders[i];
            rh[k] = rh[k] === undefined ? res.rawHeaders[i + 1] : `${rh[k] as string}, ${res.rawHeaders[i + 1]}`;
          }
          const code = res.statusCode ?? 0;
          const body = decodeBody(Buffer.concat(chunks), res.headers['content-type']);
          if (code >= 400) {
            reject(wfError('HttpError', `HTTP server responded with error code ${code}`, { code: BigInt(code), headers: rh, body }));
          } else resolve({ code: BigInt(code), headers: rh, body });
        }),
      );
    });
    r.on('socket', (s) => {
      if (!s.connecting) connected = true;
      else s.once('connect', () => (connected = true));
    });
    r.on('error', (e) => done(() => reject(connectionError(e, connected))));
    const timer = setTimeout(() => {
      done(() => reject(wfError('TimeoutError', `HTTP request to ${url.origin}${url.pathname} timed out after ${timeoutS} seconds`)));
      r.destroy();
      // Real time on purpose: a sped-up test clock must not make real servers look slow.
    }, timeoutS * 1000);
    const onAbort = (): void => {
      done(() => reject(ctx.signal.reason));
      r.destroy();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    r.end(payload);
  });
}

const FAILED_TO_CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

function connectionError(e: Error, connected: boolean): WorkflowError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (FAILED_TO_CONNECT.has(code) || !connected) {
    return wfError('ConnectionFailedError', `connection failed: ${code || e.message}`);
  }
  return wfError('ConnectionError', `connection error during the request: ${code || e.message}`);
}

function requestFromArgs(fn: string, method: string | undefined, a: (Value | undefined)[], names: string[]): HttpRequestArgs {
  const get = (n: string): Value | undefined => a[names.indexOf(n)];
  const m = method ?? arg<string>(fn, a, names.indexOf('method'), 'method', 'string').toUpperCase();
  const url = arg<string>(fn, a, names.indexOf('url'), 'url', 'string');
  const opt = (n: string): ValueMap | undefined => {
    const v = get(n);
    if (v === undefined || v === null) return undefined;
    if (!isMap(v)) throw wfError('TypeError', `${fn}: ${n} must be a map, got ${typeName(v)}`);
    return v;
  };
  const t = get('timeout');
  if (t !== undefined && t !== null && typeof t !== 'bigint' && typeof t !== 'number')
    throw wfError('TypeError', `${fn}: timeout must be a number`);
  return {
    method: m,
    url,
    headers: opt('headers'),
    query: opt('query'),
    auth: opt('auth'),
    body: get('body'),
    timeout: t === undefined || t === null ? undefined : Number(t),
  };
}

// Argument names of https://cloud.google.com/workflows/docs/reference/stdlib/http/get (and post, ...).
// private_service_name and ca_certificate are named so the validator can refuse them by name.
const COMMON = ['url', 'timeout', 'body', 'headers', 'query', 'auth', 'private_service_name', 'ca_certificate'];

/** Arguments the local engine cannot honour (Service Directory routing, custom CAs): refused at deploy. */
export const UNSUPPORTED_HTTP_ARGS = ['private_service_name', 'ca_certificate'];

function verb(name: string, method: string | undefined, params: string[]): StdFunction {
  return def(`http.${name}`, params, (a, ctx) => httpRequest(requestFromArgs(`http.${name}`, method, a, params), ctx), {
    blocking: true,
    required: 0,
  });
}

/** `http.*` (https://cloud.google.com/workflows/docs/reference/stdlib/http/overview). */
export const httpFunctions: StdFunction[] = [
  verb('get', 'GET', ['url', 'timeout', 'headers', 'query', 'auth', 'private_service_name', 'ca_certificate']),
  verb('post', 'POST', COMMON),
  verb('put', 'PUT', COMMON),
  verb('patch', 'PATCH', COMMON),
  verb('delete', 'DELETE', COMMON),
  verb('request', undefined, ['method', ...COMMON]),
];
