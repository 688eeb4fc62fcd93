import type { ExecutionRecord, WorkflowsEngine } from './engine';

/** An execution as saved between runs of the local cloud: its API data, without the live run. */
export type SavedExecution = Omit<ExecutionRecord, 'done' | 'abort' | 'startTime' | 'endTime'> & {
  startTime: string;
  endTime?: string;
};

/**
 * The engine's executions for a data folder. An execution still running cannot be resumed by a
 * later process, so it is cancelled first (what stopping the local cloud does to it anyway) and
 * saved CANCELLED, as the Executions API would then report it.
 */
export async function saveExecutions(engine: WorkflowsEngine): Promise<SavedExecution[]> {
  const running = [...engine.executions.values()].filter((e) => e.state === 'ACTIVE');
  for (const e of running) engine.cancelExecution(e.workflowId, e.id);
  await Promise.all(running.map((e) => e.done));
  return [...engine.executions.values()].map(({ done: _done, abort: _abort, startTime, endTime, ...data }) => ({
    ...data,
    startTime: startTime.toISOString(),
    ...(endTime ? { endTime: endTime.toISOString() } : {}),
  }));
}

/** Puts saved executions back, finished as they were saved; the API answers them as before. */
export function restoreExecutions(engine: WorkflowsEngine, saved: readonly SavedExecution[]): void {
  for (const { startTime, endTime, ...data } of saved) {
    engine.executions.set(data.id, {
      ...data,
      startTime: new Date(startTime),
      ...(endTime ? { endTime: new Date(endTime) } : {}),
      done: Promise.resolve(),
      abort: new AbortController(),
    });
  }
}
