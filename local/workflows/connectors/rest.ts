import { hasTag, wfError, WorkflowError } from '../errors';
import { httpRequest } from '../stdlib/http';
import { arg, CallContext, StdFunction } from '../stdlib/registry';
import { Template } from '../ast';
import { isMap, Value, ValueMap } from '../values';

/** How one connector method maps its arguments onto a REST call. */
export interface ConnectorMethod {
  /** Full connector name, e.g. `googleapis.firestore.v1.projects.databases.documents.get`. */
  name: string;
  httpMethod: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path template with `{arg}` placeholders; a placeholder's value may contain slashes. */
  path: string;
  /** Arguments that go in the path (required). */
  pathArgs: string[];
  /** Arguments sent as query parameters (dotted names, e.g. `updateMask.fieldPaths`). */
  queryArgs: string[];
  /** Query arguments the reference page marks required (path arguments always are). */
  requiredArgs?: string[];
  /** Documented arguments the local service does not honour: refused by name rather than ignored. */
  unsupportedArgs?: string[];
  /** Arguments that take any value, maps included (workflowexecutions.run's `argument`), rather than nested names. */
  valueArgs?: string[];
  /** The body may be left out (an empty one is sent), though the reference page marks it required, because Google's own samples leave it out. */
  bodyOptional?: boolean;
  /** Whether the method takes `body`. */
  body: boolean;
  /** Base URL of the local service, from the call context. */
  base(ctx: CallContext): string;
  /** Extra request headers (the Firestore emulator wants `Bearer owner` to bypass security rules). */
  headers?: Record<string, string>;
  /**
   * Path arguments go into the path as given, not percent-encoded: Cloud Storage's connector asks
   * the workflow to URL-encode object names itself (reference/googleapis/storage/Overview).
   */
  verbatimPath?: boolean;
  /** Values an argument may take locally (e.g. Storage `uploadType: media`); checked at deploy when constant. */
  allowed?: Record<string, string[]>;
  /** Replaces the REST call (a media upload, a call on this engine itself); gets the checked arguments. */
  run?(call: ConnectorCall): Promise<Value>;
  /** The method starts a long-running operation, which the connector polls until it is done. */
  operation?: LongRunning;
}

/** The `{name}` placeholders of a path template, in order: a method's path arguments. */
function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

/**
 * A maker of one service's methods, each one REST call: `method('jobs.get', 'GET', path, opts)`
 * names it under `prefix`, and its path arguments are the path template's placeholders.
 */
export function restMethods(
  prefix: string,
  base: ConnectorMethod['base'],
  defaults: Partial<ConnectorMethod> = {},
): (name: string, httpMethod: ConnectorMethod['httpMethod'], path: string, opts?: Partial<ConnectorMethod>) => ConnectorMethod {
  return (name, httpMethod, path, opts = {}) => ({
    name: `${prefix}.${name}`,
    httpMethod,
    path,
    pathArgs: pathParams(path),
    queryArgs: [],
    body: false,
    base,
    ...defaults,
    ...opts,
  });
}

/** One connector call in progress, for methods that shape their own requests. */
export interface ConnectorCall {
  method: ConnectorMethod;
  /** Arguments by their documented names (dotted, `query.` prefixes removed). */
  args: ValueMap;
  ctx: CallContext;
  /** Sends one REST request to the method's service (with the connector's 429/503 retries); answers the response body. */
  send(req: { method: string; path: string; query?: ValueMap; body?: Value; headers?: ValueMap }): Promise<Value>;
}

/**
 * A long-running operation (https://cloud.google.com/workflows/docs/connectors, "Long-running
 * operations"): the connector polls it with `connector_params.polling_policy` until it is done,
 * within `connector_params.timeout`, unless `skip_polling` is set.
 */
export interface LongRunning {
  /** True when the resource the service answered describes a finished operation. */
  done(resource: Value): boolean;
  /** Reads the operation again. */
  poll(resource: Value, call: ConnectorCall): Promise<Value>;
  /** The call's result once done: the resource itself, or an OperationError raised when it failed. */
  outcome(resource: Value, call: ConnectorCall): Value;
  /** The result with `skip_polling` (default: the first response). */
  skipped?(first: Value): Value;
}

/** Flattens `{updateMask: {fieldPaths: [...]}}` into `{"updateMask.fieldPaths": [...]}`, the documented argument names. */
function flatten(m: ConnectorMethod, args: ValueMap, prefix = '', out: ValueMap = {}): ValueMap {
  for (const [k, v] of Object.entries(args)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isMap(v) && !opaque(m, key)) flatten(m, v, key, out);
    else out[key] = v;
  }
  return out;
}

/** Arguments whose maps are values, not nested argument names. */
function opaque(m: ConnectorMethod, name: string): boolean {
  return name === 'body' || name === 'connector_params' || (m.valueArgs?.includes(name) ?? false);
}

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
  const inQuery = name.slice('query.'.length);
  if (name.startsWith('query.') && (m.queryArgs.includes(inQuery) || m.unsupportedArgs?.includes(inQuery))) return inQuery;
  return name;
}

