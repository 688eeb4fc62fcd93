import * as path from 'node:path';

/**
 * Why this file exists: the Functions Framework runs every request inside an `AsyncLocalStorage`
 * holding its execution id and span id (`asyncLocalStorageMiddleware`), whatever its options, so
 * that, with `LOG_EXECUTION_ID` (which the platform sets on every 2nd gen function), its wrapper
 * of `process.stdout.write` can parse each line written and write it again with the execution id
 * as a label. On Node 20 an active AsyncLocalStorage puts a hook on every promise and callback
 * the process creates: measured with a bare client making an increment's Firestore commit inside
 * one (bench/throughput.ts, README "Measured"), about a fifth more CPU per commit; and the
 * wrapper parses and re-serialises every JSON line the kit's logger has just serialised.
 *
 * The kit's logger labels its own lines with the request's execution id (the framework still
 * reads it into `req.executionId`), so the framework's storage is left empty: its middleware is
 * replaced by one that passes the request on, and its stdout wrapper, finding no context, writes
 * each line unchanged. The framework builds its server after loading the function's module and
 * looks the middleware up on its module when it does, so replacing it at module load is enough;
 * the module is not exported by the package, so it is loaded by its path, and if a new framework
 * version moves it, start-up fails loudly here.
 */
const PATCHED = Symbol.for('gcf-backend-kit.noFrameworkAsyncLocalStorage');

type Middleware = (req: unknown, res: unknown, next: () => void) => void;

export function installNoFrameworkContext(): void {
  const storage = frameworkStorageModule();
  if (storage[PATCHED]) return;
  if (typeof storage.asyncLocalStorageMiddleware !== 'function') {
    throw new Error('functions-framework: asyncLocalStorageMiddleware is gone; see functions/shared/http/frameworkContext.ts');
  }
  storage.asyncLocalStorageMiddleware = (_req, _res, next) => next();
  storage[PATCHED] = true;
}

/** The framework's per-request context as its log wrapper sees it (undefined once `installNoFrameworkContext` ran). */
export function frameworkContext(): unknown {
  return frameworkStorageModule().getCurrentContext();
}

function frameworkStorageModule(): {
  asyncLocalStorageMiddleware: Middleware;
  getCurrentContext: () => unknown;
  [PATCHED]?: boolean;
} {
  const frameworkDir = path.dirname(require.resolve('@google-cloud/functions-framework'));
  return require(path.join(frameworkDir, 'async_local_storage.js'));
}
