import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { HttpFunction } from '@google-cloud/functions-framework';
import { createLogger } from '../logger';
import { HttpError } from '../errors';
import { admitBody, bodyPolicy, type BodyPolicy } from './bodyGate';
import { DEFAULT_MAX_BODY_BYTES } from './bodyLimit';
import { isJsonContentType } from './body';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './jsonDepth';
import { sendProblem } from './problem';

/**
 * Why this file exists: the Functions Framework parses request bodies with body-parser before
 * user code runs, and answers a malformed JSON body (or a bare JSON value such as `true`, which
 * its strict parser refuses) by handing the error to Express's default final handler, which
 * writes an HTML page. Users of this kit must get problem+json there too, locally and deployed.
 * The same parser would also buffer up to 1 GB of any body and parse JSON of any depth, so the
 * requests it must never read are refused here too, before it runs (`bodyGate.ts`).
 *
 * The framework loads the function's module *before* it builds its Express app, and Express
 * copies `express.application` onto each new app, so replacing `application.handle` here, at
 * module load, gives every app the framework builds a final handler of ours and the body gate in
 * front of its middleware. The gate needs the limits of the function the app serves: the
 * framework's `getServer(userFunction, …)` is wrapped to hand the app the policy `httpFunction`
 * attached to that function. We patch the copy of Express the framework itself resolves, and
 * only once.
 */
const PATCHED = Symbol.for('gcf-backend-kit.problemFinalHandler');
const POLICY = Symbol.for('gcf-backend-kit.bodyPolicy');
const RAW_BODY = Symbol('rawBody');

/** What a function accepts when it was registered without `httpFunction` (none is, in this kit). */
const DEFAULT_POLICY = bodyPolicy(DEFAULT_MAX_BODY_BYTES, ['GET', 'POST']);

type Handle = (req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void) => unknown;
type App = { [POLICY]?: BodyPolicy };
type GetServer = (userFunction: HttpFunction, options: unknown) => Server;
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  body?: string;
}

/** Attaches to a registered function the body policy its server's gate enforces. */
export function declareBodyPolicy(fn: HttpFunction, policy: BodyPolicy): void {
  (fn as HttpFunction & App)[POLICY] = policy;
}

export function installFrameworkGuards(): void {
  const frameworkMain = require.resolve('@google-cloud/functions-framework');
  const express = require(require.resolve('express', { paths: [frameworkMain] })) as {
    application: { handle: Handle; [PATCHED]?: boolean };
    request: object;
  };
  const app = express.application;
  if (app[PATCHED]) return;
  const original = app.handle;
  app.handle = function handle(this: App, req, res, callback) {
    if (!admitBody(req, res, this[POLICY] ?? DEFAULT_POLICY)) return;
    return original.call(this, req, res, callback ?? ((err?: unknown) => finalHandler(err, res)));
  };
  // `main.js` and `testing.js` both call the server module's export at call time, so wrapping the
  // export reaches every server the framework builds.
  const serverModule = require(path.join(path.dirname(frameworkMain), 'server.js')) as { getServer: GetServer };
  const getServer = serverModule.getServer;
  serverModule.getServer = (userFunction, options) => {
    const server = getServer(userFunction, options);
    const requestListener = server.listeners('request')[0] as App;
    requestListener[POLICY] = (userFunction as HttpFunction & App)[POLICY];
    return server;
  };
  refuseDeepJson(express.request);
  app[PATCHED] = true;
}

/**
 * The framework's body-parser hands every raw body to a `verify` hook that assigns
 * `req.rawBody` before parsing; an accessor on Express's request prototype turns that assignment
 * into the depth check, and a throw there becomes body-parser's own verify error (which
 * `toHttpError` maps) instead of a parse.
 */
function refuseDeepJson(request: object): void {
  Object.defineProperty(request, 'rawBody', {
    configurable: true,
    get(this: { [RAW_BODY]?: Buffer }) {
      return this[RAW_BODY];
    },
    set(this: IncomingMessage & { [RAW_BODY]?: Buffer }, buf: Buffer) {
      if (isJsonContentType(this) && jsonNestsDeeperThan(buf)) {
        throw Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`), { type: TOO_DEEP });
      }
      this[RAW_BODY] = buf;
    },
  });
}

const TOO_DEEP = 'entity.too.deep';

function finalHandler(err: unknown, res: ServerResponse): void {
  sendProblem(res, toHttpError(err));
}

/** Maps what body-parser and Express can throw before our code runs to a problem a client can act on. */
export function toHttpError(err: unknown): HttpError {
  if (err === undefined) return new HttpError('not_found', 'No resource at this path.');
  const e = err as BodyParserError;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError('invalid_body', describeParseFailure(e));
    case TOO_DEEP:
      return new HttpError('invalid_body', e.message);
    case 'entity.too.large':
      return new HttpError('payload_too_large', 'The request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('unsupported_media_type', e.message);
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpError('bad_request', e.message);
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError('bad_request', e.message);
  createLogger().error('request failed before reaching the function', { error: err });
  return new HttpError('internal', 'An unexpected error occurred.');
}

function describeParseFailure(e: BodyParserError): string {
  const text = (e.body ?? '').trim();
  try {
    JSON.parse(text);
    // Valid JSON that the strict parser refused: a bare value such as `true`, `42` or `"x"`.
    return 'The body must be a JSON object.';
  } catch {
    return text === '' ? 'The body is empty; a JSON object is required.' : `The body is not valid JSON: ${e.message}.`;
  }
}
