/**
 * Runs every workflow of a local checkout of Google's `GoogleCloudPlatform/workflows-samples`
 * (`src/*.yaml` and `src/connectors/*.yaml`) on the local Workflows engine and prints, per file,
 * whether the deploy was refused (with the construct and line), or how the execution ended (with
 * its result or error). Comparing that with each sample's documented result is left to the
 * reader: the samples state it in comments, in prose.
 *
 * A development tool, not a test: the samples are not ours to copy into the repository, so the
 * checkout is given on the command line and nothing of it is kept.
 *
 *   node dist/local/withCloud.js node dist/scripts/workflowsSamples.js <checkout> [name-filter]
 *
 * Under `withCloud` the connectors reach the local cloud's Firestore emulator, BigQuery and
 * Storage (read from `LOCAL_CLOUD_ENDPOINTS`). Calls to any other host (the samples call
 * example.com and public APIs) are answered by a loopback stub, so nothing leaves 127.0.0.1: the
 * stub answers 200 with a JSON echo of the request, or the status in `SAMPLES_STUB_STATUS` (to see
 * the error-handling samples take their documented branches).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { createRequire } from 'node:module';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';

process.env.METADATA_SERVER_DETECTION = 'none';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Sends every request for a non-loopback host to the stub (plain HTTP), keeping path and query. */
function redirectExternalCalls(stubPort: number): void {
  // The modules themselves, not the import namespaces (whose bindings are read-only).
  const load = createRequire(__filename);
  for (const mod of [load('node:http') as typeof http, load('node:https') as typeof https]) {
    const original = mod.request.bind(mod) as (...a: unknown[]) => http.ClientRequest;
    const patched = (url: unknown, ...rest: unknown[]): http.ClientRequest => {
      if (url instanceof URL && !LOOPBACK.has(url.hostname)) {
        const target = new URL(url.pathname + url.search, `http://127.0.0.1:${stubPort}`);
        target.searchParams.set('__host', url.hostname);
        const [opts, cb] = rest as [http.RequestOptions, unknown];
        return http.request(target, { ...opts, agent: undefined }, cb as () => void);
      }
      return original(url, ...rest);
    };
    (mod as { request: unknown }).request = patched;
  }
}

async function startStub(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(Number(process.env.SAMPLES_STUB_STATUS ?? 200), { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ stub: true, host: url.searchParams.get('__host'), method: req.method, path: url.pathname, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function files(checkout: string, filter: string | undefined): string[] {
  const out: string[] = [];
  for (const dir of ['src', path.join('src', 'connectors')]) {
    const full = path.join(checkout, dir);
    for (const f of fs.readdirSync(full).sort()) {
      if (f.endsWith('.yaml') && (!filter || f.includes(filter))) out.push(path.join(dir, f));
    }
  }
  return out;
}

function short(text: string | undefined, max = 160): string {
  const t = (text ?? '').replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** A failed execution in one line: its tags and message, the API's own message for an HttpError, and the step it failed in. */
function failure(error: { payload: string; stackTrace: { elements: { step: string; position: { line: string } }[] } } | undefined): string {
  if (!error) return '';
  let payload: { tags?: string[]; message?: string; body?: { error?: { message?: string } } } = {};
  try {
    payload = JSON.parse(error.payload) as typeof payload;
  } catch {
    return short(error.payload);
  }
  const at = error.stackTrace.elements[0];
  const api = payload.body?.error?.message ? ` (${short(payload.body.error.message, 120)})` : '';
  return `[${(payload.tags ?? []).join(',')}] ${short(payload.message ?? error.payload, 120)}${api}${at ? ` in step ${at.step}, line ${at.position.line}` : ''}`;
}

async function main(): Promise<void> {
  const [checkout, filter] = process.argv.slice(2);
  if (!checkout) throw new Error('usage: workflowsSamples <workflows-samples checkout> [name-filter]');
  const stub = await startStub();
  redirectExternalCalls((stub.address() as AddressInfo).port);
  // Loaded after the patch, so the engine's HTTP calls go through it.
  const { WorkflowsEngine } = await import('../local/workflows/engine');
  const { DeployError } = await import('../local/workflows/errors');
  const { ScaledClock } = await import('../local/workflows/clock');
  const endpointsFile = process.env.LOCAL_CLOUD_ENDPOINTS;
  const endpoints = endpointsFile ? (JSON.parse(fs.readFileSync(endpointsFile, 'utf8')) as Record<string, string>) : {};
  const engine = new WorkflowsEngine({
    projectId: endpoints.project ?? 'local-project',
    location: endpoints.location ?? 'us-central1',
    firestore: endpoints.firestore,
    bigquery: endpoints.bigquery,
    storage: endpoints.storage,
    pubsub: endpoints.pubsub ?? process.env.PUBSUB_EMULATOR_HOST,
    clock: new ScaledClock(1000),
    onLog: () => undefined,
  });
  const tally = new Map<string, number>();
  for (const file of files(checkout, filter)) {
    const id = path
      .basename(file, '.workflows.yaml')
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 60);
    let line: string;
    try {
      engine.deploy({ workflowId: /^[A-Za-z]/.test(id) ? id : `w${id}`, source: fs.readFileSync(path.join(checkout, file), 'utf8') });
      const rec = engine.startExecution(/^[A-Za-z]/.test(id) ? id : `w${id}`);
      const timer = setTimeout(() => rec.state === 'ACTIVE' && engine.cancelExecution(rec.workflowId, rec.id), 60_000);
      await rec.done;
      clearTimeout(timer);
      line = rec.state === 'SUCCEEDED' ? `SUCCEEDED ${short(rec.result)}` : `${rec.state} ${failure(rec.error)}`;
      tally.set(rec.state, (tally.get(rec.state) ?? 0) + 1);
    } catch (e) {
      if (!(e instanceof DeployError)) throw e;
      line = `REFUSED [${e.construct ?? '?'}] ${short(e.message, 200)}`;
      tally.set('REFUSED', (tally.get('REFUSED') ?? 0) + 1);
    }
    console.log(`${file}\t${line}`);
  }
  console.log([...tally].map(([k, v]) => `${k}: ${v}`).join(', '));
  await engine.reset();
  stub.close();
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
