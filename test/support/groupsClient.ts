import { setTimeout as sleep } from 'node:timers/promises';
import { localEndpoints } from './endpoints';
import { request, type ReadResponse } from './http';

/**
 * System C as its clients and operators use it on the local cloud: start an operation, wait for
 * its task, replay a task through the Executions API, flip a simulated node's switches. Shared by
 * the end-to-end tests, the soak and the contention bench.
 */
export type GroupTaskView = ReadResponse['body'];

export const TERMINAL_TASK_STATES = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED'];

const fn = (name: string): string => localEndpoints().functions[name];

/** A simulated node's base URL: `<nodeSim URL>/node<n>`. */
export const simulatedNode = (n: number): string => `${fn('nodeSim')}/node${n}`;

export function startGroupOperation(operation: 'create' | 'delete', groupId: string): Promise<ReadResponse> {
  return request(fn(operation === 'create' ? 'createGroup' : 'deleteGroup'), { method: 'POST', json: { group_id: groupId } });
}

export async function readGroupTask(taskId: string): Promise<GroupTaskView> {
  const res = await request(`${fn('groupTask')}/${taskId}`);
  if (res.status !== 200) throw new Error(`groupTask ${taskId} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Polls groupTask until the task has ended; throws after `seconds`. */
export async function waitForGroupTask(taskId: string, seconds = 45): Promise<GroupTaskView> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const task = await readGroupTask(taskId);
    if (TERMINAL_TASK_STATES.includes(task.state)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.state} after ${seconds} s: ${JSON.stringify(task)}`);
    await sleep(150);
  }
}

/**
 * Runs the groups workflow with {"replay_task"} as an operator would (gcloud workflows run),
 * through the local engine's Executions REST API, and waits for the execution to end.
 */
export async function runGroupReplay(taskId: string, seconds = 60): Promise<ReadResponse['body']> {
  const { workflows, workflows_parent: parent } = localEndpoints() as unknown as { workflows: string; workflows_parent: string };
  const started = await request(`${workflows}/v1/${parent}/workflows/groups/executions`, {
    method: 'POST',
    json: { argument: JSON.stringify({ replay_task: taskId }) },
  });
  if (started.status !== 200) throw new Error(`createExecution answered ${started.status}: ${started.text}`);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const execution = await request(`${workflows}/v1/${started.body.name}?view=FULL`);
    if (!['ACTIVE', 'QUEUED'].includes(execution.body.state)) return execution.body;
    if (Date.now() > deadline) throw new Error(`replay ${started.body.name} still ${execution.body.state}`);
    await sleep(150);
  }
}

/**
 * Attempts at setting a switch. nodeSim answers 503 when its Firestore is briefly contended (the
 * node's switches document is written by every counted request as it consumes a use); setting a
 * switch again is harmless (it sets the same value), so a 503 is retried with back-off.
 */
const SWITCH_ATTEMPTS = 6;

/** Sets a switch of simulated node n: `group/500`, `hang/2500`, `redirect/307`... with an optional query. */
export async function switchNode(n: number, what: string, query = ''): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await request(`${simulatedNode(n)}/v1/${what}${query}`, { method: 'POST' });
    if (res.status === 200) return;
    if (res.status !== 503 || attempt >= SWITCH_ATTEMPTS) {
      throw new Error(`switch ${what}${query} on node${n} answered ${res.status} (attempt ${attempt}): ${res.text}`);
    }
    await sleep(100 * 2 ** attempt);
  }
}

/** Resets every switch of simulated nodes 1 to `count`. */
export async function resetNodes(count = 3): Promise<void> {
  for (let n = 1; n <= count; n++) for (const what of ['group/0', 'hang/0', 'redirect/0']) await switchNode(n, what);
}

/** Outcomes in node order, from groupTask's `nodes` keyed by index. */
export const nodeOutcomes = (task: GroupTaskView, count = 3): string[] => Array.from({ length: count }, (_, i) => task.nodes[String(i)]);
