import { Value, ValueMap } from './values';

/**
 * A workflow-level exception: what `raise` throws, what a failed HTTP call or a bad expression
 * throws, and what `except` catches. `payload` is the value the workflow sees in the `as`
 * variable (usually a map with `message` and `tags`, but `raise` may throw any value).
 */
export class WorkflowError extends Error {
  constructor(readonly payload: Value) {
    super(describe(payload));
    this.name = 'WorkflowError';
  }
}

function describe(payload: Value): string {
  if (typeof payload === 'string') return payload;
  if (payload && typeof payload === 'object' && !Array.isArray(payload) && typeof (payload as ValueMap).message === 'string') {
    return (payload as ValueMap).message as string;
  }
  return 'workflow error';
}

/** The documented error tags (https://cloud.google.com/workflows/docs/reference/syntax/error-types). */
export type ErrorTag =
  | 'AuthError'
  | 'ConnectionError'
  | 'ConnectionFailedError'
  | 'HttpError'
  | 'IndexError'
  | 'KeyError'
  | 'OperationError'
  | 'ParallelNestingError'
  | 'RecursionError'
  | 'ResourceLimitError'
  | 'ResponseTypeError'
  | 'SystemError'
  | 'TimeoutError'
  | 'TypeError'
  | 'UnhandledBranchError'
  | 'ValueError'
  | 'ZeroDivisionError';

/** Builds the error map `{message, tags}` (plus extra keys) that the engine raises. */
export function wfError(tag: ErrorTag, message: string, extra: ValueMap = {}): WorkflowError {
  return new WorkflowError({ message, tags: [tag], ...extra });
}

/** True when a caught error carries the given tag. */
export function hasTag(payload: Value, tag: string): boolean {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return false;
  const tags = (payload as ValueMap).tags;
  return Array.isArray(tags) && tags.includes(tag);
}

/** Where a construct sits in the workflow source, for deploy-time errors. */
export interface SourcePos {
  line: number;
  column: number;
}

/**
 * A workflow the engine refuses at deploy time: a syntax error, or a construct it does not
 * support (it says so rather than run it wrongly). The API answers it as 400 INVALID_ARGUMENT.
 */
export class DeployError extends Error {
  constructor(
    message: string,
    readonly pos?: SourcePos,
    readonly construct?: string,
  ) {
    super(pos ? `${message} (line ${pos.line}, column ${pos.column})` : message);
    this.name = 'DeployError';
  }
}

/** Thrown inside the executor when the execution was cancelled; never catchable by `except`. */
export class CancelledError extends Error {
  constructor() {
    super('execution cancelled');
    this.name = 'CancelledError';
  }
}
