import { randomUUID } from 'node:crypto';
import { localEndpoints } from '../test/support/endpoints';
import { resetNodes, waitForGroupTask } from '../test/support/groupsClient';
import { summarise, type LoadResult } from './load';
import { printTable } from './report';

/**
 * createGroup's answer time under contention, against the local cloud (`local/withCloud.ts`
 * starts it): bursts of N concurrent requests on one group (202s and 409s: one 202 while the
 * first operation runs, and another each time an operation ends before the burst's last requests
 * are read, which a loaded machine makes common at N = 32) beside bursts of N on N different
 * groups (N 202s), for N = 2, 8, 32, BENCH_RUNS rounds each (default 5),
 * alternating. Each round waits for the tasks it started to end, so the workflows it started do
 * not load the next one. Prints p50/p99 and the contended/uncontended ratio; asserts nothing.
 */
const ROUNDS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = [2, 8, 32];

/** Answers other than 202 and 409, by status and problem title, with one detail of each: what the errors column counts. */
const errorKinds = new Map<string, { count: number; detail: string }>();

async function burst(groups: string[]): Promise<{ latencies: number[]; errors: number; accepted: string[]; statuses: number[] }> {
  const url = localEndpoints().functions.createGroup;
  const results = await Promise.all(
    groups.map(async (groupId) => {
      const started = process.hrtime.bigint();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ group_id: groupId }),
      });
      const body = (await res.json()) as { task_id?: string; title?: string; detail?: string };
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.status !== 202 && res.status !== 409) {
        const kind = `${res.status} ${body.title ?? ''}`;
        const seen = errorKinds.get(kind) ?? { count: 0, detail: body.detail ?? '' };
        errorKinds.set(kind, { ...seen, count: seen.count + 1 });
      }
      return { ms, status: res.status, taskId: body.task_id };
    }),
  );
  const answered = results.filter((r) => r.status === 202 || r.status === 409);
  return {
    latencies: answered.map((r) => r.ms),
    errors: results.length - answered.length,
    accepted: results.flatMap((r) => (r.status === 202 && r.taskId ? [r.taskId] : [])),
    statuses: results.map((r) => r.status),
  };
}

async function main(): Promise<void> {
  await resetNodes();
  // One warm-up burst, so no measured request pays an instance's first connections.
  for (const taskId of (await burst([`warm-${randomUUID()}`, `warm-${randomUUID()}`])).accepted) await waitForGroupTask(taskId, 120);
  const rows: string[][] = [];
  for (const n of SIZES) {
    const one: { latencies: number[]; errors: number; conflicts: number; accepted: number } = {
      latencies: [],
      errors: 0,
      conflicts: 0,
      accepted: 0,
    };
    const many: { latencies: number[]; errors: number } = { latencies: [], errors: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const contended = await burst(Array.from({ length: n }, () => `contended-${n}-${round}-${process.pid}`));
      one.latencies.push(...contended.latencies);
      one.errors += contended.errors;
      one.conflicts += contended.statuses.filter((s) => s === 409).length;
      one.accepted += contended.accepted.length;
      const spread = await burst(Array.from({ length: n }, (_, i) => `spread-${n}-${round}-${i}-${process.pid}`));
      many.latencies.push(...spread.latencies);
      many.errors += spread.errors;
      for (const taskId of [...contended.accepted, ...spread.accepted]) await waitForGroupTask(taskId, 300);
    }
    const a: LoadResult = summarise(one.latencies, one.errors, 1);
    const b: LoadResult = summarise(many.latencies, many.errors, 1);
    rows.push([
      String(n),
      a.p50ms.toFixed(0),
      a.p99ms.toFixed(0),
      `${one.accepted}/${one.conflicts}`,
      b.p50ms.toFixed(0),
      b.p99ms.toFixed(0),
      `${(a.p50ms / b.p50ms).toFixed(2)}x`,
      `${(a.p99ms / b.p99ms).toFixed(2)}x`,
      String(a.errors + b.errors),
    ]);
  }
  printTable(
    `createGroup answer time (ms), ${ROUNDS} bursts of N concurrent requests each: on one group, and on N different groups`,
    ['N', 'one group p50', 'p99', '202s/409s', 'N groups p50', 'p99', 'ratio p50', 'ratio p99', 'errors'],
    rows,
  );
  for (const [kind, { count, detail }] of errorKinds) console.log(`  errors ${kind}: ${count} (${detail})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
