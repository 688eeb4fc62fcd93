import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalCloud } from '../local/cloud';
import { closedLoop, merge, type LoadResult } from './load';
import { median, printTable } from './report';

/**
 * The front door's cost and the data folder's: what the local gateway adds to a request against
 * the function's own URL (latency one at a time; throughput under load on tagStats and on 5 MiB
 * image uploads, in alternating rounds so both sides see the same machine), and how long the
 * local cloud takes to start with and without a data folder of 10,000 Firestore documents.
 * Figures only: nothing is asserted. BENCH_SECONDS (default 8) per side, BENCH_RUNS (default 2)
 * starts per case; BENCH_FRONT_DOOR_STARTS=0 skips the start times.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const DOCUMENTS = 10_000;
const IMAGE_BYTES = 5 * 1024 * 1024 - 4096;
const UPLOADS = 8;

async function main(): Promise<void> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-front-door-'));
  try {
    await gatewayCost(logDir);
    if (process.env.BENCH_FRONT_DOOR_STARTS !== '0') await startTimes(logDir);
  } finally {
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

async function gatewayCost(logDir: string): Promise<void> {
  const used = new Set(['incrementTag', 'tagStats', 'accounts', 'isValidInput', 'process']);
  const cloud = await LocalCloud.start({ functions: [...used], logDir });
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

    // Latency: one request at a time, alternating, after a warm-up; on isValidInput (no backend
    // call, so the hop itself shows) and on tagStats (a Firestore query behind it).
    const classify = { direct: `${direct.isValidInput}/?x=hello`, gateway: `${gw}/is-valid-input/?x=hello` };
    const q = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))];
    const latencyRows: string[][] = [];
    for (const [label, urls] of [
      ['isValidInput (no backend)', classify],
      ['tagStats over 4 tags', stats],
    ] as const) {
      const samples: Record<'direct' | 'gateway', number[]> = { direct: [], gateway: [] };
      for (let i = 0; i < 50; i++) await send(agent, 'GET', urls.direct);
      for (let i = 0; i < 500; i++) {
        for (const side of ['direct', 'gateway'] as const) {
          const t = process.hrtime.bigint();
          await send(agent, 'GET', urls[side]);
          samples[side].push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }
      const [d50, d99, g50, g99] = [q(samples.direct, 0.5), q(samples.direct, 0.99), q(samples.gateway, 0.5), q(samples.gateway, 0.99)];
      latencyRows.push([
        label,
        d50.toFixed(2),
        g50.toFixed(2),
        (g50 - d50).toFixed(2),
        d99.toFixed(2),
        g99.toFixed(2),
        (g99 - d99).toFixed(2),
      ]);
    }
    printTable(
      'Gateway latency, one request at a time (500 each side, alternating)',
      ['function', 'p50 fn', 'p50 gw', 'added', 'p99 fn', 'p99 gw', 'added (ms)'],
      latencyRows,
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
    for (const [label, urls] of [
      ['isValidInput, 16 clients', classify],
      ['tagStats, 16 clients', stats],
    ] as const) {
      const rounds: Record<'direct' | 'gateway', LoadResult[]> = { direct: [], gateway: [] };
      for (let round = 0; round < 2; round++) {
        for (const side of ['direct', 'gateway'] as const) {
          rounds[side].push(await closedLoop(16, SECONDS / 2, async () => (await send(agent, 'GET', urls[side])) < 400));
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
    // Uploads one at a time, alternating: each is seconds long, so a closed loop of a few seconds would count too few.
    const took: Record<'direct' | 'gateway', number[]> = { direct: [], gateway: [] };
    let failed = 0;
    for (let i = 0; i < UPLOADS; i++) {
      for (const side of ['direct', 'gateway'] as const) {
        const t = process.hrtime.bigint();
        if ((await send(agent, 'POST', uploads[side], upload, contentType)) !== 200) failed++;
        took[side].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const mib = upload.length / 1024 / 1024;
    const [dUp, gUp] = [median(took.direct), median(took.gateway)];
    rows.push([
      `5 MiB image upload, one at a time (${UPLOADS} each)`,
      (1000 / dUp).toFixed(2),
      (1000 / gUp).toFixed(2),
      `${(dUp / gUp).toFixed(2)}×`,
      `${dUp.toFixed(0)} / ${gUp.toFixed(0)}`,
      String(failed),
    ]);
    printTable(
      `Gateway throughput (closed loops ${SECONDS} s a side in alternating rounds; ${mib.toFixed(1)} MiB bodies)`,
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
    const seeding = await LocalCloud.start({ dataDir, functions: ['tagStats'], logDir });
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
