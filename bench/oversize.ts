import * as http from 'node:http';
import { functionEntry } from '../manifest/manifest';
import { localEnv, placeholderFunctionUrls } from '../local/wiring';
import { catalogSource, FunctionUnderTest } from './functionUnderTest';
import { printTable } from './report';

/**
 * Peak RSS of one function instance under a stream of oversize requests, against the same
 * instance idle (issue 12: the framework's body-parser used to buffer and parse up to 1 GB before
 * a handler's size check ran). Each scenario starts a fresh process, reads its peak RSS (Linux
 * VmHWM) after one ordinary request, then sends BENCH_OVERSIZE_REQUESTS requests,
 * BENCH_OVERSIZE_CONCURRENCY at a time, each trying to send its whole body, and reads the peak
 * again. A request is "refused" when a 4xx arrived, "cut" when the server closed the connection
 * while the body was still being sent (what a refusal looks like to a client still writing).
 * Needs no backend: every request is refused before a handler would call one.
 */
const REQUESTS = Number(process.env.BENCH_OVERSIZE_REQUESTS ?? 24);
const CONCURRENCY = Number(process.env.BENCH_OVERSIZE_CONCURRENCY ?? 8);
const MiB = 1024 * 1024;

interface Scenario {
  name: string;
  target: string;
  method: string;
  path: string;
  contentType: string;
  /** The body, sent as `repeat` copies of `chunk`. */
  chunk: Buffer;
  repeat: number;
  /** The ordinary request the idle figure is read after. */
  warm: { method: string; body?: string };
}

const JSON_30_MIB: Pick<Scenario, 'chunk' | 'repeat'> = { chunk: Buffer.alloc(MiB, ' '), repeat: 30 };

const SCENARIOS: Scenario[] = [
  {
    name: 'incrementTag, 30 MiB JSON POST',
    target: 'incrementTag',
    method: 'POST',
    path: '/',
    contentType: 'application/json',
    ...JSON_30_MIB,
    warm: { method: 'POST', body: '{"name":"X","value":0}' },
  },
  {
    name: 'docs, 30 MiB body on a GET',
    target: 'docs',
    method: 'GET',
    path: '/openapi.json',
    contentType: 'application/json',
    ...JSON_30_MIB,
    warm: { method: 'GET' },
  },
  {
    name: 'incrementTag, 10 MiB nested 5 million deep',
    target: 'incrementTag',
    method: 'POST',
    path: '/',
    contentType: 'application/json',
    chunk: Buffer.from('['.repeat(MiB / 2) + ']'.repeat(MiB / 2)),
    repeat: 10,
    warm: { method: 'POST', body: '{"name":"X","value":0}' },
  },
];

type Outcome = 'refused' | 'cut' | 'accepted';

/** Sends one request of `repeat × chunk` bytes with a Content-Length, honouring back-pressure. */
function send(url: string, s: Scenario): Promise<Outcome> {
  return new Promise((resolve) => {
    const length = s.chunk.length * s.repeat;
    const req = http.request(url + s.path, {
      method: s.method,
      headers: { 'content-type': s.contentType, 'content-length': String(length) },
    });
    let outcome: Outcome | undefined;
    const settle = (o: Outcome): void => {
      outcome ??= o;
      resolve(outcome);
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        settle(res.statusCode !== undefined && res.statusCode >= 400 ? 'refused' : 'accepted');
        req.destroy();
      });
    });
    req.on('error', () => settle('cut'));
    let written = 0;
    const writeMore = (): void => {
      while (written < s.repeat && !req.destroyed) {
        written++;
        if (!req.write(s.chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (written >= s.repeat && !req.destroyed) req.end();
    };
    writeMore();
  });
}

async function run(s: Scenario, env: Record<string, string>): Promise<string[]> {
  const fn = await FunctionUnderTest.start(s.target, catalogSource(s.target), env);
  try {
    await fetch(fn.url + s.path, { method: s.warm.method, body: s.warm.body, headers: { 'content-type': 'application/json' } }).then((r) =>
      r.arrayBuffer(),
    );
    const idle = fn.peakRssMiB();
    const outcomes: Outcome[] = [];
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          next++;
          outcomes.push(await send(fn.url, s));
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peak = fn.peakRssMiB();
    const count = (o: Outcome): string => String(outcomes.filter((x) => x === o).length);
    return [
      s.name,
      idle.toFixed(0),
      peak.toFixed(0),
      (peak / idle).toFixed(2) + 'x',
      count('refused'),
      count('cut'),
      count('accepted'),
      seconds.toFixed(1),
    ];
  } finally {
    await fn.stop();
  }
}

async function main(): Promise<void> {
  // Configuration only: no request reaches a handler that would call Firestore or another function.
  const env = { GOOGLE_CLOUD_PROJECT: 'bench-project', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9', PUBLIC_BASE_URL: 'http://127.0.0.1:9' };
  const functionUrls = placeholderFunctionUrls();
  const context = { projectId: env.GOOGLE_CLOUD_PROJECT, location: 'us-central1', functionUrls, variables: {} };
  const rows: string[][] = [];
  // Each function with the environment its manifest entry gives it locally (its collections, its database).
  for (const s of SCENARIOS) rows.push(await run(s, { ...env, ...localEnv(functionEntry(s.target).env, context) }));
  printTable(
    `Oversize requests: peak RSS of one instance, ${REQUESTS} requests, ${CONCURRENCY} at a time (MiB)`,
    ['scenario', 'idle', 'peak', 'peak/idle', 'refused', 'cut', 'accepted', 's'],
    rows,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
