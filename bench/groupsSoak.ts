import { setTimeout as sleep } from 'node:timers/promises';
import { emulatorCollection } from '../test/support/emulatorFirestore';
import {
  nodeOutcomes,
  resetNodes,
  runGroupReplay,
  startGroupOperation,
  switchNode,
  waitForGroupTask,
  type GroupTaskView,
} from '../test/support/groupsClient';
import { printTable } from './report';

/**
 * `make soak`, System C: a property-style run of many operations on a few groups while the three
 * simulated nodes keep being switched to fail (5xx, 422, HTML pages, some after applying the
 * request), hang (serving the request after the workflow gave up: a late request), or redirect.
 * Each group has one driver: it reads the nodes' real state (in nodeSim's Firestore, beside the
 * switches), starts a create or a delete (sometimes twice at once, the second of which must be
 * refused 409), waits for the task, and checks the property: every node the task reports as
 * settled is in the state that outcome means, and the task's state agrees with its outcomes.
 * A task left FAILED owing compensations is replayed until it owes nothing, each replay checked
 * the same way. Bounded by SOAK_SECONDS (default 120); exits 1 on any mismatch.
 */

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const GROUPS = Number(process.env.SOAK_GROUPS ?? 4);
const RUN = Math.random().toString(36).slice(2, 7);
/** Below the local NODE_LATE_SECONDS (3 s) minus the simulator's own latency: nodes keep the promise the design relies on. */
const MAX_HANG_MS = 2000;

const PRESENT = ['created', 'pre-existing', 'restored'];
const ABSENT = ['deleted', 'absent', 'rolled_back'];
const UNCHANGED = ['failed', 'skipped'];
const UNSETTLED = ['unknown', 'compensation_failed'];

interface Figures {
  operations: number;
  conflicts: number;
  doubleAccepts: number;
  faults: number;
  replays: number;
  unsettledNodes: number;
  states: Record<string, number>;
  /** Node outcomes of every checked task (first runs and replays), by outcome. */
  outcomes: Record<string, number>;
  /** Faults injected, by kind (`5xx html applied`, `422`, `hang`, `redirect`...). */
  faultKinds: Record<string, number>;
  mismatches: string[];
}

async function main(): Promise<void> {
  const figures: Figures = {
    operations: 0,
    conflicts: 0,
    doubleAccepts: 0,
    faults: 0,
    replays: 0,
    unsettledNodes: 0,
    states: {},
    outcomes: {},
    faultKinds: {},
    mismatches: [],
  };
  const started = Date.now();
  const deadline = Date.now() + SECONDS * 1000;
  const chaos = injectFaultsUntil(deadline, figures);
  await Promise.all(Array.from({ length: GROUPS }, (_, i) => drive(`soak-${RUN}-${i}`, deadline, figures)));
  await chaos;
  await resetNodes();
  const seconds = Math.round((Date.now() - started) / 1000);

  printTable(
    `Soak, System C: ${GROUPS} groups for ${SECONDS} s (${seconds} s with the replays after it) against three simulated nodes with random faults, hangs and late requests`,
    ['operations', 'replays', 'faults injected', '409 to a second start', 'both accepted', 'nodes left unsettled', 'mismatches'],
    [
      [
        figures.operations,
        figures.replays,
        figures.faults,
        figures.conflicts,
        figures.doubleAccepts,
        figures.unsettledNodes,
        figures.mismatches.length,
      ].map(String),
    ],
  );
  const tally = (title: string, counts: Record<string, number>): void => {
    const keys = Object.keys(counts).sort();
    printTable(title, keys, [keys.map((k) => String(counts[k]))]);
  };
  tally('Tasks by final state (replays included)', figures.states);
  tally('Node outcomes in those tasks', figures.outcomes);
  tally(
    'Faults injected, by kind (5xx, 422, 200: the status answered; html: as a page; applied: after doing the request)',
    figures.faultKinds,
  );
  if (figures.mismatches.length) console.log(`\nmismatches (first 10):\n  ${figures.mismatches.slice(0, 10).join('\n  ')}`);
  const ok = figures.mismatches.length === 0 && figures.doubleAccepts === 0;
  console.log(`\n${ok ? 'every task matched the nodes' : 'TASKS CONTRADICTED BY THE NODES'}`);
  if (!ok) process.exitCode = 1;
}

