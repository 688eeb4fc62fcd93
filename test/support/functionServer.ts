import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';

/**
 * Serves a registered function through the real Functions Framework stack (body parsing, our
 * final handler, routing) on a free port, the way `getTestServer` is meant to be used.
 */
export async function serveFunction(name: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
