import { closeServer, createLocalServer, listenLocal, readJsonObject, sendJson } from '../../httpServer';
import * as http from 'node:http';
import { DeployError } from '../errors';
import { ApiError, WorkflowsEngine, type DeployInput } from '../engine';
import { doneOperation, executionResource, workflowResource } from './resources';

const MAX_BODY = 4 * 1024 * 1024;

type Handler = (m: RegExpMatchArray, req: http.IncomingMessage, url: URL, body: Record<string, unknown>) => unknown | Promise<unknown>;

/**
 * The Workflows v1 and Workflow Executions v1 REST APIs over an engine, with the paths and JSON
 * shapes the official clients use in REST (`fallback`) mode. Errors are google.rpc-style
 * `{"error": {"code", "message", "status"}}`.
 */
export class WorkflowsApiServer {
  private server?: http.Server;
  private readonly operations = new Map<string, Record<string, unknown>>();
  private readonly routes: [string, RegExp, Handler][];

  constructor(readonly engine: WorkflowsEngine) {
    const P = '^/v1/projects/([^/]+)/locations/([^/]+)';
    this.routes = [
      ['GET', new RegExp(`${P}/workflows$`), (m, _r, url) => this.listWorkflows(m, url)],
      ['POST', new RegExp(`${P}/workflows$`), (m, _r, url, body) => this.createWorkflow(m, url, body)],
      ['GET', new RegExp(`${P}/workflows/([^/:]+)$`), (m) => workflowResource(this.engine.getWorkflow(this.wf(m)))],
      ['PATCH', new RegExp(`${P}/workflows/([^/:]+)$`), (m, _r, url, body) => this.patchWorkflow(m, url, body)],
      ['DELETE', new RegExp(`${P}/workflows/([^/:]+)$`), (m) => this.deleteWorkflow(m)],
      ['GET', new RegExp(`${P}/operations/([^/]+)$`), (m) => this.getOperation(m)],
      ['GET', new RegExp(`${P}/workflows/([^/]+)/executions$`), (m, _r, url) => this.listExecutions(m, url)],
      ['POST', new RegExp(`${P}/workflows/([^/]+)/executions$`), (m, _r, _u, body) => this.createExecution(m, body)],
      [
        'GET',
        new RegExp(`${P}/workflows/([^/]+)/executions/([^/:]+)$`),
        (m, _r, url) => executionResource(this.engine.getExecution(this.wf(m), m[4]), view(url, 'FULL')),
      ],
      [
        'POST',
        new RegExp(`${P}/workflows/([^/]+)/executions/([^/:]+):cancel$`),
        (m) => executionResource(this.engine.cancelExecution(this.wf(m), m[4])),
      ],
    ];
  }

  /** Listens on 127.0.0.1:port (0 = any free port) and resolves to the base URL. */
  async listen(port = 0): Promise<string> {
    this.server = createLocalServer((req, res) => void this.handle(req, res));
    return listenLocal(this.server, port);
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await closeServer(s);
  }

  /** The workflow id from a matched path, after checking project and location are this engine's. */
  private wf(m: RegExpMatchArray): string {
    this.checkParent(m);
    return decodeURIComponent(m[3]);
  }

