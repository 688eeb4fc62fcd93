import * as functions from '@google-cloud/functions-framework';
import type { HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { isTransient } from '../clients/googleErrors';
import { HttpError } from '../errors';
import { requestLogger, type Logger } from '../logger';
import { installNoFrameworkContext } from './frameworkContext';
import { callDirectly, installDirectHttpWrapper } from './frameworkDomain';
import { declareBodyPolicy, installFrameworkGuards } from './frameworkErrors';
import { bodyPolicy } from './bodyGate';
import { clientAddress } from './clientAddress';
import { declaredMaxBodyBytes } from './bodyLimit';
import { sendProblem } from './problem';
import { Router, type Route } from './router';

installFrameworkGuards();
installDirectHttpWrapper();
installNoFrameworkContext();

/**
 * Registers one deployed function: routes by method and path, logs one `httpRequest` line per
 * request with the trace, and is the one place that turns a thrown error into a response.
 * `HttpError`s become their problem; anything else is logged at ERROR with its stack and the
 * trace, and answered with a problem that never contains the stack: 503 with `Retry-After` when
 * a Google API failed in a way another attempt may not (see `isTransient`), 500 otherwise.
 * Bodies over the function's declared limit, or on a method its routes take none with, never
 * get this far (see `bodyGate.ts`).
 */
export function httpFunction(name: string, routes: Route[]): HttpFunction {
  const router = new Router(routes);
  const handler: HttpFunction = async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const log = requestLogger(req);
    res.once('finish', () => logRequest(log, req, res, started));
    try {
      const { route, params } = router.match(req.method, req.path);
      await route.handle({ req, res, params, log });
    } catch (err) {
      handleError(err, res, log);
    }
  };
  declareBodyPolicy(
    handler,
    bodyPolicy(
      declaredMaxBodyBytes(name),
      routes.map((r) => r.method),
    ),
  );
  functions.http(name, callDirectly(handler));
  return handler;
}

function handleError(err: unknown, res: Response, log: Logger): void {
  if (err instanceof HttpError) {
    if (err.status >= 500) log.error(err.detail, { error: err.options.cause ?? err, status: err.status });
    sendProblem(res, err);
    return;
  }
  log.error('unhandled error', { error: err instanceof Error ? err : new Error(String(err)) });
  if (isTransient(err)) {
    sendProblem(res, new HttpError('unavailable', TRANSIENT_DETAIL, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } }));
    return;
  }
  sendProblem(res, new HttpError('internal', "An unexpected error occurred; it has been logged with this request's trace."));
}

/** Seconds a client should wait before retrying after a 503. */
const RETRY_AFTER_SECONDS = 1;
const TRANSIENT_DETAIL =
  'A service this function depends on is busy or briefly unavailable; retry after the Retry-After delay. ' +
  'A write may have been applied before the failure: retry it with the same Idempotency-Key where the endpoint takes one.';

function logRequest(log: Logger, req: Request, res: Response, started: bigint): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const status = res.statusCode;
  const fields = {
    httpRequest: {
      requestMethod: req.method,
      requestUrl: req.originalUrl,
      status,
      responseSize: String(res.getHeader('content-length') ?? ''),
      userAgent: req.get('user-agent'),
      remoteIp: clientAddress(req),
      protocol: `HTTP/${req.httpVersion}`,
      latency: `${seconds.toFixed(6)}s`,
    },
  };
  const line = `${req.method} ${req.originalUrl} ${status}`;
  if (status >= 500) log.error(line, fields);
  else if (status >= 400) log.warn(line, fields);
  else log.info(line, fields);
}