/** One group's driver: operation after operation, each checked against the nodes, until the deadline. */
async function drive(groupId: string, deadline: number, figures: Figures): Promise<void> {
  while (Date.now() < deadline) {
    const before = await nodeState(groupId);
    const operation = before.every(Boolean) ? 'delete' : before.some(Boolean) && Math.random() < 0.5 ? 'delete' : 'create';
    const twice = Math.random() < 0.3;
    const answers = await Promise.all([
      startGroupOperation(operation, groupId),
      ...(twice ? [startGroupOperation(operation, groupId)] : []),
    ]);
    const accepted = answers.filter((a) => a.status === 202);
    figures.conflicts += answers.filter((a) => a.status === 409).length;
    if (accepted.length > 1) figures.doubleAccepts++;
    if (accepted.length === 0) {
      // Held by a task this driver did not see end (a replay still owed): replay it.
      if (answers.some((a) => a.status !== 409))
        figures.mismatches.push(`${groupId}: start answered ${answers.map((a) => a.status).join('/')}`);
      await sleep(500);
      continue;
    }
    figures.operations++;
    let task = await waitForGroupTask(accepted[0].body.task_id, 180);
    check(task, before, await nodeState(groupId), figures);
    // Replayed until it owes nothing; the faults stop at the deadline, so this ends soon after it.
    while (task.state === 'FAILED' && task.dead_letters && Date.now() < deadline + 120_000) {
      await sleep(1000);
      const prior = await nodeState(groupId);
      const execution = await runGroupReplay(task.task_id, 180);
      figures.replays++;
      if (execution.state !== 'SUCCEEDED')
        figures.mismatches.push(`${task.task_id}: replay execution ${execution.state}: ${JSON.stringify(execution.error)}`);
      task = await waitForGroupTask(task.task_id, 10);
      // A replay changes only nodes it reports settled; unsettled ones may go either way.
      check(task, before, await nodeState(groupId), figures, prior);
    }
  }
}

/**
 * The property: each settled outcome means a state (created, pre-existing, restored: present;
 * deleted, absent, rolled_back: absent; failed, skipped: as before), and the state agrees with
 * the outcomes (SUCCEEDED: all done; ROLLED_BACK: nothing unsettled; FAILED: something owed).
 */
function check(task: GroupTaskView, before: boolean[], after: boolean[], figures: Figures, replayedFrom?: boolean[]): void {
  figures.states[task.state] = (figures.states[task.state] ?? 0) + 1;
  const outcomes = nodeOutcomes(task);
  for (const outcome of outcomes) figures.outcomes[outcome] = (figures.outcomes[outcome] ?? 0) + 1;
  const wrong = (why: string) => figures.mismatches.push(`${task.task_id} ${task.operation} ${task.state} ${outcomes.join(',')}: ${why}`);
  outcomes.forEach((outcome, i) => {
    if (UNSETTLED.includes(outcome)) {
      if (!replayedFrom) figures.unsettledNodes++;
      return;
    }
    const expected = PRESENT.includes(outcome)
      ? true
      : ABSENT.includes(outcome)
        ? false
        : UNCHANGED.includes(outcome)
          ? before[i]
          : undefined;
    if (expected === undefined) wrong(`node ${i} has outcome ${outcome} in an ended task`);
    else if (after[i] !== expected) wrong(`node ${i} ${outcome} but the node ${after[i] ? 'has' : 'lacks'} the group`);
  });
  const done = task.operation === 'create' ? ['created', 'pre-existing'] : ['deleted', 'absent'];
  if (task.state === 'SUCCEEDED' && !outcomes.every((o) => done.includes(o))) wrong('SUCCEEDED with a node not done');
  if (task.state === 'ROLLED_BACK' && outcomes.some((o) => UNSETTLED.includes(o))) wrong('ROLLED_BACK with a node unsettled');
  if (task.state === 'FAILED' && !task.dead_letters?.length) wrong('FAILED owing nothing');
}

/** Whether each simulated node has the group, read where nodeSim keeps it (no switch applies). */
async function nodeState(groupId: string): Promise<boolean[]> {
  const nodes = emulatorCollection('node_sim');
  return Promise.all([1, 2, 3].map(async (n) => (await nodes.doc(`n-node${n}/groups/g-${groupId}`).get()).exists));
}

/** Keeps switching random nodes to random misbehaviours, each for a few requests, until the deadline. */
async function injectFaultsUntil(deadline: number, figures: Figures): Promise<void> {
  const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
  const faults: (() => [string, string])[] = [
    () => [pick(['group/500', 'group/503', 'group/422', 'group/502']), `?body=${pick(['json', 'html'])}&apply=${pick(['true', 'false'])}`],
    () => ['group/200', '?body=html'],
    () => [`hang/${1100 + Math.floor(Math.random() * (MAX_HANG_MS - 1100))}`, ''],
    () => ['redirect/307', ''],
  ];
  while (Date.now() < deadline) {
    const [what, query] = pick(faults)();
    const methods = pick(['GET', 'POST', 'DELETE', 'POST,DELETE', 'GET,POST,DELETE']);
    const joiner = query ? '&' : '?';
    const times = 1 + Math.floor(Math.random() * 3);
    const after = Math.random() < 0.3 ? `&after=${1 + Math.floor(Math.random() * 3)}` : '';
    await switchNode(1 + Math.floor(Math.random() * 3), what, `${query}${joiner}methods=${methods}&times=${times}${after}`);
    figures.faults++;
    const [switchName, code] = what.split('/');
    const kind =
      switchName === 'group'
        ? `${code.startsWith('5') ? '5xx' : code}${query.includes('body=html') ? ' html' : ''}${query.includes('apply=true') ? ' applied' : ''}`
        : switchName;
    figures.faultKinds[kind] = (figures.faultKinds[kind] ?? 0) + 1;
    await sleep(300 + Math.random() * 700);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