  private checkParent(m: RegExpMatchArray): void {
    const { projectId, location } = this.engine.options;
    if (m[1] !== projectId || m[2] !== location) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `the local Workflows engine serves projects/${projectId}/locations/${location}, not projects/${m[1]}/locations/${m[2]}`,
      );
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/healthz')) {
        return sendJson(res, 200, { service: 'local-workflows', parent: this.engine.parent });
      }
      const matches = this.routes.map(([method, re, h]) => [method, url.pathname.match(re), h] as const).filter(([, m]) => m);
      if (!matches.length) throw new ApiError(404, 'NOT_FOUND', `no such path: ${url.pathname}`);
      const route = matches.find(([method]) => method === req.method);
      if (!route) throw new ApiError(405, 'UNIMPLEMENTED', `method ${req.method} is not allowed on ${url.pathname}`);
      const body = await readJsonObject(req, MAX_BODY, bodyErrors);
      sendJson(res, 200, await route[2](route[1]!, req, url, body));
    } catch (e) {
      if (e instanceof ApiError) return sendJson(res, e.code, { error: { code: e.code, message: e.message, status: e.status } });
      if (e instanceof DeployError) return sendJson(res, 400, { error: { code: 400, message: e.message, status: 'INVALID_ARGUMENT' } });
      sendJson(res, 500, { error: { code: 500, message: `internal error: ${(e as Error)?.message}`, status: 'INTERNAL' } });
    }
  }

  private listWorkflows(m: RegExpMatchArray, url: URL): unknown {
    this.checkParent(m);
    const all = [...this.engine.workflows.values()].sort((a, b) => a.id.localeCompare(b.id)).map(workflowResource);
    return page(all, url, 'workflows');
  }

  private createWorkflow(m: RegExpMatchArray, url: URL, body: Record<string, unknown>): unknown {
    this.checkParent(m);
    const workflowId = url.searchParams.get('workflowId') ?? '';
    if (!workflowId) throw new ApiError(400, 'INVALID_ARGUMENT', 'workflowId is required');
    if (this.engine.workflows.has(workflowId))
      throw new ApiError(409, 'ALREADY_EXISTS', `Resource '${this.engine.parent}/workflows/${workflowId}' already exists`);
    const fields = deployFields(body);
    const w = this.engine.deploy({ workflowId, ...fields, source: fields.source ?? '' });
    return this.remember(
      doneOperation(this.engine.parent, 'create', w.name, {
        '@type': 'type.googleapis.com/google.cloud.workflows.v1.Workflow',
        ...workflowResource(w),
      }),
    );
  }

  private patchWorkflow(m: RegExpMatchArray, url: URL, body: Record<string, unknown>): unknown {
    const id = this.wf(m);
    const cur = this.engine.getWorkflow(id);
    const mask = (url.searchParams.get('updateMask') ?? '').split(',').filter(Boolean);
    const fields = deployFields(body);
    const pick = <K extends keyof typeof fields>(k: K, maskName: string, current: (typeof fields)[K]): (typeof fields)[K] =>
      mask.length === 0 ? (fields[k] ?? current) : mask.includes(maskName) ? fields[k] : current;
    const w = this.engine.deploy({
      workflowId: id,
      source: pick('source', 'sourceContents', cur.sourceContents) ?? '',
      userEnvVars: pick('userEnvVars', 'userEnvVars', cur.userEnvVars),
      description: pick('description', 'description', cur.description),
      labels: pick('labels', 'labels', cur.labels),
      serviceAccount: pick('serviceAccount', 'serviceAccount', cur.serviceAccount),
      callLogLevel: pick('callLogLevel', 'callLogLevel', cur.callLogLevel),
    });
    return this.remember(
      doneOperation(this.engine.parent, 'update', w.name, {
        '@type': 'type.googleapis.com/google.cloud.workflows.v1.Workflow',
        ...workflowResource(w),
      }),
    );
  }

  private deleteWorkflow(m: RegExpMatchArray): unknown {
    const id = this.wf(m);
    const name = this.engine.getWorkflow(id).name;
    this.engine.deleteWorkflow(id);
    return this.remember(doneOperation(this.engine.parent, 'delete', name, { '@type': 'type.googleapis.com/google.protobuf.Empty' }));
  }

  private remember(op: Record<string, unknown>): Record<string, unknown> {
    this.operations.set(op.name as string, op);
    return op;
  }

  private getOperation(m: RegExpMatchArray): unknown {
    this.checkParent(m);
    const op = this.operations.get(`${this.engine.parent}/operations/${m[3]}`);
    if (!op) throw new ApiError(404, 'NOT_FOUND', `operation ${m[3]} not found`);
    return op;
  }

  private listExecutions(m: RegExpMatchArray, url: URL): unknown {
    const all = this.engine.listExecutions(this.wf(m)).map((e) => executionResource(e, view(url, 'BASIC')));
    return page(all, url, 'executions');
  }

  private createExecution(m: RegExpMatchArray, body: Record<string, unknown>): unknown {
    const id = this.wf(m);
    const argument = body.argument;
    if (argument !== undefined && argument !== null && typeof argument !== 'string')
      throw new ApiError(400, 'INVALID_ARGUMENT', 'argument must be a JSON string');
    const callLogLevel = typeof body.callLogLevel === 'string' ? body.callLogLevel : undefined;
    const labels = isStringMap(body.labels) ? body.labels : undefined;
    return executionResource(this.engine.startExecution(id, (argument as string | undefined) ?? undefined, { callLogLevel, labels }));
  }
}

/** The fields of a Workflow resource body; `source` undefined when the body has none (a PATCH keeps the current one). */
function deployFields(body: Record<string, unknown>): Omit<DeployInput, 'workflowId' | 'source'> & { source?: string } {
  if (body.sourceContents !== undefined && typeof body.sourceContents !== 'string')
    throw new ApiError(400, 'INVALID_ARGUMENT', 'sourceContents must be a string');
  if (body.userEnvVars !== undefined && !isStringMap(body.userEnvVars))
    throw new ApiError(400, 'INVALID_ARGUMENT', 'userEnvVars must be a map of strings');
  return {
    source: body.sourceContents as string | undefined,
    userEnvVars: body.userEnvVars as Record<string, string> | undefined,
    description: typeof body.description === 'string' ? body.description : undefined,
    labels: isStringMap(body.labels) ? body.labels : undefined,
    serviceAccount: typeof body.serviceAccount === 'string' ? body.serviceAccount : undefined,
    callLogLevel: typeof body.callLogLevel === 'string' ? body.callLogLevel : undefined,
  };
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** `view` may come as the enum name or, from clients using numeric enums, its number (FULL = 2). */
function view(url: URL, fallback: 'FULL' | 'BASIC'): 'FULL' | 'BASIC' {
  const v = url.searchParams.get('view');
  if (v === 'FULL' || v === '2') return 'FULL';
  if (v === 'BASIC' || v === '1') return 'BASIC';
  return fallback;
}

function page(all: Record<string, unknown>[], url: URL, key: string): Record<string, unknown> {
  const size = Math.min(Number(url.searchParams.get('pageSize')) || 100, 1000);
  const start = Number(url.searchParams.get('pageToken') || 0) || 0;
  const out: Record<string, unknown> = { [key]: all.slice(start, start + size) };
  if (start + size < all.length) out.nextPageToken = String(start + size);
  return out;
}

const bodyErrors = {
  tooLarge: () => new ApiError(413, 'INVALID_ARGUMENT', 'request body too large'),
  notJson: () => new ApiError(400, 'INVALID_ARGUMENT', 'request body is not valid JSON'),
  notObject: () => new ApiError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object'),
};
