import type { WorkflowDefinition } from './ast';

// The engine's records, in a leaf module: the engine makes them and the API's resource mapping
// (api/resources.ts) reads them, so neither has to import the other.

/** A deployed workflow (the v1 `Workflow` resource plus its parsed definition). */
export interface WorkflowRecord {
  id: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  sourceContents: string;
  userEnvVars: Record<string, string>;
  revisionId: string;
  revision: number;
  createTime: Date;
  updateTime: Date;
  revisionCreateTime: Date;
  serviceAccount: string;
  callLogLevel: string;
  definition: WorkflowDefinition;
}

export type ExecutionState = 'ACTIVE' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One execution (the v1 `Execution` resource's data). */
export interface ExecutionRecord {
  id: string;
  name: string;
  workflowId: string;
  workflowRevisionId: string;
  state: ExecutionState;
  argument: string;
  result?: string;
  error?: {
    payload: string;
    context: string;
    stackTrace: { elements: { step: string; routine: string; position: { line: string; column: string; length: string } }[] };
  };
  startTime: Date;
  endTime?: Date;
  callLogLevel: string;
  labels: Record<string, string>;
  currentSteps: { routine: string; step: string }[];
  /** Steps executed so far (what Workflows bills). */
  stepCount: number;
  /** Settles when the execution ends (never rejects). */
  done: Promise<void>;
  abort: AbortController;
}
