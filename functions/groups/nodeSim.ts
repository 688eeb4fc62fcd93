import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from '@google-cloud/functions-framework';
import { firestore } from '../shared/clients/firestore';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import { queryValues } from '../shared/http/query';
import { sendJson, type RequestContext } from '../shared/http/router';
import { validator } from '../shared/validation';
import { readNodeSimConfig } from './config';
import { GROUP_ID_PATTERN, HANG_MS_PATTERN, MAX_HANG_MS, NODE_NAME_PATTERN, nodeGroupBodySchema, SWITCH_STATUS_PATTERN } from './schemas';
import { SimulatedNodes, type NodeMethod, type Switch } from './simulatedNodes';
import type { Logger } from '../shared/logger';

const config = readNodeSimConfig();
const validateBody = validator<{ groupId: string }>(nodeGroupBodySchema);
let store: SimulatedNodes | undefined;
const nodes = (): SimulatedNodes => (store ??= new SimulatedNodes(firestore(), config.collection));

const NODE_NAME = new RegExp(NODE_NAME_PATTERN);
const SWITCH_STATUS = new RegExp(SWITCH_STATUS_PATTERN);
const HANG_MS = new RegExp(HANG_MS_PATTERN);
const GROUP_ID = new RegExp(GROUP_ID_PATTERN);
const METHODS: NodeMethod[] = ['GET', 'POST', 'DELETE'];
const REDIRECTS = [301, 302, 307, 308];

/**
 * `nodeSim`: many simulated cluster nodes in one function, for local runs and tests. The first
 * path segment is the node's name, so a node's base URL is `<nodeSim URL>/<node>`. Relative to
 * it, the node API of the spec:
 *
 *   POST   /v1/group/            {"groupId"} → 201 {"groupId"}, 400 problem when the group exists
 *   DELETE /v1/group/            {"groupId"} → 200 {"groupId"}, 404 problem when it does not
 *                                (our decision: a client can tell "deleted" from "was not there";
 *                                the orchestration takes either as success)
 *   GET    /v1/group/{groupId}/  → 200 {"groupId"} or 404 problem
 *
 * and the switches, kept in Firestore so they hold across instances:
 *
 *   POST /v1/group/{status}    a 3-digit status makes the node API answer it (without doing
 *                              anything, or after doing it with `?apply=true`; as an HTML page
 *                              with `?body=html`) until reset; 0 resets
 *   POST /v1/hang/{ms}         the node API waits that long before serving each request, which it
 *                              then still serves, as a slow real node would, even if the caller
 *                              gave up; 0 resets
 *   POST /v1/redirect/{status} a request whose path ends in "/" is answered that redirect (301,
 *                              302, 307, 308) to the same path without it, as FastAPI's router
 *                              does; 0 resets
 *   GET  /v1/switches          the switches set
 *
 * Every switch takes `?methods=POST,DELETE` (only those methods; all by default), `?times=N`
 * (only the next N requests they apply to; until reset by default) and `?after=N` (the next N
 * requests it matches go through untouched first).
 */
export const nodeSim = httpFunction('nodeSim', [
  { method: 'POST', path: '/{node}/v1/group', handle: (ctx) => serveGroupApi(ctx, 'POST') },
  { method: 'DELETE', path: '/{node}/v1/group', handle: (ctx) => serveGroupApi(ctx, 'DELETE') },
  { method: 'GET', path: '/{node}/v1/group/{groupId}', handle: (ctx) => serveGroupApi(ctx, 'GET') },
  {
    method: 'POST',
    path: '/{node}/v1/group/{status}',
    async handle({ req, res, params }) {
      const node = nodeName(params.node);
      if (!SWITCH_STATUS.test(params.status)) {
        throw new HttpError(
          'validation_failed',
          `The status must be 0 (reset) or a 3-digit HTTP status from 100 to 599, got "${params.status}".`,
          {
            errors: [{ pointer: '#/path/status', detail: 'must be 0 or a status from 100 to 599' }],
          },
        );
      }
      const status = Number(params.status);
      // Kept only when set, so a plain switch reads as before.
      const variants = {
        ...(queryValues(req, 'body').join() === 'html' && { html: true }),
        ...(queryValues(req, 'apply').join() === 'true' && { apply: true }),
      };
      const switches = await nodes().setSwitch(node, 'status', status === 0 ? null : { value: status, ...scope(req), ...variants });
      sendJson(res, 200, { node, ...switches });
    },
  },
  {
    method: 'POST',
    path: '/{node}/v1/redirect/{status}',
    async handle({ req, res, params }) {
      const node = nodeName(params.node);
      const status = Number(params.status);
      if (![0, ...REDIRECTS].includes(status) || !/^\d{1,3}$/.test(params.status)) {
        throw new HttpError(
          'validation_failed',
          `The redirect must be 0 (reset) or one of ${REDIRECTS.join(', ')}, got "${params.status}".`,
          {
            errors: [{ pointer: '#/path/status', detail: `must be 0 or one of ${REDIRECTS.join(', ')}` }],
          },
        );
      }
      const switches = await nodes().setSwitch(node, 'redirect', status === 0 ? null : { value: status, ...scope(req) });
      sendJson(res, 200, { node, ...switches });
    },
  },
  {
    method: 'POST',
    path: '/{node}/v1/hang/{ms}',
    async handle({ req, res, params }) {
      const node = nodeName(params.node);
      const ms = HANG_MS.test(params.ms) ? Number(params.ms) : NaN;
      if (!(ms >= 0 && ms <= MAX_HANG_MS)) {
        throw new HttpError(
          'validation_failed',
          `The hang must be 0 (reset) or a number of milliseconds up to ${MAX_HANG_MS}, got "${params.ms}".`,
          {
            errors: [{ pointer: '#/path/ms', detail: `must be an integer from 0 to ${MAX_HANG_MS}` }],
          },
        );
      }
      const switches = await nodes().setSwitch(node, 'hang', ms === 0 ? null : { value: ms, ...scope(req) });
      sendJson(res, 200, { node, ...switches });
    },
  },
  {
    method: 'GET',
    path: '/{node}/v1/switches',
    async handle({ res, params }) {
      const node = nodeName(params.node);
      sendJson(res, 200, { node, ...(await nodes().switches(node)) });
    },
  },
]);

