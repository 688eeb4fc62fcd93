import * as http from 'node:http';

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
