import { hasTag, wfError, WorkflowError } from '../errors';
import { httpRequest } from '../stdlib/http';
import { arg, CallContext, StdFunction } from '../stdlib/registry';
import { isMap, Value, ValueMap } from '../values';

/** How one connector method maps its arguments onto a REST call. */
export interface ConnectorMethod {
  /** Full connector name, e.g. `googleapis.firestore.v1.projects.databases.documents.get`. */
  name: string;
  httpMethod: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path template with `{arg}` placeholders; a placeholder's value may contain slashes. */
  path: string;
  /** Arguments that go in the path (required). */
  pathArgs: string[];
  /** Arguments sent as query parameters (dotted names, e.g. `updateMask.fieldPaths`). */
  queryArgs: string[];
  /** Whether the method takes `body`. */
  body: boolean;
  /** Base URL of the local service, from the call context. */
  base(ctx: CallContext): string;
  /** Extra request headers (the Firestore emulator wants `Bearer owner` to bypass security rules). */
  headers?: Record<string, string>;
}

/** Flattens `{updateMask: {fieldPaths: [...]}}` into `{"updateMask.fieldPaths": [...]}`, the documented argument names. */
function flatten(args: ValueMap, prefix = '', out: ValueMap = {}): ValueMap {
  for (const [k, v] of Object.entries(args)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isMap(v) && key !== 'body' && key !== 'connector_params') flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

// Documented: connectors retry 429 and 503 themselves before raising
// (https://cloud.google.com/workflows/docs/connectors#retry-policy); same default back-off as http.default_retry.
const CONNECTOR_RETRIES = 5;

/** Turns a ConnectorMethod into a standard-library function that `call:` can invoke with named args. */
export function connectorFunction(m: ConnectorMethod): StdFunction {
  const params = ['__args'];
  return {
    name: m.name,
    params,
    blocking: true,
    rawArgs: true,
    required: 0,
    async fn(a: (Value | undefined)[], ctx: CallContext): Promise<Value> {
      const named = flatten(arg<ValueMap>(m.name, a, 0, 'args', 'map'));
      const allowed = new Set([...m.pathArgs, ...m.queryArgs, ...(m.body ? ['body'] : []), 'connector_params']);
      for (const k of Object.keys(named)) {
        if (!allowed.has(k) && !k.startsWith('connector_params.')) throw wfError('TypeError', `${m.name}: unexpected argument '${k}'`);
      }
      let path = m.path;
      for (const p of m.pathArgs) {
        const v = named[p];
        if (typeof v !== 'string' || v === '') throw wfError('TypeError', `${m.name}: missing required argument '${p}'`);
        path = path.replace(`{${p}}`, v.split('/').map(encodeURIComponent).join('/'));
      }
      const query: ValueMap = {};
      for (const q of m.queryArgs) if (named[q] !== undefined && named[q] !== null) query[q] = named[q];
      if (m.body && (named.body === undefined || named.body === null) && m.httpMethod !== 'DELETE' && m.httpMethod !== 'GET') {
        throw wfError('TypeError', `${m.name}: missing required argument 'body'`);
      }
      const base = m.base(ctx);
      let delay = 1000;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await httpRequest(
            {
              method: m.httpMethod,
              url: base + path,
              query,
              headers: { ...(m.headers ?? {}) },
              body: m.body ? named.body : undefined,
              timeout: 1800,
            },
            ctx,
          );
          return res.body ?? null;
        } catch (e) {
          const code = e instanceof WorkflowError && hasTag(e.payload, 'HttpError') ? (e.payload as ValueMap).code : undefined;
          if ((code === 429n || code === 503n) && attempt < CONNECTOR_RETRIES) {
            await ctx.clock.sleep(delay, ctx.signal);
            delay = Math.min(delay * 1.25, 60000);
            continue;
          }
          throw e;
        }
      }
    },
  };
}