async function serveGroupApi({ req, res, params, log }: RequestContext, method: NodeMethod): Promise<void> {
  const node = nodeName(params.node);
  const groupId = method === 'GET' ? pathGroupId(params.groupId) : validateBody(readJsonObject(req)).groupId;
  const disruption = await nodes().take(node, method);
  if (disruption.redirect && req.path.endsWith('/')) {
    // Absolute, from the Host the caller used, as FastAPI builds it.
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    res.setHeader('Location', `${req.protocol}://${req.get('host')}${req.path.replace(/\/+$/, '')}${query}`);
    return sendJson(res, disruption.redirect.value, { node, redirect: disruption.redirect.value });
  }
  if (disruption.hang) {
    log.info(`node ${node}: hanging ${disruption.hang.value} ms before ${method}`, { event: 'node_sim_hang', node });
    await sleep(disruption.hang.value);
  }
  const status = disruption.status;
  if (status && !status.apply) return answerSwitched(res, log, node, method, status);
  const { code, body } = await serveGroup(node, method, groupId, log);
  if (status) return answerSwitched(res, log, node, method, status);
  if (code >= 400) throw new HttpError(code === 404 ? 'not_found' : 'bad_request', body);
  sendJson(res, code, { groupId });
}

/** Serves one request of the node API on the stored groups: the status and, for a refusal, why. */
async function serveGroup(node: string, method: NodeMethod, groupId: string, log: Logger): Promise<{ code: number; body: string }> {
  const store = nodes();
  if (method === 'POST') {
    if (!(await store.create(node, groupId))) return { code: 400, body: `Node ${node} already has group ${groupId}.` };
    log.info(`node ${node}: group ${groupId} created`, { event: 'node_sim_created', node, group_id: groupId });
    return { code: 201, body: '' };
  }
  if (method === 'DELETE') {
    if (!(await store.delete(node, groupId))) return { code: 404, body: `Node ${node} has no group ${groupId}.` };
    log.info(`node ${node}: group ${groupId} deleted`, { event: 'node_sim_deleted', node, group_id: groupId });
    return { code: 200, body: '' };
  }
  return (await store.has(node, groupId)) ? { code: 200, body: '' } : { code: 404, body: `Node ${node} has no group ${groupId}.` };
}

/** The switched answer: a problem for an error status, else JSON, or an HTML page if so switched. */
function answerSwitched(res: Response, log: Logger, node: string, method: NodeMethod, status: Switch): void {
  log.info(`node ${node}: answering ${status.value} to ${method}, as switched`, { event: 'node_sim_status', node });
  if (status.html) {
    res
      .status(status.value)
      .type('html')
      .send(`<!DOCTYPE html><html><body><h1>${status.value}</h1><p>Simulated node ${node}.</p></body></html>`);
    return;
  }
  if (status.value >= 400) {
    throw new HttpError(
      status.value >= 500 ? 'upstream_failed' : 'bad_request',
      `Simulated node ${node} is switched to answer ${status.value}.`,
      {
        status: status.value,
      },
    );
  }
  sendJson(res, status.value, { node, simulated: status.value });
}

function nodeName(value: string): string {
  if (!NODE_NAME.test(value)) {
    throw new HttpError('validation_failed', `"${value}" is not a node name: 1 to 63 of A-Z, a-z, 0-9, "_" and "-".`, {
      errors: [{ pointer: '#/path/node', detail: 'must match ^[A-Za-z0-9_-]{1,63}$' }],
    });
  }
  return value;
}

function pathGroupId(value: string): string {
  if (!GROUP_ID.test(value)) {
    throw new HttpError('validation_failed', `"${value}" is not a group id.`, {
      errors: [{ pointer: '#/path/groupId', detail: `must match ${GROUP_ID_PATTERN}` }],
    });
  }
  return value;
}

/** `?methods=`, `?times=` and `?after=` of a switch. */
function scope(req: Request): Pick<Switch, 'methods' | 'remaining' | 'after'> {
  const methodsText = queryValues(req, 'methods').join(',');
  let methods: NodeMethod[] | null = null;
  if (methodsText !== '') {
    methods = methodsText.split(',').map((m) => m.trim().toUpperCase()) as NodeMethod[];
    const wrong = methods.find((m) => !METHODS.includes(m));
    if (wrong !== undefined) {
      throw new HttpError('validation_failed', `methods must list ${METHODS.join(', ')}; got "${wrong}".`, {
        errors: [{ pointer: '#/query/methods', detail: `must be a comma-separated list of ${METHODS.join(', ')}` }],
      });
    }
  }
  const after = count(req, 'after');
  return { methods, remaining: count(req, 'times'), ...(after !== null && { after }) };
}

/** A count from 1 to 9999 in the query, or null when absent. */
function count(req: Request, name: string): number | null {
  const text = queryValues(req, name);
  if (text.length === 0) return null;
  const value = /^\d{1,4}$/.test(text[0]) ? Number(text[0]) : 0;
  if (text.length > 1 || value < 1) {
    throw new HttpError('validation_failed', `${name} must be one integer from 1 to 9999.`, {
      errors: [{ pointer: `#/query/${name}`, detail: 'must be an integer from 1 to 9999' }],
    });
  }
  return value;
}
