import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { FUNCTIONS } from '../functions/catalog';
import { LocalCloud } from '../local/cloud';
import { closedLoop, merge, type LoadResult } from './load';
import { median, printTable } from './report';

/**
 * The front door's cost and the data folder's: what the local gateway adds to a request against
 * the function's own URL (latency one at a time; throughput under load on tagStats and on 5 MiB
 * image uploads, in alternating rounds so both sides see the same machine), and how long the
 * local cloud takes to start with and without a data folder of 10,000 Firestore documents.
 * Figures only: nothing is asserted. BENCH_SECONDS (default 8) per side, BENCH_RUNS (default 2)
 * starts per case.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const DOCUMENTS = 10_000;
const IMAGE_BYTES = 5 * 1024 * 1024 - 4096;

async function main(): Promise<void> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-front-door-'));
  try {
    await gatewayCost(logDir);
    await startTimes(logDir);
  } finally {
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

async function gatewayCost(logDir: string): Promise<void> {
  const used = new Set(['incrementTag', 'tagStats', 'accounts', 'isValidInput', 'process']);
  const cloud = await LocalCloud.start({ functions: FUNCTIONS.filter((f) => used.has(f.name)), logDir });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const gw = cloud.endpoints.gateway;
    const direct = cloud.endpoints.functions;
    for (const name of ['bench_a', 'bench_b', 'bench_c', 'bench_d']) {
      await fetch(`${direct.incrementTag}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"name":"${name}","value":1}`,
      });
    }
    const stats = { direct: `${direct.tagStats}/`, gateway: `${gw}/tag-stats/` };

    // Latency: one request at a time, alternating, after a warm-up.
    const samples: Record<'direct' | 'gateway', number[]> = { direct: [], gateway: [] };
    for (let i = 0; i < 50; i++) await send(agent, 'GET', stats.direct);
    for (let i = 0; i < 600; i++) {
      for (const side of ['direct', 'gateway'] as const) {
        const t = process.hrtime.bigint();
        await send(agent, 'GET', stats[side]);
        samples[side].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const q = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))];
    printTable(
      'Gateway latency, tagStats over 4 tags, one request at a time (600 each, alternating)',
      ['path', 'p50 ms', 'p99 ms'],
      [
        ['function URL', q(samples.direct, 0.5).toFixed(2), q(samples.direct, 0.99).toFixed(2)],
        ['gateway', q(samples.gateway, 0.5).toFixed(2), q(samples.gateway, 0.99).toFixed(2)],
        [
          'added by the gateway',
          (q(samples.gateway, 0.5) - q(samples.direct, 0.5)).toFixed(2),
          (q(samples.gateway, 0.99) - q(samples.direct, 0.99)).toFixed(2),
        ],
      ],
    );

    // Throughput: 16 clients on tagStats; 4 clients uploading 5 MiB images.
    const account = (await (
      await fetch(`${direct.accounts}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench', email: `bench.${Date.now()}@example.com`, address: '1 Bench Road' }),
      })
    ).json()) as { id: string };
    const { body: upload, contentType } = multipartImage(IMAGE_BYTES);
    const uploads = { direct: `${direct.accounts}/${account.id}/upload-image`, gateway: `${gw}/accounts/${account.id}/upload-image` };
    const rows: string[][] = [];
    for (const [label, concurrency, urls, one] of [
      ['tagStats, 16 clients', 16, stats, (url: string) => send(agent, 'GET', url)],
      ['5 MiB image upload, 4 clients', 4, uploads, (url: string) => send(agent, 'POST', url, upload, contentType)],
    ] as const) {
      const rounds: Record<'direct' | 'gateway', LoadResult[]> = { direct: [], gateway: [] };
      for (let round = 0; round < 2; round++) {
        for (const side of ['direct', 'gateway'] as const) {
          rounds[side].push(await closedLoop(concurrency, SECONDS / 2, async () => (await one(urls[side])) < 400));
        }
      }
      const d = merge(rounds.direct);
      const g = merge(rounds.gateway);
      rows.push([
        label,
        d.perSecond.toFixed(1),
        g.perSecond.toFixed(1),
        `${(g.perSecond / d.perSecond).toFixed(2)}×`,
        `${d.p50ms.toFixed(1)} / ${g.p50ms.toFixed(1)}`,
        String(d.errors + g.errors),
      ]);
    }
    printTable(
      `Gateway throughput (${SECONDS} s a side, alternating rounds)`,
      ['load', 'function URL req/s', 'gateway req/s', 'ratio', 'p50 ms fn / gw', 'errors'],
      rows,
    );
  } finally {
    agent.destroy();
    await cloud.stop();
  }
}

async function startTimes(logDir: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cloud-data-'));
  try {
    const seeding = await LocalCloud.start({ dataDir, functions: FUNCTIONS.filter((f) => f.name === 'tagStats'), logDir });
    process.env.FIRESTORE_EMULATOR_HOST = String(seeding.endpoints.firestore);
    process.env.METADATA_SERVER_DETECTION = 'none';
    const { Firestore } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
    const db = new Firestore({ projectId: seeding.endpoints.project });
    for (let start = 0; start < DOCUMENTS; start += 500) {
      const batch = db.batch();
      for (let i = start; i < start + 500; i++) batch.set(db.collection('bench_documents').doc(`d${i}`), { i, text: `document ${i}` });
      await batch.commit();
    }
    await db.terminate();
    const saveStarted = Date.now();
    await seeding.stop();
    const saveMs = Date.now() - saveStarted;

    const times: Record<'clean' | 'data', number[]> = { clean: [], data: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const side of ['clean', 'data'] as const) {
        const t = Date.now();
        const cloud = await LocalCloud.start({ logDir, ...(side === 'data' ? { dataDir } : {}) });
        times[side].push(Date.now() - t);
        if (side === 'data') {
          const res = await fetch(
            `http://${String(cloud.endpoints.firestore)}/v1/projects/${cloud.endpoints.project}/databases/(default)/documents/bench_documents/d${DOCUMENTS - 1}`,
          );
          if (res.status !== 200) throw new Error(`the restored data lacks document d${DOCUMENTS - 1}: ${res.status}`);
        }
        await cloud.stop();
      }
    }
    printTable(
      `Local cloud start, every function (median of ${RUNS}, alternating)`,
      ['start', 'ms'],
      [
        ['clean (no data folder)', median(times.clean).toFixed(0)],
        [`LOCAL_CLOUD_DATA with ${DOCUMENTS.toLocaleString('en')} Firestore documents`, median(times.data).toFixed(0)],
        [`saving them on stop (one tagStats function)`, String(saveMs)],
      ],
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A multipart body with one `image` part of `bytes` (a PNG signature, then padding). */
function multipartImage(bytes: number): { body: Buffer; contentType: string } {
  const boundary = 'bench-boundary-7d1f';
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(bytes - 16, 7)]);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="bench.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One request on the keep-alive agent; resolves to its status (599 for a connection error). */
function send(agent: http.Agent, method: string, url: string, body?: Buffer, contentType?: string): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = body ? { 'content-type': contentType!, 'content-length': body.length } : {};
    const req = http.request(url, { agent, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 599));
    });
    req.on('error', () => resolve(599));
    req.end(body);
  });
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
