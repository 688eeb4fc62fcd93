import type { Request } from '@google-cloud/functions-framework';
import { parseTraceContext } from './trace';

/**
 * Structured logging for Cloud Logging: one JSON object per line. The agent that collects a
 * Cloud Run / Cloud Functions (2nd gen) container's output lifts `severity`, `message`,
 * `httpRequest`, `logging.googleapis.com/trace` and `logging.googleapis.com/spanId` out of the
 * line; every other field lands in `jsonPayload` (the tag counter's log-based metric reads
 * `jsonPayload.value` from there).
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Where lines go; tests swap it to capture them. */
export type LogSink = (severity: Severity, line: string) => void;

const defaultSink: LogSink = (severity, line) => {
  // ERROR and above go to stderr so they stand out in a terminal; Cloud Logging reads both.
  (severity === 'ERROR' || severity === 'CRITICAL' ? process.stderr : process.stdout).write(line + '\n');
};
let sink: LogSink = defaultSink;

/** Replaces the sink (tests); returns a function that restores the previous one. */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

function write(severity: Severity, message: string, base: LogFields, fields?: LogFields): void {
  const entry: LogFields = { severity, message, ...base, ...fields, time: new Date().toISOString() };
  if (entry.error instanceof Error) entry.error = describeError(entry.error);
  sink(severity, JSON.stringify(entry));
}

/** Error reporting recognises a stack trace in `stack_trace`; `message` stays human. */
function describeError(err: Error): LogFields {
  return { name: err.name, message: err.message, stack_trace: err.stack };
}

export function createLogger(base: LogFields = {}): Logger {
  return {
    debug: (m, f) => write('DEBUG', m, base, f),
    info: (m, f) => write('INFO', m, base, f),
    warn: (m, f) => write('WARNING', m, base, f),
    error: (m, f) => write('ERROR', m, base, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

/** The project trace names are under, read from the environment once per instance. */
let project: string | undefined | null = null;
function traceProject(): string | undefined {
  if (project === null) project = process.env.GOOGLE_CLOUD_PROJECT;
  return project;
}

/** The fields that tie a line to the request's trace, or none when the request carries no trace. */
export function traceFields(req: Pick<Request, 'headers'>): LogFields {
  const trace = parseTraceContext(req.headers);
  const project = traceProject();
  if (!trace || !project) return {};
  const fields: LogFields = { 'logging.googleapis.com/trace': `projects/${project}/traces/${trace.traceId}` };
  if (trace.spanId) fields['logging.googleapis.com/spanId'] = trace.spanId;
  if (trace.sampled !== undefined) fields['logging.googleapis.com/trace_sampled'] = trace.sampled;
  return fields;
}

/**
 * A logger whose every line carries the request's trace and, as a label, the execution id the
 * Functions Framework gave the request (the platform's `Function-Execution-Id`, or one it made
 * up), as the framework's own log wrapper would add it (see `http/frameworkContext.ts`).
 */
export function requestLogger(req: Pick<Request, 'headers'> & { executionId?: string }): Logger {
  const fields = traceFields(req);
  if (typeof req.executionId === 'string') fields['logging.googleapis.com/labels'] = { execution_id: req.executionId };
  return createLogger(fields);
}
