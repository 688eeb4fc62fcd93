/** Thrown by a probe to stop waiting at once (the process being waited for has died). */
export class StartupFailed extends Error {}

/**
 * Polls `probe` until it resolves true, or throws after `timeoutMs` naming `what`. A probe that
 * throws counts as "not yet", except with `StartupFailed`, which ends the wait.
 */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await probe().catch((err) => {
      if (err instanceof StartupFailed) throw err;
      return false;
    });
    if (ready) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** True when something answers HTTP at `url` (any status). */
export async function answersHttp(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return true;
}

/** True when something accepts TCP connections on 127.0.0.1:`port` (no request, so nothing is logged). */
export async function acceptsConnections(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
