import { createLogger } from '../logger';
import { HttpError } from '../errors';
import { sendProblem } from './problem';

/**
 * Why this file exists: the Functions Framework parses request bodies with body-parser before
 * user code runs, and answers a malformed JSON body (or a bare JSON value such as `true`, which
 * its strict parser refuses) by handing the error to Express's default final handler, which
 * writes an HTML page. Users of this kit must get problem+json there too, locally and deployed.
 *
 * The framework loads the function's module *before* it builds its Express app, and Express
 * copies `express.application` onto each new app, so replacing `application.handle` here, at
 * module load, gives every app the framework builds a final handler of ours. We patch the copy
 * of Express the framework itself resolves, and only once.
 */
const PATCHED = Symbol.for('gcf-backend-kit.problemFinalHandler');

type Handle = (req: unknown, res: unknown, callback?: (err?: unknown) => void) => unknown;
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  body?: string;
}

export function installProblemFinalHandler(): void {
  const frameworkMain = require.resolve('@google-cloud/functions-framework');
  const express = require(require.resolve('express', { paths: [frameworkMain] })) as {
    application: { handle: Handle; [PATCHED]?: boolean };
  };
  const app = express.application;
  if (app[PATCHED]) return;
  const original = app.handle;
  app.handle = function handle(this: unknown, req, res, callback) {
    return original.call(this, req, res, callback ?? ((err?: unknown) => finalHandler(err, res as never)));
  };
  app[PATCHED] = true;
}

function finalHandler(err: unknown, res: import('@google-cloud/functions-framework').Response): void {
  sendProblem(res, toHttpError(err));
}

/** Maps what body-parser and Express can throw before our code runs to a problem a client can act on. */
export function toHttpError(err: unknown): HttpError {
  if (err === undefined) return new HttpError('not_found', 'No resource at this path.');
  const e = err as BodyParserError;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError('invalid_body', describeParseFailure(e));
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
