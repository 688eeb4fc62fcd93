import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Clock, realClock } from './clock';
import { executionResource } from './api/resources';
import { CancelledError, wfError, WorkflowError } from './errors';
import { Executor, traceOf, TraceElement } from './executor';
import { parseWorkflow } from './parse';
import { validateWorkflow } from './validate';
import { LocalExecutions } from './stdlib/registry';
import type { ExecutionRecord, WorkflowRecord } from './records';
import { fromJson, isMap, toJson, Value } from './values';

/** Engine-wide settings. */
export interface EngineOptions {
  projectId: string;
  location: string;
  /** Firestore emulator `host:port` for the Firestore connector. */
  firestore?: string;
  /** Local BigQuery base URL for the BigQuery connector. */
  bigquery?: string;
  /** Local Cloud Storage base URL for the Storage connector. */
  storage?: string;
  /** Pub/Sub emulator `host:port` for the Pub/Sub connector. */
  pubsub?: string;
  /** Clock for sleeps and back-off; tests pass a ScaledClock. */
  clock?: Clock;
  /** Where `sys.log` entries go (default: one JSON line on stdout, as Cloud Logging would show them). */
  onLog?(entry: { severity: string; payload: Value; execution: string }): void;
}

export type { ExecutionRecord, ExecutionState, WorkflowRecord } from './records';

/** What a deployment (create or patch of a workflow) carries. */
export interface DeployInput {
  workflowId: string;
  source: string;
  userEnvVars?: Record<string, string>;
  description?: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  callLogLevel?: string;
}

/** An API-level failure with its google.rpc status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

/** Documented limit on the execution argument (https://cloud.google.com/workflows/quotas). */
const MAX_ARGUMENT_BYTES = 32 * 1024;

/**
 * The local Workflows service: deploys workflows (parse + validate, refusing what it cannot run
 * faithfully) and runs executions in this process, holding both in memory.
 */
export class WorkflowsEngine {
  readonly workflows = new Map<string, WorkflowRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  readonly clock: Clock;

  constructor(readonly options: EngineOptions) {
    this.clock = options.clock ?? realClock;
  }

  get parent(): string {
    return `projects/${this.options.projectId}/locations/${this.options.location}`;
  }

