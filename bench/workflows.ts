/**
 * Benchmark of the local Workflows engine. Prints figures; asserts nothing.
 *
 *   make bench (or, after make build: node dist/bench/workflows.js [steps=200000] [calls=20] [delayMs=25])
 *
 * 1. Cost per executed step: a `for` loop over a range whose body is one `assign` step; µs per
 *    executed step (the engine's own step counter, as Workflows bills them).
 * 2. Overhead on HTTP: a workflow making sequential `http.get` calls to a local server that
 *    answers after a fixed delay; the execution's duration against the sum of the calls' own
 *    times (measured by the server, request in to response out). Goal: at most 1.10.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { WorkflowsEngine } from '../local/workflows/engine';

process.env.METADATA_SERVER_DETECTION = 'none';

async function stepCost(engine: WorkflowsEngine, n: number): Promise<void> {
  engine.deploy({
    workflowId: 'loop',
    source: `
main:
  params: [n]
  steps:
    - init:
        assign:
          - total: 0
    - loop:
        for:
          value: i
          range: \${[1, n]}
          steps:
            - add:
                assign:
                  - total: \${total + i}
    - done:
        return: \${total}
`,
  });
  await engine.run('loop', 1000n); // warm-up
  const started = process.hrtime.bigint();
  const rec = await engine.run('loop', BigInt(n));
  const ns = Number(process.hrtime.bigint() - started);
  if (rec.state !== 'SUCCEEDED') throw new Error(`loop failed: ${rec.error?.payload}`);
  const perStep = ns / 1000 / rec.stepCount;
  console.log(`step cost: ${rec.stepCount} steps in ${(ns / 1e6).toFixed(1)} ms = ${perStep.toFixed(2)} µs/step (result ${rec.result})`);
}

async function httpOverhead(engine: WorkflowsEngine, calls: number, delayMs: number): Promise<void> {
  const own: number[] = [];
  const server = http.createServer((req, res) => {
    const t0 = process.hrtime.bigint();
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: req.url }));
      own.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  engine.deploy({
    workflowId: 'calls',
    userEnvVars: { URL: url },
    source: `
main:
  params: [n]
  steps:
    - init:
        assign:
          - results: []
    - loop:
        for:
          value: i
          range: \${[1, n]}
          steps:
            - call_service:
                try:
                  call: http.get
                  args:
                    url: \${sys.get_env("URL") + "/item/" + string(i)}
                    timeout: 10
                  result: r
                retry: \${http.default_retry}
            - keep:
                assign:
                  - results: \${list.concat(results, r.body.ok)}
    - done:
        return: \${len(results)}
`,
  });
  await engine.run('calls', 2n); // warm-up (connection pool, JIT)
  own.length = 0;
  const started = process.hrtime.bigint();
  const rec = await engine.run('calls', BigInt(calls));
  const total = Number(process.hrtime.bigint() - started) / 1e6;
  if (rec.state !== 'SUCCEEDED') throw new Error(`calls failed: ${rec.error?.payload}`);
  const sum = own.reduce((a, b) => a + b, 0);

  // Baseline: the same sequential calls from a bare Node client (keep-alive agent), no engine.
  const agent = new http.Agent({ keepAlive: true });
  const get = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const r = http.request(`${url}/item/${i}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      r.on('error', reject);
      r.end();
    });
  await get(0);
  own.length = 0;
  const rawStart = process.hrtime.bigint();
  for (let i = 1; i <= calls; i++) await get(i);
  const raw = Number(process.hrtime.bigint() - rawStart) / 1e6;
  const rawSum = own.reduce((a, b) => a + b, 0);
  agent.destroy();
  server.close();

  console.log(
    `http overhead: ${calls} sequential calls of ~${delayMs} ms\n` +
      `  engine:      execution ${total.toFixed(1)} ms vs calls' own time ${sum.toFixed(1)} ms -> ratio ${(total / sum).toFixed(3)} (goal <= 1.10)\n` +
      `  bare client: ${raw.toFixed(1)} ms vs ${rawSum.toFixed(1)} ms -> ratio ${(raw / rawSum).toFixed(3)} (loopback transport alone)\n` +
      `  engine cost beyond the bare client: ${((total - raw) / calls).toFixed(2)} ms per call (${(((total - raw) / raw) * 100).toFixed(1)}%)`,
  );
}

async function main(): Promise<void> {
  const [steps = '200000', calls = '20', delay = '25'] = process.argv.slice(2);
  const engine = new WorkflowsEngine({ projectId: 'bench', location: 'us-central1', onLog: () => undefined });
  await stepCost(engine, Number(steps));
  await httpOverhead(engine, Number(calls), Number(delay));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
