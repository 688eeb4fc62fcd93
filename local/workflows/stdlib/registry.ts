import { Template } from '../ast';
import { Clock } from '../clock';
import { wfError } from '../errors';
import { Bytes, isMap, typeName, Value, ValueMap } from '../values';

/** What a standard-library function may use besides its arguments. */
export interface CallContext {
  clock: Clock;
  /** Aborted when the execution is cancelled. */
  signal: AbortSignal;
  /** `sys.get_env`: user env vars plus the GOOGLE_CLOUD_* built-ins. */
  env: Record<string, string>;
  /** Where `sys.log` writes. */
  log(entry: { severity: string; payload: Value }): void;
  /** Where the local services connectors talk to listen (`host:port` for Firestore and Pub/Sub, base URLs for the others). */
  endpoints: { firestore?: string; bigquery?: string; storage?: string; pubsub?: string };
  projectId: string;
  location: string;
  /** This engine's own executions, for the workflowexecutions connector. */
  executions?: LocalExecutions;
}

/** The Workflow Executions API of the engine running the call, as values (the v1 JSON resources). */
export interface LocalExecutions {
  /** Starts an execution of `projects/p/locations/l/workflows/w` with an Execution body; answers the Execution, or raises HttpError (404 for an unknown workflow). */
  create(workflowName: string, body: ValueMap): Value;
  /** Reads an execution by its full name. */
  get(executionName: string): Value;
}

/** One standard-library function: its documented parameter names (for `call:` with named `args`) and body. */
export interface StdFunction {
  name: string;
  params: string[];
  /** How many leading params are required (default: all). */
  required?: number;
  /** Blocking calls (HTTP, sleep, log, connectors) are only allowed in `call` steps, never in expressions. */
  blocking?: boolean;
  /** Connectors take their (dotted, nested) `args` map whole instead of positional parameters. */
  rawArgs?: boolean;
  /** Deploy-time check of a `call` step's `args` (connectors: against the method's documented parameters). */
  checkArgs?(args: [string, Template][]): { message: string; arg: string } | undefined;
  fn(args: (Value | undefined)[], ctx: CallContext): Value | Promise<Value>;
}

/** Defines a function; a helper so each module reads as a table. */
export function def(
  name: string,
  params: string[],
  fn: StdFunction['fn'],
  opts: Partial<Pick<StdFunction, 'required' | 'blocking'>> = {},
): StdFunction {
  return { name, params, fn, ...opts };
}

type Kind = 'string' | 'integer' | 'double' | 'number' | 'boolean' | 'list' | 'map' | 'bytes' | 'any';

/** Checks an argument's type, raising the documented TypeError otherwise. */
export function arg<T extends Value>(fn: string, args: (Value | undefined)[], i: number, name: string, kind: Kind): T {
  const v = args[i];
  const ok =
    kind === 'any' ||
    (kind === 'string' && typeof v === 'string') ||
    (kind === 'integer' && typeof v === 'bigint') ||
    (kind === 'double' && typeof v === 'number') ||
    (kind === 'number' && (typeof v === 'number' || typeof v === 'bigint')) ||
    (kind === 'boolean' && typeof v === 'boolean') ||
    (kind === 'list' && Array.isArray(v)) ||
    (kind === 'map' && isMap(v)) ||
    (kind === 'bytes' && v instanceof Bytes);
  if (!ok || v === undefined) {
    throw wfError('TypeError', `${fn}: argument '${name}' must be ${kind}, got ${typeName(v)}`);
  }
  return v as T;
}

/** An optional argument: undefined or null gives the fallback. */
export function optArg<T extends Value>(fn: string, args: (Value | undefined)[], i: number, name: string, kind: Kind, fallback: T): T {
  const v = args[i];
  if (v === undefined || v === null) return fallback;
  return arg<T>(fn, args, i, name, kind);
}

/** Maps `call:` named args onto the positional parameter list, rejecting unknown and missing ones. */
export function bindNamedArgs(f: StdFunction, named: ValueMap): (Value | undefined)[] {
  const out: (Value | undefined)[] = [];
  for (const k of Object.keys(named)) {
    if (!f.params.includes(k)) throw wfError('TypeError', `${f.name}: unexpected argument '${k}'`);
  }
  f.params.forEach((p, i) => (out[i] = named[p]));
  checkArity(f, out);
  return out;
}

/** Raises a TypeError when a required parameter is missing. */
export function checkArity(f: StdFunction, args: (Value | undefined)[]): void {
  if (args.length > f.params.length)
    throw wfError('TypeError', `${f.name}: takes at most ${f.params.length} arguments, got ${args.length}`);
  const required = f.required ?? f.params.length;
  for (let i = 0; i < required; i++) {
    if (args[i] === undefined) throw wfError('TypeError', `${f.name}: missing required argument '${f.params[i]}'`);
  }
}
