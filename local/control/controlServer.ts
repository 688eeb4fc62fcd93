import { createLocalServer } from '../httpServer';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, parseFault } from '../faults/faultPlan';

/**
 * The local cloud's control plane, for tests and curious developers:
 *   GET    /         the endpoints document (same as .local/endpoints.json)
 *   POST   /faults   arm a fault in front of a function: {"function","status","times"} or {"function","delay_ms","times"}
 *   GET    /faults   the armed faults
 *   DELETE /faults   disarm all
 *   POST   /reset    wipe every service's data (Firestore, BigQuery, Workflows executions, Storage) and the faults
 */
export interface ControlHooks {
  endpoints(): unknown;
  functionNames(): string[];
  reset(): Promise<string[]>;
}

export class ControlServer {
  private server?: http.Server;

  constructor(
    readonly faults: FaultPlan,
    private readonly hooks: ControlHooks,
  ) {}

  async listen(port: number): Promise<string> {
    this.server = createLocalServer((req, res) => {
      this.route(req, res).catch((err: Error) => reply(res, 500, { error: err.message }));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const key = `${req.method} ${path}`;
    switch (key) {
      case 'GET /':
        return reply(res, 200, this.hooks.endpoints());
      case 'GET /faults':
        return reply(res, 200, { faults: this.faults.list() });
      case 'DELETE /faults':
        this.faults.clear();
        return reply(res, 200, { faults: [] });
      case 'POST /faults': {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return reply(res, 400, { error: 'the body must be JSON' });
        }
        const fault = parseFault(body, this.hooks.functionNames());
        if (typeof fault === 'string') return reply(res, 400, { error: fault });
        this.faults.add(fault);
        return reply(res, 201, { fault, faults: this.faults.list() });
      }
      case 'POST /reset': {
        this.faults.clear();
        return reply(res, 200, { reset: await this.hooks.reset() });
      }
    }
    const known = ['/', '/faults', '/reset'];
    return reply(res, known.includes(path) ? 405 : 404, { error: `${key} is not a control endpoint` });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r) ?? r(undefined));
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body, null, 2) + '\n');
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
