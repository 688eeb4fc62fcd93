import { wfError } from '../errors';
import { CallContext, LocalExecutions } from '../stdlib/registry';
import { fromJson, isMap, toJson, Value, ValueMap } from '../values';
import { ConnectorCall, ConnectorMethod, LongRunning } from './rest';

const PREFIX = 'googleapis.workflowexecutions.v1.projects.locations.workflows.executions';

function executions(ctx: CallContext, name: string): LocalExecutions {
  if (!ctx.executions) throw wfError('ConnectionFailedError', `${name}: the local Workflows engine offers no Executions API here`);
  return ctx.executions;
}

/** Executions run on this same engine, so there is no REST base to reach. */
function noBase(): string {
  throw new Error('the workflowexecutions connector runs in-process');
}

/**
 * executions.run (https://cloud.google.com/workflows/docs/reference/googleapis/workflowexecutions/v1/projects.locations.workflows.executions/run):
 * starts an execution of `workflow_id` (in this project and location unless given) with `argument`
 * as a value, not JSON text, and waits for it as a long-running operation. The result is the
 * execution's result, decoded from JSON; an execution that fails or is cancelled raises an
 * OperationError carrying the Execution resource in `operation`.
 */
const execution: LongRunning = {
  done: (e) => isMap(e) && e.state !== 'ACTIVE' && e.state !== 'QUEUED',
  poll: async (e, call) => executions(call.ctx, call.method.name).get(String((e as ValueMap).name)),
  outcome(e, call) {
    const rec = e as ValueMap;
    if (rec.state === 'SUCCEEDED') return typeof rec.result === 'string' ? fromJson(rec.result) : null;
    const err = isMap(rec.error) ? rec.error : {};
    throw wfError('OperationError', `${call.method.name}: the execution ended ${String(rec.state)}: ${String(err.payload ?? '')}`, {
      operation: e,
    });
  },
  // Documented: with skip_polling, run() returns nothing.
  skipped: () => null,
};

async function run(call: ConnectorCall): Promise<Value> {
  const { args, ctx } = call;
  const project = args.project_id ?? ctx.projectId;
  const location = args.location ?? ctx.location;
  for (const [k, v] of Object.entries({ workflow_id: args.workflow_id, project_id: project, location })) {
    if (typeof v !== 'string' || v === '') throw wfError('TypeError', `${call.method.name}: ${k} must be a non-empty string`);
  }
  const body: ValueMap = {};
  if (args.argument !== undefined && args.argument !== null) {
    try {
      body.argument = toJson(args.argument);
    } catch {
      throw wfError('TypeError', `${call.method.name}: argument must be an integer, float, bool, string, list or map`);
    }
  }
  if (args.callLogLevel !== undefined && args.callLogLevel !== null) body.callLogLevel = args.callLogLevel;
  return executions(ctx, call.method.name).create(
    `projects/${String(project)}/locations/${String(location)}/workflows/${String(args.workflow_id)}`,
    body,
  );
}

/** executions.create: the Execution resource as the REST method answers it (`argument` is JSON text); no waiting. */
async function create(call: ConnectorCall): Promise<Value> {
  const body = call.args.body;
  if (!isMap(body)) throw wfError('TypeError', `${call.method.name}: body must be a map (an Execution)`);
  return executions(call.ctx, call.method.name).create(String(call.args.parent), body);
}

/** The two Workflow Executions connector methods the samples use, run on this engine itself. */
export const workflowExecutionsConnectors: ConnectorMethod[] = [
  {
    name: `${PREFIX}.run`,
    httpMethod: 'POST',
    path: '',
    pathArgs: [],
    queryArgs: ['workflow_id', 'location', 'project_id', 'argument', 'callLogLevel'],
    requiredArgs: ['workflow_id'],
    valueArgs: ['argument'],
    body: false,
    base: noBase,
    run,
    operation: execution,
  },
  {
    name: `${PREFIX}.create`,
    httpMethod: 'POST',
    path: '/v1/{parent}/executions',
    pathArgs: ['parent'],
    queryArgs: [],
    body: true,
    base: noBase,
    run: create,
  },
];
