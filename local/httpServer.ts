import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server for a piece of the local cloud. Why not plain `http.createServer`: Node closes
 * an idle keep-alive connection after 5 s, and a client that picks that socket from its pool at
 * the same moment gets ECONNRESET (seen with the Workflows client's agent, which keeps sockets
 * longer). Outliving the clients' idle timeouts, as Google's front ends do, removes that race.
 */
export function createLocalServer(handler: http.RequestListener): http.Server {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

/**
 * Listens on 127.0.0.1 at `port` (0: any free port) and resolves to `http://127.0.0.1:PORT`.
 * A port already taken rejects with a message that says what to do about it.
 */
export async function listenLocal(server: http.Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} on 127.0.0.1 is in use (is another local cloud running? set LOCAL_CLOUD_PORT)`)
          : err,
      );
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Stops listening and drops every open connection, idle or not. Safe when not listening. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Reads a request body of at most `maxBytes`; past that, throws `tooLarge()`. */
export async function readBody(req: http.IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** How a server words each way a JSON body can be wrong. */
export interface JsonBodyErrors {
  tooLarge: () => Error;
  notJson: () => Error;
  notObject: () => Error;
}

/** Reads a JSON object body; an empty body is `{}`. */
export async function readJsonObject(
  req: http.IncomingMessage,
  maxBytes: number,
  errors: JsonBodyErrors,
): Promise<Record<string, unknown>> {
  const text = (await readBody(req, maxBytes, errors.tooLarge)).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.notJson();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.notObject();
  return parsed as Record<string, unknown>;
}

/** Answers `status` with `body` as JSON. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
