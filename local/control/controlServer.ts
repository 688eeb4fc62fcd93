import { closeServer, createLocalServer, listenLocal, readBody, sendJson } from '../httpServer';
import * as http from 'node:http';
import { FaultPlan, parseFault } from '../faults/faultPlan';

/**
 * The local cloud's control plane, for tests and curious developers:
 *   GET    /         the endpoints document (same as .local/endpoints.json)
 *   POST   /faults   arm a fault in front of a function: {"function","status","times"} or {"function","delay_ms","times"},
 *                     or of a local service by name: {"service": "sheets", "status": 429, "times": 3}
 *   GET    /faults   the armed faults
 *   DELETE /faults   disarm all
 *   POST   /reset    wipe every service's data (Firestore, BigQuery, Workflows executions, Storage) and the faults
 *   GET    /functions/{name}/env   the environment the cloud gave that function (`make alone` prints it)
 */
export interface ControlHooks {
  endpoints(): unknown;
  functionNames(): string[];
  /** Local services that apply faults armed for them by name (`{"service": "sheets", ...}`). */
  faultableServices(): string[];
  functionEnv(name: string): Record<string, string> | undefined;
  reset(): Promise<string[]>;
}

/** A fault is a few dozen bytes; anything this big is not one (answered 400 like other bad bodies). */
const MAX_BODY_BYTES = 1024 * 1024;

export class ControlServer {
  private server?: http.Server;

  constructor(
    readonly faults: FaultPlan,
    private readonly hooks: ControlHooks,
  ) {}

  async listen(port: number): Promise<string> {
    this.server = createLocalServer((req, res) => {
      this.route(req, res).catch((err: Error) => sendJson(res, 500, { error: err.message }));
    });
    return listenLocal(this.server, port);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const key = `${req.method} ${path}`;
    switch (key) {
      case 'GET /':
        return sendJson(res, 200, this.hooks.endpoints());
      case 'GET /faults':
        return sendJson(res, 200, { faults: this.faults.list() });
      case 'DELETE /faults':
        this.faults.clear();
        return sendJson(res, 200, { faults: [] });
      case 'POST /faults': {
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req, MAX_BODY_BYTES, () => new Error('too large'))).toString('utf8'));
        } catch {
          return sendJson(res, 400, { error: 'the body must be JSON' });
        }
        const fault = parseFault(body, this.hooks.functionNames(), this.hooks.faultableServices());
        if (typeof fault === 'string') return sendJson(res, 400, { error: fault });
        this.faults.add(fault);
        return sendJson(res, 201, { fault, faults: this.faults.list() });
      }
      case 'POST /reset':
        return sendJson(res, 200, { reset: await this.hooks.reset() });
    }
    const envOf = /^\/functions\/([^/]+)\/env$/.exec(path);
    if (envOf && req.method === 'GET') {
      const env = this.hooks.functionEnv(decodeURIComponent(envOf[1]));
      if (env) return sendJson(res, 200, env);
      return sendJson(res, 404, { error: `no function ${envOf[1]}; the functions are ${this.hooks.functionNames().join(', ')}` });
    }
    const known = ['/', '/faults', '/reset'];
    return sendJson(res, known.includes(path) ? 405 : 404, { error: `${key} is not a control endpoint` });
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }
}
