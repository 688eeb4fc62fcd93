import { closeServer, createLocalServer, listenLocal } from '../httpServer';
import * as http from 'node:http';
import type { FaultPlan } from './faultPlan';

/**
 * The public URL of one function in the local cloud: a reverse proxy to the function's own
 * process that first consults the fault plan, so tests can make a function answer 429 or 500,
 * or be slow, without touching its code.
 */
export class FaultProxy {
  private server?: http.Server;

  /** The function's own port, set once it listens; until then the proxy answers 503. */
  targetPort?: number;

  constructor(
    readonly functionName: string,
    private readonly faults: FaultPlan,
  ) {}

  async listen(port: number): Promise<string> {
    this.server = createLocalServer((req, res) => void this.handle(req, res));
    return listenLocal(this.server, port);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.targetPort === undefined) {
      req.resume();
      res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service unavailable',
          status: 503,
          detail: `${this.functionName} is still starting.`,
        }),
      );
      return;
    }
    if (await applyFault(this.faults, this.functionName, req, res)) return;
    const upstream = http.request(
      { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { 'Content-Type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Bad gateway',
          status: 502,
          detail: `${this.functionName} is not answering: ${err.message}`,
        }),
      );
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }
}

/**
 * Applies the next fault armed for `name` (a function, or a local service such as `sheets`):
 * answers its status and returns true, or waits its delay and returns false (the request then
 * goes on), or returns false at once when none is armed.
 */
export async function applyFault(faults: FaultPlan, name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
  const fault = faults.take(name);
  if (fault && 'status' in fault) {
    req.resume();
    const body = fault.body ?? {
      type: 'about:blank',
      title: 'Injected fault',
      status: fault.status,
      detail: `The local cloud answered ${fault.status} in front of ${name}, as asked on its control server.`,
    };
    res.writeHead(fault.status, { 'Content-Type': fault.body === undefined ? 'application/problem+json' : 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  }
  if (fault && 'delay_ms' in fault) {
    await new Promise((r) => setTimeout(r, fault.delay_ms));
    if (req.destroyed || res.destroyed) return true;
  }
  return false;
}
