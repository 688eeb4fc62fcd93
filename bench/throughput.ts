import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { functionEntry } from '../manifest/manifest';
import { FirestoreEmulatorService } from '../local/firestore/emulatorService';
import { localEnv, placeholderFunctionUrls } from '../local/wiring';
import { repoPath } from '../local/paths';
import { freePort } from '../local/ports';
import { accountFields, AUDIO_SESSION_BASE, audioSession, BENCH_FORM, benchAnswers, HOT_TAGS, type WorkParams } from './backendWork';
import { catalogSource, FunctionUnderTest } from './functionUnderTest';
import { load, merge, withCpu, type LoadOptions, type LoadResult } from './load';
import { printTable } from './report';

/**
 * Each benchmarked function under closed-loop load beside its two limits, in one run against one
 * Firestore emulator (and the local Storage and Workflows engine, in a process of their own):
 *
 * - `limit`: the same backend work sent by a bare client (`backendWork.ts`) from its own
 *   process, at the same concurrency: what the backend allows that work on this machine;
 * - `ceiling`: the function's own rate with no backend call (a request it refuses, or the bare
 *   hello function for a read path);
 * - `bound` = 1 / (1/limit + 1/ceiling): the function, its load and the backend share two cores,
 *   so the best the function can reach is what its two parts allow together. The goal is
 *   ≥ 0.8× of it on the hot paths.
 *
 * `CPU ms/op` is the CPU time the working process (the function's, or the bare client's) spent
 * per operation. `CPU to bound` is the same comparison in CPU: (the bare client's + the
 * ceiling's CPU per operation) / the function's, 1.00× when the function spends nothing beyond
 * its backend work and its own ceiling. A rate on a machine other people are using moves with
 * their load (and a run with one more busy process, the load generator, gets a bigger share of
 * it); CPU per operation moves far less, so that column is the one to read on a busy machine.
 *
 * Absolute figures move with whatever else the machine runs, so the three are measured in
 * BENCH_ROUNDS alternating rounds (ceiling, limit, function, then the other way round), which
 * spreads a change in the machine's load over all three; still, only the ratios within one run
 * mean anything. A row is a few lines in `ROWS` (and its backend work in `backendWork.ts`).
 */
// The bench process itself talks to the emulator once (createBenchForm): never to the metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** Comma-separated function names to run only their rows (while iterating on one hot path). */
const ONLY = process.env.BENCH_ONLY?.split(',');
const PROJECT = 'bench-project';

type Request = Omit<LoadOptions, 'concurrency' | 'seconds'>;

interface Row {
  label: string;
  /** The function under load (its manifest entry point). */
  function: string;
  request: (params: WorkParams) => Request;
  /** A request the function answers without a backend call, or `hello` (read paths). */
  ceiling: Request | 'hello';
  /** Key of the backend work in `BACKEND_WORK`, run by the bare client. */
  limit: string;
  limitLabel: string;
  /** Runs once against the started function (its URL and environment) before the row; its result reaches `request` and the bare client. */
  prepare?: (url: string, env: Record<string, string>) => Promise<Record<string, string>>;
}

const json = (body: unknown) => () => JSON.stringify(body);
const counter = <T>(make: (i: number) => T) => {
  let i = 0;
  return () => JSON.stringify(make(i++));
};

