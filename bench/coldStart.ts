import { functionEntries, functionEntry } from '../manifest/manifest';
import { FirestoreEmulatorService } from '../local/firestore/emulatorService';
import { localEnv, placeholderFunctionUrls } from '../local/wiring';
import { freePort } from '../local/ports';
import { catalogSource, FunctionUnderTest } from './functionUnderTest';
import { median, printTable } from './report';

/**
 * Cold start: process spawn → first answer, for every function of the manifest against a bare
 * hello function on the same framework (goal: ≤ 1.25× bare). "First answer" is a request that
 * needs no backend (a method no route takes, answered by the function's own router once its
 * module has loaded); the tag counter is also measured to its first real answer, Firestore round trip
 * included, since lazily loaded clients move that cost there.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function firstAnswerMs(
  target: string,
  source: string,
  env: Record<string, string>,
  request: { path: string; init?: RequestInit },
): Promise<number> {
  const fn = await FunctionUnderTest.start(target, source, env);
  try {
    const res = await fetch(fn.url + request.path, request.init);
    await res.arrayBuffer();
    return fn.sinceSpawnMs();
  } finally {
    await fn.stop();
  }
}

async function main(): Promise<void> {
  const emulator = new FirestoreEmulatorService();
  const started = await emulator.start({ projectId: 'bench-project', location: 'us-central1', port: await freePort(), endpoints: {} });
  const env = { GOOGLE_CLOUD_PROJECT: 'bench-project', ...started.env };
  // Functions only need each other's URLs as configuration here (nothing calls them), so any valid URL will do.
  const functionUrls = placeholderFunctionUrls();
  const context = { projectId: 'bench-project', location: 'us-central1', functionUrls, variables: {} };
  // PATCH / is routed by no function: the answer (404 or 405) comes from the function's own router
  // once its module has loaded, with no backend call.
  const probe = { path: '/', init: { method: 'PATCH' } };
  const subjects = [
    { label: 'hello (bare framework)', target: 'hello', source: 'bench/fixtures/hello', request: { path: '/' } },
    ...functionEntries().map((f) => ({
      label: f.name,
      target: f.name,
      source: f.source,
      request: probe,
      extraEnv: localEnv(f.env, context),
    })),
    {
      label: 'incrementTag, first real increment',
      target: 'incrementTag',
      source: catalogSource('incrementTag'),
      request: { path: '/', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"cold","value":1}' } },
      extraEnv: localEnv(functionEntry('incrementTag').env, context),
    },
    {
      label: 'tagStats, first real read',
      target: 'tagStats',
      source: catalogSource('tagStats'),
      request: { path: '/' },
      extraEnv: localEnv(functionEntry('tagStats').env, context),
    },
  ];
  try {
    const samples = new Map<string, number[]>(subjects.map((s) => [s.label, []]));
    await firstAnswerMs('hello', 'bench/fixtures/hello', env, { path: '/' }); // warm the page cache
    for (let run = 0; run < RUNS; run++) {
      for (const s of subjects) {
        samples.get(s.label)!.push(await firstAnswerMs(s.target, s.source, { ...env, ...('extraEnv' in s ? s.extraEnv : {}) }, s.request));
      }
    }
    const bare = median(samples.get(subjects[0].label)!);
    printTable(
      `Cold start: spawn to first answer, median of ${RUNS} runs (goal ≤ 1.25× bare)`,
      ['function', 'median ms', 'min ms', 'ratio to bare'],
      subjects.map((s) => {
        const xs = samples.get(s.label)!;
        return [s.label, median(xs).toFixed(0), Math.min(...xs).toFixed(0), (median(xs) / bare).toFixed(2) + '×'];
      }),
    );
  } finally {
    await emulator.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
