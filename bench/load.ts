import * as http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  /** Every successful operation's latency, ascending (so rounds can be merged). */
  latencies: number[];
  /** CPU seconds the process doing the work (the function, or the bare client) used meanwhile, when measured. */
  cpuSeconds?: number;
}

/**
 * A closed loop: `concurrency` workers each starting the next operation as soon as the previous
 * one settles, for `seconds`. `one` resolves true for a success, false for an error (it must
 * not reject). The same loop drives HTTP load at a function and a bare client's backend calls,
 * so the two are measured the same way.
 */
export async function closedLoop(concurrency: number, seconds: number, one: () => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        if (await one()) latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        else errors++;
      }
    }),
  );
  return summarise(latencies, errors, Number(process.hrtime.bigint() - started) / 1e9);
}

/** One result for several rounds of the same measurement, as if they had been one run. */
export function merge(results: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const merged = summarise(
    results.flatMap((r) => r.latencies),
    sum((r) => r.errors),
    sum((r) => r.seconds),
  );
  if (results.every((r) => r.cpuSeconds !== undefined)) merged.cpuSeconds = sum((r) => r.cpuSeconds!);
  return merged;
}

/** `work`'s result with the CPU seconds `cpu` (a process's running total) grew by meanwhile. */
export async function withCpu(cpu: () => number, work: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = cpu();
  const result = await work();
  return { ...result, cpuSeconds: cpu() - before };
}

/** A result from latencies measured some other way (bursts rather than a closed loop). */
export function summarise(latencies: number[], errors: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const requests = latencies.length;
  return { requests, errors, seconds, perSecond: requests / seconds, p50ms: at(0.5), p99ms: at(0.99), latencies };
}

export interface LoadOptions {
  concurrency: number;
  seconds: number;
  method?: string;
  /** Path and query after the function's URL (default: the URL's own path). */
  path?: string;
  body?: () => string;
  /** A response counts as an error when its status is not this one (any 4xx/5xx when unset). */
  expectStatus?: number;
}

/**
 * HTTP load on `closedLoop`: keep-alive connections, aimed only at 127.0.0.1. Only answers
 * with the expected status count as requests in the rate; the others are errors.
 */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('benchmarks only target 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const path = target.pathname.replace(/\/$/, '') + (options.path ?? '/');
  const ok = (status: number | undefined): boolean =>
    options.expectStatus !== undefined ? status === options.expectStatus : (status ?? 500) < 400;
  const one = (): Promise<boolean> =>
    new Promise((resolve) => {
      const body = options.body?.();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path,
          method: options.method ?? 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(ok(res.statusCode)));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });
  try {
    return await closedLoop(options.concurrency, options.seconds, one);
  } finally {
    agent.destroy();
  }
}
