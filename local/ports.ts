import * as net from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (for child processes that need one up front). */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    // The kernel may offer a port again once its probe is closed, before whoever it was handed
    // to has bound it (an emulator takes seconds): never hand the same port out twice.
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

const handedOut = new Set<number>();

/**
 * Throws a clear error if `port` is taken: for a child process (the Firestore emulator) that would
 * otherwise fail with its own, less clear message. In-process servers learn it from `listenLocal`.
 */
export async function assertPortFree(port: number): Promise<void> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!ok) throw new Error(`port ${port} on 127.0.0.1 is in use (is another local cloud running? set LOCAL_CLOUD_PORT)`);
  await new Promise((r) => server.close(r));
}
