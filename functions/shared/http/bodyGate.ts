import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors';
import { sendProblem } from './problem';

/** What one function accepts as a request body, known before a byte of it is read. */
export interface BodyPolicy {
  /** Largest body, in bytes, framing included. */
  maxBytes: number;
  /** Methods whose routes take a body: every routed method but GET (and HEAD, answered as GET). */
  methodsWithBody: ReadonlySet<string>;
  /** Every method the function routes: a body on any other is answered 405 with this `Allow`. */
  routedMethods: ReadonlySet<string>;
}

export function bodyPolicy(maxBytes: number, methods: Iterable<string>): BodyPolicy {
  const routedMethods = new Set(methods);
  if (routedMethods.has('GET')) routedMethods.add('HEAD');
  const methodsWithBody = new Set([...routedMethods].filter((m) => m !== 'GET' && m !== 'HEAD'));
  return { maxBytes, methodsWithBody, routedMethods };
}

/**
 * Why: the Functions Framework's body-parser buffers and parses up to 1 GB before any handler
 * runs, so a handler's own size check comes after the memory is spent (one anonymous 30 MiB POST
 * took an instance from 95 to 391 MB). This runs first, on the headers alone: a body on a method
 * that takes none, a compressed body (body-parser would inflate it past any limit), or a
 * `Content-Length` over the limit is answered at once, and a chunked body is cut off as soon as
 * it passes the limit. Returns false when it has answered. A request without a body (the common
 * GET) costs two header lookups.
 *
 * A refused request's connection is closed after the answer (`Connection: close`): the rest of
 * its body is never read.
 */
export function admitBody(req: IncomingMessage, res: ServerResponse, policy: BodyPolicy): boolean {
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const length = req.headers['content-length'];
  if (!chunked && (length === undefined || Number(length) === 0)) return true;
  const refusal = refusalFor(req, policy, chunked ? undefined : Number(length));
  if (refusal) {
    refuse(res, refusal);
    return false;
  }
  if (chunked) capChunkedBody(req, res, policy.maxBytes);
  return true;
}

function refusalFor(req: IncomingMessage, policy: BodyPolicy, announced: number | undefined): HttpError | undefined {
  const method = req.method ?? '';
  if (!policy.methodsWithBody.has(method)) {
    if (policy.routedMethods.has(method))
      return new HttpError('bad_request', `A ${method} request takes no body here; send it without one.`);
    const allow = [...policy.routedMethods].join(', ');
    return new HttpError('method_not_allowed', `${method} is not allowed here; use ${allow}.`, { headers: { Allow: allow } });
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return new HttpError('unsupported_media_type', `Content-Encoding ${encoding} is not accepted; send the body uncompressed.`);
  }
  if (announced !== undefined && announced > policy.maxBytes) return tooLarge(policy.maxBytes, `announces ${announced} bytes`);
  return undefined;
}

/**
 * Counts a chunked body's bytes as the socket delivers them, before body-parser sees them, and
 * answers 413 at the chunk that passes `maxBytes`; nothing after it reaches the parser. The count
 * rides on `emit` rather than a `data` listener of its own, which would start the stream flowing
 * before body-parser listens and lose bytes.
 */
function capChunkedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const emit = req.emit;
  let received = 0;
  req.emit = function countingEmit(this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data') {
      if (received > maxBytes) return false;
      received += (args[0] as Buffer).length;
      if (received > maxBytes) {
        refuse(res, tooLarge(maxBytes, `is over ${maxBytes} bytes`));
        return false;
      }
    }
    return emit.call(this, event, ...args);
  } as IncomingMessage['emit'];
}

function tooLarge(maxBytes: number, what: string): HttpError {
  return new HttpError('payload_too_large', `The body ${what}; at most ${maxBytes} are accepted.`);
}

function refuse(res: ServerResponse, err: HttpError): void {
  // The platform's request log records the refusal with its status; a log line per refused
  // request here would only let a flood of them cost log volume too.
  res.setHeader('Connection', 'close');
  sendProblem(res, err);
}