  /**
   * Creates or replaces a workflow. Throws DeployError (→ 400) for a syntax error or an
   * unsupported construct, naming it and its line. Takes the fields as given (an absent one gets
   * its default; the REST PATCH merges by updateMask first): only createTime and the revision
   * number carry over from the previous revision.
   */
  deploy(input: DeployInput): WorkflowRecord {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(input.workflowId)) {
      throw new ApiError(
        400,
        'INVALID_ARGUMENT',
        `invalid workflow id "${input.workflowId}": letters, digits, - and _, starting with a letter, at most 64 characters`,
      );
    }
    for (const name of Object.keys(input.userEnvVars ?? {})) {
      // Documented: user env var names may not start with GOOGLE or WORKFLOWS (reserved for built-ins).
      if (/^(GOOGLE|WORKFLOWS)/.test(name))
        throw new ApiError(400, 'INVALID_ARGUMENT', `userEnvVars: "${name}" uses a reserved prefix (GOOGLE, WORKFLOWS)`);
    }
    const definition = parseWorkflow(input.source);
    validateWorkflow(definition);
    const now = new Date();
    const prev = this.workflows.get(input.workflowId);
    const revision = (prev?.revision ?? 0) + 1;
    const rec: WorkflowRecord = {
      id: input.workflowId,
      name: `${this.parent}/workflows/${input.workflowId}`,
      description: input.description ?? '',
      labels: input.labels ?? {},
      sourceContents: input.source,
      userEnvVars: input.userEnvVars ?? {},
      revisionId: `${String(revision).padStart(6, '0')}-${randomBytes(2).toString('hex').slice(0, 3)}`,
      revision,
      createTime: prev?.createTime ?? now,
      updateTime: now,
      revisionCreateTime: now,
      serviceAccount:
        input.serviceAccount ??
        `projects/${this.options.projectId}/serviceAccounts/workflows-local@${this.options.projectId}.iam.gserviceaccount.com`,
      callLogLevel: input.callLogLevel ?? 'CALL_LOG_LEVEL_UNSPECIFIED',
      definition,
    };
    this.workflows.set(rec.id, rec);
    return rec;
  }

  getWorkflow(id: string): WorkflowRecord {
    const w = this.workflows.get(id);
    if (!w) throw new ApiError(404, 'NOT_FOUND', `Resource '${this.parent}/workflows/${id}' was not found`);
    return w;
  }

  deleteWorkflow(id: string): void {
    this.getWorkflow(id);
    this.workflows.delete(id);
  }

  /** Starts an execution; `argument` is the JSON text the API carries. Resolves at once with the ACTIVE record. */
  startExecution(
    workflowId: string,
    argument?: string,
    opts: { callLogLevel?: string; labels?: Record<string, string> } = {},
  ): ExecutionRecord {
    const wf = this.getWorkflow(workflowId);
    let arg: Value = null;
    if (argument !== undefined && argument !== '') {
      if (Buffer.byteLength(argument) > MAX_ARGUMENT_BYTES)
        throw new ApiError(400, 'INVALID_ARGUMENT', `argument is larger than ${MAX_ARGUMENT_BYTES} bytes`);
      try {
        arg = fromJson(argument);
      } catch (e) {
        throw new ApiError(400, 'INVALID_ARGUMENT', `argument is not valid JSON: ${(e as Error).message}`);
      }
    }
    const id = randomUUID();
    const abort = new AbortController();
    const rec: ExecutionRecord = {
      id,
      name: `${wf.name}/executions/${id}`,
      workflowId,
      workflowRevisionId: wf.revisionId,
      state: 'ACTIVE',
      argument: argument ?? '',
      startTime: new Date(),
      callLogLevel: opts.callLogLevel ?? wf.callLogLevel,
      labels: opts.labels ?? {},
      currentSteps: [],
      stepCount: 0,
      abort,
      done: Promise.resolve(),
    };
    const env: Record<string, string> = {
      ...wf.userEnvVars,
      GOOGLE_CLOUD_PROJECT_ID: this.options.projectId,
      GOOGLE_CLOUD_PROJECT_NUMBER: projectNumber(this.options.projectId),
      GOOGLE_CLOUD_LOCATION: this.options.location,
      GOOGLE_CLOUD_WORKFLOW_ID: wf.id,
      GOOGLE_CLOUD_WORKFLOW_REVISION_ID: wf.revisionId,
      GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: id,
    };
    const onLog = this.options.onLog ?? defaultLog;
    const threads = new Map<string, { routine: string; step: string }>();
    const executor = new Executor(
      wf.definition,
      {
        clock: this.clock,
        signal: abort.signal,
        env,
        log: (e) => onLog({ ...e, execution: rec.name }),
        endpoints: {
          firestore: this.options.firestore,
          bigquery: this.options.bigquery,
          storage: this.options.storage,
          pubsub: this.options.pubsub,
        },
        projectId: this.options.projectId,
        location: this.options.location,
        executions: this.asConnectorTarget,
      },
      {
        // One current step per running thread: the main line and each running parallel branch.
        onStep: (routine, step, thread) => {
          rec.stepCount++;
          threads.set(thread, { routine, step });
          rec.currentSteps = [...threads.values()];
        },
        onThreadEnd: (thread) => {
          threads.delete(thread);
          rec.currentSteps = [...threads.values()];
        },
      },
    );
    this.executions.set(id, rec);
    // Start on the next tick so the API answers the create call before the first step runs.
    rec.done = new Promise<void>((r) => setImmediate(r))
      .then(() => executor.run(arg))
      .then(
        (result) =>
          this.finish(rec, () => {
            try {
              rec.result = toJson(result);
              rec.state = 'SUCCEEDED';
            } catch {
              this.fail(
                rec,
                { message: 'the workflow result contains bytes, which cannot be JSON-encoded', tags: ['ResponseTypeError'] },
                [],
              );
            }
          }),
        (err) =>
          this.finish(rec, () => {
            if (err instanceof CancelledError || rec.abort.signal.aborted) rec.state = 'CANCELLED';
            else if (err instanceof WorkflowError) this.fail(rec, err.payload, traceOf(err));
            else
              this.fail(
                rec,
                { message: `internal error in the local Workflows engine: ${(err as Error)?.stack ?? String(err)}`, tags: ['SystemError'] },
                [],
              );
          }),
      );
    return rec;
  }

  private finish(rec: ExecutionRecord, set: () => void): void {
    if (rec.state !== 'ACTIVE') return;
    set();
    rec.endTime = new Date();
    if (rec.state !== 'ACTIVE') rec.currentSteps = rec.state === 'SUCCEEDED' ? [] : rec.currentSteps;
  }

  private fail(rec: ExecutionRecord, payload: Value, trace: TraceElement[]): void {
    rec.state = 'FAILED';
    let text: string;
    try {
      text = toJson(payload);
    } catch {
      text = JSON.stringify({ message: 'error payload contains bytes', tags: ['ResponseTypeError'] });
    }
    const inner = trace[0];
    const where = inner ? `\nin step "${inner.step}", routine "${inner.routine}", line: ${inner.position.line}` : '';
    rec.error = {
      payload: text,
      context: `RuntimeError: ${text}${where}`,
      stackTrace: {
        elements: trace.map((t) => ({
          step: t.step,
          routine: t.routine,
          position: { line: String(t.position.line), column: String(t.position.column), length: '0' },
        })),
      },
    };
  }

  /** This engine's executions as the workflowexecutions connector reads them: v1 resources as values, API errors as HttpError. */
  private readonly asConnectorTarget: LocalExecutions = {
    create: (workflowName, body) =>
      asHttpError(() => {
        const id = this.workflowIdOf(workflowName);
        const argument = body.argument;
        if (argument !== undefined && argument !== null && typeof argument !== 'string')
          throw new ApiError(400, 'INVALID_ARGUMENT', 'execution.argument must be a JSON string');
        const labels = isMap(body.labels) ? (JSON.parse(toJson(body.labels)) as Record<string, string>) : undefined;
        const callLogLevel = typeof body.callLogLevel === 'string' ? body.callLogLevel : undefined;
        return fromJson(JSON.stringify(executionResource(this.startExecution(id, argument ?? undefined, { callLogLevel, labels }))));
      }),
    get: (name) =>
      asHttpError(() => {
        const m = /^(projects\/[^/]+\/locations\/[^/]+\/workflows\/[^/]+)\/executions\/([^/]+)$/.exec(name);
        if (!m) throw new ApiError(400, 'INVALID_ARGUMENT', `invalid execution name "${name}"`);
        return fromJson(JSON.stringify(executionResource(this.getExecution(this.workflowIdOf(m[1]), m[2]))));
      }),
  };

  /** The id of a workflow of this engine from its full name; NOT_FOUND for another project or location, as the API would answer. */
  private workflowIdOf(workflowName: string): string {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/workflows\/([^/]+)$/.exec(workflowName);
    if (!m) throw new ApiError(400, 'INVALID_ARGUMENT', `invalid workflow name "${workflowName}"`);
    if (m[1] !== this.options.projectId || m[2] !== this.options.location)
      throw new ApiError(404, 'NOT_FOUND', `Resource '${workflowName}' was not found`);
    return this.getWorkflow(m[3]).id;
  }

  getExecution(workflowId: string, id: string): ExecutionRecord {
    const e = this.executions.get(id);
    if (!e || e.workflowId !== workflowId)
      throw new ApiError(404, 'NOT_FOUND', `Resource '${this.parent}/workflows/${workflowId}/executions/${id}' was not found`);
    return e;
  }

  /** Executions of a workflow, newest first. */
  listExecutions(workflowId: string): ExecutionRecord[] {
    this.getWorkflow(workflowId);
    return [...this.executions.values()]
      .filter((e) => e.workflowId === workflowId)
      .sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  }

  /** Cancels an ACTIVE execution; cancelling a finished one is FAILED_PRECONDITION, as in the API. */
  cancelExecution(workflowId: string, id: string): ExecutionRecord {
    const e = this.getExecution(workflowId, id);
    if (e.state !== 'ACTIVE') throw new ApiError(400, 'FAILED_PRECONDITION', `execution ${id} is not active (state ${e.state})`);
    this.cancel(e);
    return e;
  }

  /** Aborts an ACTIVE execution and marks it CANCELLED now (its run settles `done` later). */
  private cancel(e: ExecutionRecord): void {
    e.abort.abort(new CancelledError());
    e.state = 'CANCELLED';
    e.endTime = new Date();
  }

  /** Runs a workflow to the end and returns its record: a convenience for tests and tools. */
  async run(workflowId: string, argument?: Value): Promise<ExecutionRecord> {
    const rec = this.startExecution(workflowId, argument === undefined ? undefined : toJson(argument));
    await rec.done;
    return rec;
  }

  /** Cancels running executions and forgets every execution; deployed workflows stay. */
  async reset(): Promise<void> {
    const running = [...this.executions.values()].filter((e) => e.state === 'ACTIVE');
    for (const e of running) this.cancel(e);
    await Promise.all(running.map((e) => e.done));
    this.executions.clear();
  }
}

/** Runs an API call for a connector, raising its ApiError as the HttpError a connector call raises (with the API's error body). */
function asHttpError(f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    throw wfError('HttpError', `HTTP server responded with error code ${e.code}`, {
      code: BigInt(e.code),
      headers: { 'Content-Type': 'application/json' },
      body: { error: { code: BigInt(e.code), message: e.message, status: e.status } },
    });
  }
}

/** A stable, made-up 12-digit project number (offline there is no Resource Manager to ask). */
function projectNumber(projectId: string): string {
  const n = BigInt('0x' + createHash('sha256').update(projectId).digest('hex').slice(0, 15)) % 10n ** 12n;
  return String(n).padStart(12, '1');
}

function defaultLog(e: { severity: string; payload: Value; execution: string }): void {
  let payload: unknown;
  try {
    payload = JSON.parse(toJson(e.payload));
  } catch {
    payload = String(e.payload);
  }
  const line =
    typeof payload === 'string' ? { severity: e.severity, message: payload } : { severity: e.severity, message: '', jsonPayload: payload };
  process.stdout.write(JSON.stringify({ ...line, 'logging.googleapis.com/labels': { workflows_execution: e.execution } }) + '\n');
}