const ROWS: Row[] = [
  {
    label: 'incrementTag (4 hot tags)',
    function: 'incrementTag',
    request: () => ({
      method: 'POST',
      body: counter((i) => ({ name: HOT_TAGS[i % HOT_TAGS.length], value: (i % 9) + 1 })),
      expectStatus: 200,
    }),
    ceiling: { method: 'POST', body: json({ name: 'X', value: 0 }), expectStatus: 400 },
    limit: 'incrementTag',
    limitLabel: 'batch: marker create + shard merge-increment',
  },
  {
    label: 'tagStats (4 tags × 16 shards)',
    function: 'tagStats',
    request: () => ({ expectStatus: 200 }),
    ceiling: 'hello',
    limit: 'tagStats',
    limitLabel: 'streamed query ordered by tag, select(tag, count)',
  },
  {
    label: 'accounts create',
    function: 'accounts',
    request: () => ({ method: 'POST', body: counter((i) => accountFields('fn', i)), expectStatus: 201 }),
    ceiling: { method: 'POST', body: json({ name: 'x', email: 'not-an-email', address: 'y' }), expectStatus: 400 },
    limit: 'accountsCreate',
    limitLabel: 'batch: account + email document creates',
  },
  {
    label: 'accounts get',
    function: 'accounts',
    prepare: async (url) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(accountFields('get', 0)),
      });
      if (res.status !== 201) throw new Error(`accounts create answered ${res.status}`);
      return { id: ((await res.json()) as { id: string }).id };
    },
    request: ({ id }) => ({ path: `/${id}`, expectStatus: 200 }),
    ceiling: 'hello',
    limit: 'accountsGet',
    limitLabel: 'one document read',
  },
  {
    label: 'audios create',
    function: 'audios',
    request: () => ({ method: 'POST', body: counter((i) => audioSession(AUDIO_SESSION_BASE.function, i)), expectStatus: 201 }),
    ceiling: { method: 'POST', body: json({ session_id: 1 }), expectStatus: 400 },
    limit: 'audiosCreate',
    limitLabel: 'document create + Storage upload',
  },
  {
    label: 'createGroup (to the 202)',
    function: 'createGroup',
    request: () => ({ method: 'POST', body: counter((i) => ({ group_id: `fn-${i}` })), expectStatus: 202 }),
    ceiling: { method: 'POST', body: json({ group_id: '.' }), expectStatus: 400 },
    limit: 'createGroup',
    limitLabel: 'lock transaction + createExecution + update',
  },
  {
    label: 'responses submit (3 async tasks)',
    function: 'responses',
    prepare: async (_url, env) => ({ form: await createBenchForm(env) }),
    request: ({ form }) => ({ method: 'POST', path: `/${form}`, body: counter((i) => benchAnswers(i)), expectStatus: 201 }),
    ceiling: { method: 'POST', path: '/bench', body: json({ answers: [] }), expectStatus: 400 },
    limit: 'responsesSubmit',
    limitLabel: 'form read + outbox commit (response, 3 deliveries) + 3 publishes',
  },
  {
    label: 'triggerWorkflow',
    function: 'triggerWorkflow',
    request: () => ({ method: 'POST', body: counter((i) => ({ x: `fn${i}` })), expectStatus: 202 }),
    ceiling: { method: 'POST', body: json({ x: '' }), expectStatus: 400 },
    limit: 'triggerWorkflow',
    limitLabel: 'createExecution',
  },
];

async function main(): Promise<void> {
  const firestore = new FirestoreEmulatorService();
  const started = await firestore.start({ projectId: PROJECT, location: 'us-central1', port: await freePort(), endpoints: {} });
  // Functions only name each other's URLs in their configuration here (nothing calls them).
  const functionUrls = placeholderFunctionUrls();
  const context = { projectId: PROJECT, location: 'us-central1', functionUrls, variables: {} };
  const envOf = (name: string): Record<string, string> => localEnv(functionEntry(name).env, context);
  const workflows = [...new Set(ROWS.map((r) => envOf(r.function).WORKFLOW_NAME).filter(Boolean))];
  const host = spawn(process.execPath, [repoPath('dist', 'bench', 'backendHost.js'), ...workflows], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GOOGLE_CLOUD_PROJECT: PROJECT, METADATA_SERVER_DETECTION: 'none' },
  });
  const running: FunctionUnderTest[] = [];
  try {
    const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
    // LOG_EXECUTION_ID as the platform (and infra/functions.tf) sets it on every function: the
    // framework then wraps stdout, which a deployed function pays for on every line it logs.
    const env = {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      LOG_EXECUTION_ID: 'true',
      ...started.env,
      ...(JSON.parse(line) as Record<string, string>),
    };
    const hello = await FunctionUnderTest.start('hello', 'bench/fixtures/hello', env);
    running.push(hello);
    await load(hello.url, { concurrency: 4, seconds: 1 });
    const bare = await withCpu(
      () => hello.cpuSeconds(),
      () => load(hello.url, { concurrency: CONCURRENCY, seconds: SECONDS }),
    );
    const table: string[][] = [figures('hello (bare framework)', bare)];
    const processes = new Map<string, FunctionUnderTest>();
    for (const row of ROWS.filter((r) => !ONLY || ONLY.includes(r.function))) {
      let fn = processes.get(row.function);
      if (!fn) {
        fn = await FunctionUnderTest.start(row.function, catalogSource(row.function), { ...env, ...envOf(row.function) });
        processes.set(row.function, fn);
        running.push(fn);
      }
      const params: WorkParams = { prefix: 'limit', ...(await row.prepare?.(fn.url, { ...env, ...envOf(row.function) })) };
      const request = row.request(params);
      await load(fn.url, { concurrency: 4, seconds: 1, ...request }); // warm: lazy clients, JIT
      const client = await BareClient.start(row.limit, params, { ...env, ...envOf(row.function) });
      const rounds: { ceiling: LoadResult[]; limit: LoadResult[]; measured: LoadResult[] } = { ceiling: [], limit: [], measured: [] };
      const seconds = SECONDS / ROUNDS;
      const { url } = fn;
      const cpu = (): number => fn.cpuSeconds();
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const steps: [keyof typeof rounds, () => Promise<LoadResult>][] = [
            ['ceiling', () => withCpu(cpu, () => load(url, { concurrency: CONCURRENCY, seconds, ...(row.ceiling as Request) }))],
            ['limit', () => client.round(seconds)],
            ['measured', () => withCpu(cpu, () => load(url, { concurrency: CONCURRENCY, seconds, ...request }))],
          ];
          if (row.ceiling === 'hello') steps.shift();
          if (round % 2) steps.reverse();
          for (const [key, run] of steps) rounds[key].push(await run());
        }
      } finally {
        client.stop();
      }
      const ceiling = row.ceiling === 'hello' ? bare : merge(rounds.ceiling);
      const limit = merge(rounds.limit);
      const measured = merge(rounds.measured);
      const bound = 1 / (1 / limit.perSecond + 1 / ceiling.perSecond);
      const cpuBound = (cpuPerOp(limit) + cpuPerOp(ceiling)) / cpuPerOp(measured);
      table.push(
        [
          ...figures(row.label, measured),
          ratio(measured.perSecond / limit.perSecond),
          bound.toFixed(0),
          ratio(measured.perSecond / bound),
          ratio(cpuBound),
        ],
        figures(`  limit: ${row.limitLabel}`, limit),
        row.ceiling === 'hello'
          ? [`  ceiling: hello (bare), ${ceiling.perSecond.toFixed(0)} req/s`]
          : figures('  ceiling: a refused body', ceiling),
      );
    }
    printTable(
      `Throughput against the limits the backend sets: ${CONCURRENCY} concurrent clients for ${SECONDS} s each (${ROUNDS} alternating rounds), one instance, ` +
        'Firestore emulator, 2 shared cores. limit = the same backend work from a bare client process; ' +
        'bound = 1/(1/limit + 1/ceiling) (goal ≥ 0.8× on hot paths)',
      ['', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'CPU ms/op', 'to limit', 'bound /s', 'to bound', 'CPU to bound'],
      table.map((r) => [...r, ...Array(10 - r.length).fill('')]),
    );
  } finally {
    await Promise.all(running.map((f) => f.stop()));
    host.kill('SIGTERM');
    await firestore.stop();
  }
}

