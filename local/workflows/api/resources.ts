import type { ExecutionRecord, WorkflowRecord } from '../records';

/** RFC 3339 as the Google APIs write timestamps. */
export const ts = (d: Date): string => d.toISOString();

/** A proto Duration in its JSON form (`"1.234s"`). */
export function duration(ms: number): string {
  return `${(ms / 1000).toFixed(6).replace(/\.?0+$/, '')}s`;
}

/** The v1 `Workflow` resource (https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows). */
export function workflowResource(w: WorkflowRecord): Record<string, unknown> {
  return {
    name: w.name,
    description: w.description,
    state: 'ACTIVE',
    revisionId: w.revisionId,
    createTime: ts(w.createTime),
    updateTime: ts(w.updateTime),
    revisionCreateTime: ts(w.revisionCreateTime),
    labels: w.labels,
    serviceAccount: w.serviceAccount,
    sourceContents: w.sourceContents,
    callLogLevel: w.callLogLevel,
    userEnvVars: w.userEnvVars,
  };
}

/**
 * The v1 `Execution` resource (https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions).
 * BASIC view carries only the metadata, as the real list call does by default.
 */
export function executionResource(e: ExecutionRecord, view: 'FULL' | 'BASIC' = 'FULL'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: e.name,
    startTime: ts(e.startTime),
    state: e.state,
    workflowRevisionId: e.workflowRevisionId,
  };
  if (e.endTime) {
    out.endTime = ts(e.endTime);
    out.duration = duration(e.endTime.getTime() - e.startTime.getTime());
  }
  if (view === 'BASIC') return out;
  if (e.argument !== '') out.argument = e.argument;
  if (e.result !== undefined) out.result = e.result;
  if (e.error) out.error = e.error;
  out.callLogLevel = e.callLogLevel;
  out.labels = e.labels;
  out.status = { currentSteps: e.currentSteps };
  return out;
}

let opCounter = 0;

/** A long-running Operation that is already done (local deploys are synchronous). */
export function doneOperation(parent: string, verb: string, target: string, response: Record<string, unknown>): Record<string, unknown> {
  const now = new Date();
  return {
    name: `${parent}/operations/operation-${now.getTime()}-${(opCounter++).toString(16).padStart(6, '0')}`,
    metadata: {
      '@type': 'type.googleapis.com/google.cloud.workflows.v1.OperationMetadata',
      createTime: ts(now),
      endTime: ts(now),
      target,
      verb,
      apiVersion: 'v1',
    },
    done: true,
    response,
  };
}
