import { ScaledClock } from '../../../local/workflows/clock';
import { EngineOptions, ExecutionRecord, WorkflowsEngine } from '../../../local/workflows/engine';
import { DeployError } from '../../../local/workflows/errors';
import { parseWorkflow } from '../../../local/workflows/parse';
import { validateWorkflow } from '../../../local/workflows/validate';
import { Value } from '../../../local/workflows/values';

process.env.METADATA_SERVER_DETECTION = 'none';

/** What a test reads back from one execution. */
export interface Outcome {
  state: ExecutionRecord['state'];
  /** The result as JSON text (to check int vs double), and parsed. */
  resultText?: string;
  result?: unknown;
  /** The error payload, parsed. */
  error?: Record<string, unknown> & { message?: string; tags?: string[] };
  record: ExecutionRecord;
  clock: ScaledClock;
  logs: { severity: string; payload: Value }[];
}

/**
 * Deploys `source` on a fresh engine with a fast clock (x1000 by default) and runs it to the end.
 * Why a fresh engine per run: tests stay independent and need no clean-up.
 */
export async function run(
  source: string,
  argument?: Value,
  opts: Partial<EngineOptions> & { env?: Record<string, string>; speed?: number } = {},
): Promise<Outcome> {
  const clock = new ScaledClock(opts.speed ?? 1000);
  const logs: Outcome['logs'] = [];
  const engine = new WorkflowsEngine({ projectId: 'test-project', location: 'us-central1', clock, onLog: (e) => logs.push(e), ...opts });
  engine.deploy({ workflowId: 'wf', source, userEnvVars: opts.env });
  const record = await engine.run('wf', argument);
  return {
    state: record.state,
    resultText: record.result,
    result: record.result === undefined ? undefined : JSON.parse(record.result),
    error: record.error ? JSON.parse(record.error.payload) : undefined,
    record,
    clock,
    logs,
  };
}

/** Runs and returns the parsed result, failing with the error payload when the execution failed. */
export async function result(source: string, argument?: Value, opts: Parameters<typeof run>[2] = {}): Promise<unknown> {
  const o = await run(source, argument, opts);
  if (o.state !== 'SUCCEEDED') throw new Error(`execution ${o.state}: ${o.record.error?.payload} (${o.record.error?.context})`);
  return o.result;
}

/** Runs a workflow expected to fail and returns the error payload. */
export async function failure(
  source: string,
  argument?: Value,
  opts: Parameters<typeof run>[2] = {},
): Promise<NonNullable<Outcome['error']>> {
  const o = await run(source, argument, opts);
  if (o.state !== 'FAILED') throw new Error(`expected FAILED, got ${o.state} with result ${o.resultText}`);
  return o.error!;
}

/** Deploys `source` expecting a refusal, and returns the DeployError (construct, line, message). */
export function refusal(source: string): DeployError {
  try {
    validateWorkflow(parseWorkflow(source));
  } catch (e) {
    if (e instanceof DeployError) return e;
    throw e;
  }
  throw new Error('expected the deploy to be refused');
}
