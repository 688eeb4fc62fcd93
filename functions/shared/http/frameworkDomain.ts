import type { Domain } from 'node:domain';
import * as path from 'node:path';
import type { HttpFunction } from '@google-cloud/functions-framework';

/**
 * Why this file exists: the Functions Framework runs every HTTP request inside a fresh Node
 * `domain` (`wrapHttpFunction` in its `function_wrappers.js`), so that an exception thrown from
 * a callback of that request is answered with a 500 instead of crashing the instance. Creating
 * a domain switches on Node's async hooks for the whole process, for good: from then on every
 * promise, tick, timer and stream any request creates is seen by the domain's hooks (and gets a
 * destroy hook), and, inside the domain, is tagged with it and enters and leaves it on every
 * callback, re-arming the process's exception capture each time. A client library's call
 * creates hundreds of those. Measured against a bare client making the same Firestore calls
 * (`bench/throughput.ts`, README "Measured"), the framework's domain nearly doubled the CPU a
 * streamed 64-document query costs, and added about half to an increment's commit; leaving the
 * domain at the start of the handler won back the first, not the second, since the hooks stay on.
 *
 * This kit does not need it: `httpFunction` catches every error its handlers throw or reject
 * with and answers it as a problem, logged with the trace. So the framework's wrapper is told to
 * call the handlers `httpFunction` registers directly, and to wrap any other function as
 * before. An exception thrown from a stray callback (a bug) still reaches the framework's
 * process-wide `uncaughtException` handler, which answers 500 and restarts the instance: what
 * Node recommends after an unknown failure, rather than carrying on in an unknown state.
 *
 * The framework builds its server after loading the function's module, and looks
 * `wrapUserFunction` up on its module when it does, so replacing it at module load is enough
 * (as `frameworkErrors.ts` does for Express's final handler). Its package does not export that
 * module, so it is loaded by its path: if a new framework version moves it, start-up fails
 * loudly here rather than running every request in a domain again.
 */
const PATCHED = Symbol.for('gcf-backend-kit.directHttpWrapper');
const DIRECT = Symbol.for('gcf-backend-kit.directHttpHandler');

type WrapUserFunction = (userFunction: unknown, signatureType: string) => unknown;

/** Marks `handler` as one the framework calls directly, with no domain around it. */
export function callDirectly(handler: HttpFunction): HttpFunction {
  return Object.assign(handler, { [DIRECT]: true });
}

export function installDirectHttpWrapper(): void {
  const frameworkDir = path.dirname(require.resolve('@google-cloud/functions-framework'));
  const wrappers = require(path.join(frameworkDir, 'function_wrappers.js')) as {
    wrapUserFunction: WrapUserFunction;
    [PATCHED]?: boolean;
  };
  if (wrappers[PATCHED]) return;
  if (typeof wrappers.wrapUserFunction !== 'function') {
    throw new Error('functions-framework: function_wrappers.wrapUserFunction is gone; see functions/shared/http/frameworkDomain.ts');
  }
  const original = wrappers.wrapUserFunction;
  wrappers.wrapUserFunction = (userFunction, signatureType) => {
    if (signatureType !== 'http' || !(userFunction as { [DIRECT]?: boolean })[DIRECT]) return original(userFunction, signatureType);
    const handler = userFunction as HttpFunction;
    return (req: Parameters<HttpFunction>[0], res: Parameters<HttpFunction>[1]) => {
      // httpFunction's handler answers every error itself; a rejection would be a bug in that
      // very code, and becomes an unhandled rejection, which the framework answers with a 500.
      void handler(req, res);
    };
  };
  wrappers[PATCHED] = true;
}

/** The domain the current code runs in, if any (`process.domain`, which Node's types do not declare). */
export function activeDomain(): Domain | undefined {
  return (process as { domain?: Domain | null }).domain ?? undefined;
}