/** Why an argument name is not one of the method's, or undefined when it is. */
function unknownArgument(m: ConnectorMethod, name: string): string | undefined {
  const n = canonical(m, name);
  if (m.unsupportedArgs?.includes(n)) return `${m.name}: argument "${name}" is not supported by the local Workflows engine`;
  if (m.pathArgs.includes(n) || m.queryArgs.includes(n) || (m.body && n === 'body') || n === 'connector_params') return undefined;
  if (n.startsWith('connector_params.') && CONNECTOR_PARAMS.includes(n.slice('connector_params.'.length))) return undefined;
  const known = [...m.pathArgs, ...m.queryArgs, ...(m.body ? ['body'] : [])];
  return `${m.name}: unknown argument "${name}" (its arguments: ${known.join(', ')}, connector_params)`;
}

/** The argument names a deploy-time `args` map spells, flattened as at run time; `prefix` marks values known only at run time. */
function staticNames(m: ConnectorMethod, args: [string, Template][], prefix = ''): { name: string; dynamic: boolean }[] {
  const out: { name: string; dynamic: boolean }[] = [];
  for (const [k, t] of args) {
    const name = prefix ? `${prefix}.${k}` : k;
    // connector_params is a value at run time, but its keys are documented, so they are checked here.
    if (opaque(m, name) && name !== 'connector_params') out.push({ name, dynamic: false });
    else if (t.k === 'const' && isMap(t.v)) {
      const entries = Object.entries(t.v).map(([kk, v]): [string, Template] => [kk, { k: 'const', v }]);
      out.push(...staticNames(m, entries, name));
    } else if (t.k === 'map' && t.entries.every(([kk]) => typeof kk === 'string'))
      out.push(...staticNames(m, t.entries as [string, Template][], name));
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
  const names = staticNames(m, args);
  for (const { name, dynamic } of names) {
    const problem = unknownArgument(m, name);
    // `updateMask: ${mask}` stands for updateMask.* names, known once the expression is evaluated.
    const prefixOfKnown = dynamic && [...m.queryArgs, 'connector_params', 'query'].some((q) => q.startsWith(`${name}.`) || q === name);
    if (problem && !prefixOfKnown) return { message: problem, arg: name };
  }
  for (const [k, values] of Object.entries(m.allowed ?? {})) {
    const t = args.find(([name]) => canonical(m, name) === k)?.[1];
    if (t?.k === 'const' && typeof t.v === 'string' && !values.includes(t.v))
      return { message: `${m.name}: ${k} "${t.v}" is not supported by the local Workflows engine (only ${values.join(', ')})`, arg: k };
  }
  const given = new Set(names.map((n) => canonical(m, n.name)));
  for (const p of required(m)) {
    if (!given.has(p)) return { message: `${m.name}: missing required argument "${p}"`, arg: p };
  }
  return undefined;
}

/** The arguments a call must give: path parameters, the query parameters marked required, and body where the method needs it. */
function required(m: ConnectorMethod): string[] {
  return [...m.pathArgs, ...(m.requiredArgs ?? []), ...(requiresBody(m) ? ['body'] : [])];
}

function requiresBody(m: ConnectorMethod): boolean {
  return m.body && !m.bodyOptional && m.httpMethod !== 'DELETE' && m.httpMethod !== 'GET';
}

/** Turns a ConnectorMethod into a standard-library function that `call:` can invoke with named args. */
export function connectorFunction(m: ConnectorMethod): StdFunction {
  return {
    name: m.name,
    params: ['__args'],
    blocking: true,
    rawArgs: true,
    required: 0,
    checkArgs: (args) => checkConnectorArgs(m, args),
    async fn(a: (Value | undefined)[], ctx: CallContext): Promise<Value> {
      const named: ValueMap = {};
      for (const [k, v] of Object.entries(flatten(m, arg<ValueMap>(m.name, a, 0, 'args', 'map')))) {
        const problem = unknownArgument(m, k);
        if (problem) throw wfError('TypeError', problem);
        named[canonical(m, k)] = v;
      }
      for (const p of m.pathArgs) {
        if (typeof named[p] !== 'string' || named[p] === '') throw wfError('TypeError', `${m.name}: missing required argument '${p}'`);
      }
      for (const p of required(m)) {
        if (named[p] === undefined || named[p] === null) throw wfError('TypeError', `${m.name}: missing required argument '${p}'`);
      }
      for (const [k, values] of Object.entries(m.allowed ?? {})) {
        const v = named[k];
        if (v !== undefined && v !== null && !values.includes(v as string))
          throw wfError(
            'ValueError',
            `${m.name}: ${k} "${String(v)}" is not supported by the local Workflows engine (only ${values.join(', ')})`,
          );
      }
      const params = connectorParams(m, named.connector_params);
      const deadline = ctx.clock.now() + params.timeout * 1000;
      const call: ConnectorCall = { method: m, args: named, ctx, send: (req) => send(m, ctx, req, params.timeout) };
      const first = m.run ? await m.run(call) : await call.send(restRequest(m, named));
      if (!m.operation) return first;
      if (params.skipPolling) return m.operation.skipped ? m.operation.skipped(first) : first;
      return awaitOperation(m.operation, first, call, params, deadline);
    },
  };
}

/** The method's REST request from its arguments: path parameters in the path, the others in the query. */
function restRequest(m: ConnectorMethod, named: ValueMap): { method: string; path: string; query: ValueMap; body?: Value } {
  let path = m.path;
  for (const p of m.pathArgs) {
    const v = named[p] as string;
    path = path.replace(`{${p}}`, m.verbatimPath ? v : v.split('/').map(encodeURIComponent).join('/'));
  }
  const query: ValueMap = {};
  for (const q of m.queryArgs) if (named[q] !== undefined && named[q] !== null) query[q] = named[q];
  return { method: m.httpMethod, path, query, body: m.body ? (named.body ?? (m.bodyOptional ? {} : undefined)) : undefined };
}

// Documented: connectors retry 429 and 503 themselves before raising
// (https://cloud.google.com/workflows/docs/connectors#retry-policy); same default back-off as http.default_retry.
const CONNECTOR_RETRIES = 5;

async function send(
  m: ConnectorMethod,
  ctx: CallContext,
  req: { method: string; path: string; query?: ValueMap; body?: Value; headers?: ValueMap },
  timeoutS: number,
): Promise<Value> {
  const base = m.base(ctx);
  let delay = 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await httpRequest(
        {
          method: req.method,
          url: base + req.path,
          query: req.query,
          headers: { ...(m.headers ?? {}), ...(req.headers ?? {}) },
          body: req.body,
          // One request never waits longer than the documented maximum of a call.
          timeout: Math.min(timeoutS, MAX_CALL_TIMEOUT_S),
        },
        ctx,
      );
      // 204 No Content (a delete) is null, not an empty string.
      return res.code === 204n ? null : (res.body ?? null);
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
}

/** Documented defaults and limits of connector_params (reference/googleapis, "Invoke a connector call"). */
const MAX_CALL_TIMEOUT_S = 1800;
const MAX_OPERATION_TIMEOUT_S = 31536000;

interface ConnectorParams {
  timeout: number;
  initialDelay: number;
  multiplier: number;
  maxDelay: number;
  skipPolling: boolean;
}

function connectorParams(m: ConnectorMethod, v: Value | undefined): ConnectorParams {
  const p = v === undefined || v === null ? {} : v;
  if (!isMap(p)) throw wfError('TypeError', `${m.name}: connector_params must be a map`);
  const policy = p.polling_policy === undefined || p.polling_policy === null ? {} : p.polling_policy;
  if (!isMap(policy)) throw wfError('TypeError', `${m.name}: connector_params.polling_policy must be a map`);
  const num = (x: Value | undefined, name: string, fallback: number): number => {
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'bigint' && typeof x !== 'number') throw wfError('TypeError', `${m.name}: connector_params.${name} must be a number`);
    if (!(Number(x) > 0)) throw wfError('ValueError', `${m.name}: connector_params.${name} must be positive`);
    return Number(x);
  };
  const max = m.operation ? MAX_OPERATION_TIMEOUT_S : MAX_CALL_TIMEOUT_S;
  const timeout = num(p.timeout, 'timeout', MAX_CALL_TIMEOUT_S);
  if (timeout > max) throw wfError('ValueError', `${m.name}: connector_params.timeout must be at most ${max} seconds`);
  const skip = p.skip_polling ?? false;
  if (typeof skip !== 'boolean') throw wfError('TypeError', `${m.name}: connector_params.skip_polling must be a boolean`);
  return {
    timeout,
    initialDelay: num(policy.initial_delay, 'polling_policy.initial_delay', 1),
    multiplier: num(policy.multiplier, 'polling_policy.multiplier', 1.25),
    maxDelay: num(policy.max_delay, 'polling_policy.max_delay', 60),
    skipPolling: skip,
  };
}

/** Polls until the operation is done, sleeping initial_delay, then x multiplier, up to max_delay; TimeoutError past the deadline. */
async function awaitOperation(op: LongRunning, first: Value, call: ConnectorCall, p: ConnectorParams, deadline: number): Promise<Value> {
  let resource = first;
  let delayS = p.initialDelay;
  while (!op.done(resource)) {
    const left = deadline - call.ctx.clock.now();
    if (left <= 0)
      throw wfError('TimeoutError', `${call.method.name}: the long-running operation did not finish within ${p.timeout} seconds`);
    await call.ctx.clock.sleep(Math.min(delayS * 1000, left), call.ctx.signal);
    delayS = Math.min(delayS * p.multiplier, p.maxDelay);
    resource = await op.poll(resource, call);
  }
  return op.outcome(resource, call);
}
