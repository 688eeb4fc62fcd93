import * as http from 'node:http';
import { problemType } from '../../functions/shared/http/problem';
import { STATUS_BY_CODE, TITLE_BY_CODE, type ErrorCode } from '../../functions/shared/errors';
import { closeServer, createLocalServer, listenLocal } from '../httpServer';
import { gatewayRoute } from './gatewayRoute';

/**
 * The local cloud's front door: `<gateway>/<function>/<path>?<query>` reaches that function as
 * `/<path>?<query>`, as `https://REGION-PROJECT.cloudfunctions.net/<function>/<path>` does
 * deployed, so a client written for one host (the seed projects' suites, Swagger UI's "try it
 * out") reaches the whole collection. Each request goes to the function's public URL, its fault
 * proxy, so injected faults apply here too. Every method; bodies and answers are streamed, never
 * buffered (multi-MiB uploads pass at the pace the function reads them); status and headers pass
 * through as they are.
 */
export class GatewayServer {
  private server?: http.Server;
  private url = '';
  /** Keep-alive to the fault proxies: a new connection per request would cost more than the hop itself. */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  /**
   * @param names deployed name (`increment-tag`) → entry point (`incrementTag`)
   * @param target the public URL of a function by entry point, once it has one
   */
  constructor(
    private readonly names: ReadonlyMap<string, string>,
    private readonly target: (entryPoint: string) => string | undefined,
  ) {}

  async listen(port: number): Promise<string> {
    this.server = createLocalServer((req, res) => this.handle(req, res));
    this.url = await listenLocal(this.server, port);
    return this.url;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = gatewayRoute(req.url ?? '/', this.names);
    if (route.kind === 'root') {
      req.resume();
      // What a person opening the gateway in a browser wants first.
      res.writeHead(302, { Location: '/docs/', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (route.kind === 'unknown') {
      const hint = route.suggestion ? ` The URL of a function starts with its deployed name: /${route.suggestion}/...` : '';
      return this.problem(req, res, 'not_found', `No function is named "${route.segment}".${hint}`);
    }
    const base = this.target(route.name);
    if (!base) return this.problem(req, res, 'unavailable', `${route.name} is still starting.`);
    const { hostname, port } = new URL(base);
    const upstream = http.request(
      { host: hostname, port, method: req.method, path: route.path, headers: req.headers, agent: this.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      this.problem(req, res, 'upstream_failed', `${route.name} did not answer: ${err.message}`);
    });
    // A client that goes away mid-request (or mid-answer) takes the upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /** The gateway's own errors look like the functions' (problem+json, a type that links to the docs page). */
  private problem(req: http.IncomingMessage, res: http.ServerResponse, code: ErrorCode, detail: string): void {
    req.resume();
    const status = STATUS_BY_CODE[code];
    const body = JSON.stringify({ type: problemType(code, this.url), title: TITLE_BY_CODE[code], status, detail });
    res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await closeServer(this.server);
  }
}