/** The columns every measured row has; CPU is the working process's own (the function's, or the bare client's), per operation. */
function figures(label: string, r: LoadResult): string[] {
  return [label, r.perSecond.toFixed(0), String(r.errors), r.p50ms.toFixed(1), r.p99ms.toFixed(1), cpuPerOp(r).toFixed(2)];
}

/** Milliseconds of CPU per operation. */
function cpuPerOp(r: LoadResult): number {
  return ((r.cpuSeconds ?? NaN) * 1000) / r.requests;
}

function ratio(x: number): string {
  return x.toFixed(2) + '×';
}

/** A bare client process (`bareClient.ts`) running one backend work with the function's environment, one round at a time. */
class BareClient {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: AsyncIterator<string>,
  ) {}

  static async start(work: string, params: WorkParams, env: Record<string, string>): Promise<BareClient> {
    const child = spawn(
      process.execPath,
      [repoPath('dist', 'bench', 'bareClient.js'), JSON.stringify({ work, concurrency: CONCURRENCY, params })],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, METADATA_SERVER_DETECTION: 'none', NODE_ENV: 'production', ...env },
      },
    );
    const client = new BareClient(child, createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
    await client.next(); // `ready`: warmed up
    return client;
  }

  private async next(): Promise<string> {
    const line = await this.lines.next();
    if (line.done) throw new Error(`the bare client exited with ${this.child.exitCode}`);
    return line.value;
  }

  async round(seconds: number): Promise<LoadResult> {
    this.child.stdin!.write(`${seconds}\n`);
    return JSON.parse(await this.next()) as LoadResult;
  }

  stop(): void {
    this.child.stdin!.end();
  }
}

/** Stores `BENCH_FORM` in the emulator, where the function's environment points, and returns its id. */
async function createBenchForm(env: Record<string, string>): Promise<string> {
  process.env.FIRESTORE_EMULATOR_HOST = env.FIRESTORE_EMULATOR_HOST;
  const [{ Firestore }, { FormStore }] = await Promise.all([import('@google-cloud/firestore'), import('../functions/forms/formStore')]);
  const db = new Firestore({ projectId: PROJECT, databaseId: env.FIRESTORE_DATABASE });
  const form = await new FormStore(db, env.FORMS_COLLECTION).create(structuredClone(BENCH_FORM) as never, { crm: 'whsec_YmVuY2g=' });
  await db.terminate();
  return form.id;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
