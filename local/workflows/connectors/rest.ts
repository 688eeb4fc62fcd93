import { hasTag, wfError, WorkflowError } from '../errors';
import { httpRequest } from '../stdlib/http';
import { arg, CallContext, StdFunction } from '../stdlib/registry';
import { Template } from '../ast';
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
    if (isMap(v) && !OPAQUE.has(key)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

/** Arguments whose maps are values, not nested argument names. */
const OPAQUE = new Set(['body', 'connector_params']);

/**
 * The documented keys of `connector_params`
 * (https://cloud.google.com/workflows/docs/reference/googleapis, "Invoke a connector call").
 */
const CONNECTOR_PARAMS = [
  'timeout',
  'polling_policy',
  'polling_policy.initial_delay',
  'polling_policy.multiplier',
  'polling_policy.max_delay',
  'skip_polling',
  'scopes',
];

/**
 * The documented name an argument stands for: the reference pages' names (`documentId`,
 * `updateMask.fieldPaths`), or a query parameter inside a `query` map (`query: {documentId: x}`),
 * the form Google's own connector samples use (workflows-samples connector_firestore).
 */
function canonical(m: ConnectorMethod, name: string): string {
  if (name.startsWith('query.') && m.queryArgs.includes(name.slice(6))) return name.slice(6);
  return name;
}

/** Why an argument name is not one of the method's, or undefined when it is. */
function unknownArgument(m: ConnectorMethod, name: string): string | undefined {
  const n = canonical(m, name);
  if (m.pathArgs.includes(n) || m.queryArgs.includes(n) || (m.body && n === 'body') || n === 'connector_params') return undefined;
  if (n.startsWith('connector_params.') && CONNECTOR_PARAMS.includes(n.slice('connector_params.'.length))) return undefined;
  const known = [...m.pathArgs, ...m.queryArgs, ...(m.body ? ['body'] : [])];
  return `${m.name}: unknown argument "${name}" (its arguments: ${known.join(', ')}, connector_params)`;
}

/** The argument names a deploy-time `args` map spells, flattened as at run time; `prefix` marks values known only at run time. */
function staticNames(args: [string, Template][], prefix = ''): { name: string; dynamic: boolean }[] {
  const out: { name: string; dynamic: boolean }[] = [];
  for (const [k, t] of args) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (OPAQUE.has(name) && name !== 'connector_params') out.push({ name, dynamic: false });
    else if (t.k === 'const' && isMap(t.v))
      out.push(
        ...staticNames(
          Object.entries(t.v).map(([kk, v]) => [kk, { k: 'const', v }]),
          name,
        ),
      );
    else if (t.k === 'map' && t.entries.every(([kk]) => typeof kk === 'string'))
      out.push(...staticNames(t.entries as [string, Template][], name));
    else out.push({ name, dynamic: t.k === 'expr' });
  }
  return out;
}

/**
 * Deploy-time check of a connector call's `args` against the method's documented parameters:
 * every name must be one of them, and the required ones (path parameters, and `body` where the
 * method takes one) must be there. A map given by an expression is checked when the call runs.
 */
export function checkConnectorArgs(m: ConnectorMethod, args: [string, Template][]): { message: string; arg: string } | undefined {
  const names = staticNames(args);
  for (const { name, dynamic } of names) {
    const problem = unknownArgument(m, name);
    // `updateMask: ${mask}` stands for updateMask.* names, known once the expression is evaluated.
    const prefixOfKnown = dynamic && [...m.queryArgs, 'connector_params', 'query'].some((q) => q.startsWith(`${name}.`) || q === name);
    if (problem && !prefixOfKnown) return { message: problem, arg: name };
  }
  const given = new Set(names.map((n) => canonical(m, n.name)));
  for (const p of [...m.pathArgs, ...(requiresBody(m) ? ['body'] : [])]) {
    if (!given.has(p)) return { message: `${m.name}: missing required argument "${p}"`, arg: p };
  }
  return undefined;
}

function requiresBody(m: ConnectorMethod): boolean {
  return m.body && m.httpMethod !== 'DELETE' && m.httpMethod !== 'GET';
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
    checkArgs: (args) => checkConnectorArgs(m, args),
    async fn(a: (Value | undefined)[], ctx: CallContext): Promise<Value> {
      const named: ValueMap = {};
      for (const [k, v] of Object.entries(flatten(arg<ValueMap>(m.name, a, 0, 'args', 'map')))) {
        const problem = unknownArgument(m, k);
        if (problem) throw wfError('TypeError', problem);
        named[canonical(m, k)] = v;
      }
      let path = m.path;
      for (const p of m.pathArgs) {
        const v = named[p];
        if (typeof v !== 'string' || v === '') throw wfError('TypeError', `${m.name}: missing required argument '${p}'`);
        path = path.replace(`{${p}}`, v.split('/').map(encodeURIComponent).join('/'));
      }
      const query: ValueMap = {};
      for (const q of m.queryArgs) if (named[q] !== undefined && named[q] !== null) query[q] = named[q];
      if (requiresBody(m) && (named.body === undefined || named.body === null)) {
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
