import * as http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/**
 * A closed-loop load generator: `concurrency` keep-alive connections each sending the next
 * request as soon as the previous answer arrives, for `seconds`. Bounded in time and aimed only
 * at 127.0.0.1. A response counts as an error when its status is not `expectStatus` (any 4xx/5xx
 * when unset).
 */
export async function load(
  url: string,
  options: { concurrency: number; seconds: number; method?: string; body?: () => string; expectStatus?: number },
): Promise<LoadResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('benchmarks only target 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + options.seconds * 1000;
  const started = process.hrtime.bigint();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const body = options.body?.();
      const t = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: options.method ?? 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (options.expectStatus !== undefined ? res.statusCode !== options.expectStatus : (res.statusCode ?? 500) >= 400) errors++;
            latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50ms: at(0.5), p99ms: at(0.99) };
}
