import { createInterface } from 'node:readline';
import { BACKEND_WORK, type WorkParams } from './backendWork';
import { closedLoop, withCpu } from './load';

/**
 * `node dist/bench/bareClient.js '<json spec>'`: one process (like the function's) that runs a
 * named backend work of `backendWork.ts` in the closed loop the HTTP load uses, at the same
 * concurrency. It warms up first (as the function is warmed), prints `ready`, then for each line
 * `<seconds>` read on stdin runs one round and prints its `LoadResult` (with the CPU time it used) as one JSON line, so the
 * bench can alternate its rounds with the function's. Errors are counted, and the first one is
 * printed to stderr so a broken limit is seen.
 */
interface Spec {
  work: string;
  concurrency: number;
  params: WorkParams;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as Spec;
  const make = BACKEND_WORK[spec.work];
  if (!make) throw new Error(`no backend work ${spec.work} in bench/backendWork.ts`);
  const op = await make(spec.params);
  let reported = false;
  const one = async (): Promise<boolean> => {
    try {
      await op();
      return true;
    } catch (err) {
      if (!reported) console.error(`bareClient ${spec.work}: ${(err as Error).stack ?? String(err)}`);
      reported = true;
      return false;
    }
  };
  await closedLoop(4, 1, one); // warm the client (channel, JIT)
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const cpu = (): number => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    };
    const result = await withCpu(cpu, () => closedLoop(spec.concurrency, Number(line), one));
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  // The client keeps its channels open; stdin closed means the bench is done with this process.
  process.exit(0);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
