import * as assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { emulatorFirestore } from '../support/emulatorFirestore';
import { localEndpoints } from '../support/endpoints';
import { request, type ReadResponse } from '../support/http';
import { assertProblem } from '../support/problems';

/** groupTask's body, as the tests read it. */
type TaskView = ReadResponse['body'];

/**
 * System C over HTTP against the local cloud, with its three simulated nodes (nodeSim's node1,
 * node2, node3) and the groups workflow on the local Workflows engine. Locally a node request
 * times out after 1 s and back-off starts at 0.2 s (local/workflowDeployments.ts), so each
 * scenario takes seconds. Every test uses its own group id, and the node switches are reset
 * after each test.
 */
describe('group operations end to end', function () {
  this.timeout(60_000);
  const fn = (name: string): string => localEndpoints().functions[name];
  const node = (n: number): string => `${fn('nodeSim')}/node${n}`;
  const run = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const newGroup = (label: string): string => `${label}-${run}-${++counter}`;
  const terminal = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED'];

  const start = (operation: 'create' | 'delete', groupId: string): Promise<ReadResponse> =>
    request(fn(operation === 'create' ? 'createGroup' : 'deleteGroup'), { method: 'POST', json: { group_id: groupId } });

  async function waitForTask(taskId: string, seconds = 45): Promise<TaskView> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const res = await request(`${fn('groupTask')}/${taskId}`);
      assert.equal(res.status, 200, res.text);
      if (terminal.includes(res.body.state)) return res.body;
      if (Date.now() > deadline) assert.fail(`task ${taskId} still ${res.body.state} after ${seconds} s: ${res.text}`);
      await sleep(150);
    }
  }

  /** Starts an operation, checks the 202, and waits for the task to end. */
  async function operate(operation: 'create' | 'delete', groupId: string): Promise<TaskView> {
    const res = await start(operation, groupId);
    assert.equal(res.status, 202, res.text);
    return waitForTask(res.body.task_id);
  }

  const nodeHas = async (n: number, groupId: string): Promise<boolean> => {
    const res = await request(`${node(n)}/v1/group/${groupId}/`);
    assert.ok(res.status === 200 || res.status === 404, `node${n} answered ${res.status} to a GET: ${res.text}`);
    return res.status === 200;
  };
  const holders = async (groupId: string): Promise<number[]> => {
    const found: number[] = [];
    for (const n of [1, 2, 3]) if (await nodeHas(n, groupId)) found.push(n);
    return found;
  };
  const switchNode = async (n: number, what: string, query = ''): Promise<void> => {
    const res = await request(`${node(n)}/v1/${what}${query}`, { method: 'POST' });
    assert.equal(res.status, 200, res.text);
  };
  const createOnNode = async (n: number, groupId: string): Promise<void> => {
    assert.equal((await request(`${node(n)}/v1/group/`, { method: 'POST', json: { groupId } })).status, 201);
  };
  const outcomes = (task: TaskView): string[] => [1, 2, 3].map((n) => task.nodes[node(n)]);

  /**
   * Runs the groups workflow with {"replay_task"} as an operator would (gcloud workflows run),
   * through the local engine's Executions REST API, and waits for the execution to end.
   */
  async function runReplay(taskId: string): Promise<ReadResponse['body']> {
    const { workflows, workflows_parent: parent } = localEndpoints() as unknown as { workflows: string; workflows_parent: string };
    const started = await request(`${workflows}/v1/${parent}/workflows/groups/executions`, {
      method: 'POST',
      json: { argument: JSON.stringify({ replay_task: taskId }) },
    });
    assert.equal(started.status, 200, started.text);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const execution = await request(`${workflows}/v1/${started.body.name}?view=FULL`);
      assert.equal(execution.status, 200, execution.text);
      if (!['ACTIVE', 'QUEUED'].includes(execution.body.state)) return execution.body;
      if (Date.now() > deadline) assert.fail(`replay ${started.body.name} still ${execution.body.state}`);
      await sleep(150);
    }
  }

  afterEach(async () => {
    for (const n of [1, 2, 3]) {
      await switchNode(n, 'group/0');
      await switchNode(n, 'hang/0');
    }
  });

  describe('the simulated nodes', () => {
    it('implement the node API: 201, 400 when it exists, GET 200/404, DELETE 200 then 404', async () => {
      const g = newGroup('sim');
      assert.equal((await request(`${node(1)}/v1/group/`, { method: 'POST', json: { groupId: g } })).status, 201);
      assert.equal((await request(`${node(1)}/v1/group/`, { method: 'POST', json: { groupId: g } })).status, 400);
      assert.equal((await request(`${node(1)}/v1/group/${g}/`)).status, 200);
      assert.equal((await request(`${node(2)}/v1/group/${g}/`)).status, 404, 'nodes are independent');
      assert.equal((await request(`${node(1)}/v1/group/`, { method: 'DELETE', json: { groupId: g } })).status, 200);
      assert.equal((await request(`${node(1)}/v1/group/`, { method: 'DELETE', json: { groupId: g } })).status, 404);
    });

    it('answer the switched status until reset, for the listed methods and times only', async () => {
      const g = newGroup('switch');
      await switchNode(2, 'group/503', '?methods=POST&times=1');
      assert.equal((await request(`${node(2)}/v1/group/${g}/`)).status, 404, 'GET is not switched');
      assert.equal((await request(`${node(2)}/v1/group/`, { method: 'POST', json: { groupId: g } })).status, 503);
      assert.equal((await request(`${node(2)}/v1/group/`, { method: 'POST', json: { groupId: g } })).status, 201, 'times=1 is used up');
      await switchNode(2, 'group/500');
      assert.equal((await request(`${node(2)}/v1/group/${g}/`)).status, 500);
      await switchNode(2, 'group/0');
      assert.equal((await request(`${node(2)}/v1/group/${g}/`)).status, 200);
    });
  });

  it('creates a group on every node, then deletes it from every node', async () => {
    const g = newGroup('happy');
    const res = await start('create', g);
    assert.equal(res.status, 202, res.text);
    assert.match(res.body.task_id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('location'), `${fn('groupTask')}/${res.body.task_id}`);
    const created = await waitForTask(res.body.task_id);
    assert.equal(created.state, 'SUCCEEDED', JSON.stringify(created));
    assert.equal(created.operation, 'create');
    assert.equal(created.group_id, g);
    assert.deepEqual(outcomes(created), ['created', 'created', 'created']);
    assert.deepEqual(await holders(g), [1, 2, 3]);

    const deleted = await operate('delete', g);
    assert.equal(deleted.state, 'SUCCEEDED', JSON.stringify(deleted));
    assert.deepEqual(outcomes(deleted), ['deleted', 'deleted', 'deleted']);
    assert.deepEqual(await holders(g), []);
  });

  it('treats a group already absent from a node as deleted there', async () => {
    const g = newGroup('absent');
    await createOnNode(1, g);
    await createOnNode(3, g);
    const task = await operate('delete', g);
    assert.equal(task.state, 'SUCCEEDED', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['deleted', 'absent', 'deleted']);
    assert.deepEqual(await holders(g), []);
  });

  it('rolls back every node when node 3 answers 500, and no node keeps the group', async () => {
    const g = newGroup('node3-500');
    await switchNode(3, 'group/500');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'failed']);
    assert.match(task.error, /node3/);
    assert.match(task.error, /500/);
    assert.equal(task.dead_letters, undefined);
    await switchNode(3, 'group/0');
    assert.deepEqual(await holders(g), []);
  });

  it('resolves a 5xx to the create itself with a GET, and rolls back when the node never takes it', async () => {
    const g = newGroup('node3-post-502');
    await switchNode(3, 'group/502', '?methods=POST');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'failed']);
    assert.match(task.error, /502/);
    assert.deepEqual(await holders(g), []);
  });

  it('restores the group on every node when a delete fails on node 3', async () => {
    const g = newGroup('delete-rollback');
    assert.equal((await operate('create', g)).state, 'SUCCEEDED');
    await switchNode(3, 'group/503', '?methods=DELETE');
    const task = await operate('delete', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['restored', 'restored', 'failed']);
    assert.deepEqual(await holders(g), [1, 2, 3]);
  });

  it('resolves a create that hangs past the timeout on node 2, consistently either way', async () => {
    const g = newGroup('node2-hang');
    // The POST waits 2.5 s on node 2 (the workflow gives up after 1 s), then still creates it.
    await switchNode(2, 'hang/2500', '?methods=POST&times=1');
    const task = await operate('create', g);
    assert.ok(['SUCCEEDED', 'ROLLED_BACK'].includes(task.state), JSON.stringify(task));
    await sleep(2000); // let the hung request finish on the node
    if (task.state === 'SUCCEEDED') {
      assert.deepEqual(outcomes(task), ['created', 'created', 'created']);
      assert.deepEqual(await holders(g), [1, 2, 3]);
    } else {
      assert.deepEqual(await holders(g), []);
    }
  });

  it('leaves a node that never answers in time untouched and rolls back the others', async () => {
    const g = newGroup('node2-down');
    await switchNode(2, 'hang/1500');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'failed', 'skipped']);
    assert.match(task.error, /node2/);
    assert.match(task.error, /timed out/i);
    await switchNode(2, 'hang/0');
    assert.deepEqual(await holders(g), []);
  });

  it('never deletes a group that existed before: node 1 keeps its group when node 3 fails', async () => {
    const g = newGroup('preexisting');
    await createOnNode(1, g);
    await switchNode(3, 'group/500');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['pre-existing', 'rolled_back', 'failed']);
    await switchNode(3, 'group/0');
    assert.deepEqual(await holders(g), [1]);
  });

  it('writes a replayable dead letter and ends FAILED when a compensation keeps failing', async () => {
    const g = newGroup('dead-letter');
    await switchNode(1, 'group/500', '?methods=DELETE');
    await switchNode(3, 'group/500');
    const task = await operate('create', g);
    assert.equal(task.state, 'FAILED', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['compensation_failed', 'rolled_back', 'failed']);
    assert.equal(task.dead_letters.length, 1);
    const id = task.dead_letters[0];
    assert.ok(task.error.includes(id), `the error names the dead letter: ${task.error}`);

    const letter = (await emulatorFirestore().collection('group_dead_letters').doc(id).get()).data();
    assert.ok(letter, `dead letter ${id} is not in Firestore`);
    assert.equal(letter.task_id, task.task_id);
    assert.equal(letter.group_id, g);
    assert.equal(letter.node, node(1));
    assert.equal(letter.method, 'DELETE');
    assert.equal(letter.url, `${node(1)}/v1/group/`);
    assert.deepEqual(letter.body, { groupId: g });
    assert.equal(letter.attempts, 4, 'one attempt and COMPENSATION_MAX_RETRIES=3 retries');
    assert.equal(letter.last_status, 500);
    assert.equal(await nodeHas(1, g), true, 'node 1 still has the group the rollback could not delete');
    assert.equal(letter.state, 'PENDING_REPLAY');
  });

  it('keeps the group locked while a dead letter is pending, until a replay execution finishes the rollback', async () => {
    const g = newGroup('replay');
    await switchNode(1, 'group/500', '?methods=DELETE');
    await switchNode(3, 'group/500');
    const task = await operate('create', g);
    assert.equal(task.state, 'FAILED', JSON.stringify(task));
    const [id] = task.dead_letters;

    // A new operation on the group is refused while node 1 may still hold the failed create.
    const busy = await start('create', g);
    assertProblem(busy, 409);
    assert.ok(busy.body.detail.includes(id), `the 409 names the dead letter: ${busy.body.detail}`);
    assert.ok(busy.body.detail.includes(`"replay_task":"${task.task_id}"`), busy.body.detail);

    // Heal the nodes, then replay through the Executions API.
    await switchNode(1, 'group/0');
    await switchNode(3, 'group/0');
    const execution = await runReplay(task.task_id);
    assert.equal(execution.state, 'SUCCEEDED', JSON.stringify(execution));
    const result = JSON.parse(execution.result);
    assert.equal(result.state, 'ROLLED_BACK', execution.result);
    assert.deepEqual(result.replayed, [id]);
    assert.deepEqual(result.remaining, []);

    const letter = (await emulatorFirestore().collection('group_dead_letters').doc(id).get()).data();
    assert.equal(letter?.state, 'REPLAYED');
    assert.equal(letter?.replayed_by, String(execution.name).split('/').pop());
    assert.ok(letter?.replayed_at, 'replayed_at is set');
    assert.deepEqual(await holders(g), [], 'node 1 no longer has the group');
    const lock = await emulatorFirestore().collection('group_locks').doc(`g-${g}`).get();
    assert.equal(lock.exists, false, 'the replay released the lock');
    const ended = await request(`${fn('groupTask')}/${task.task_id}`);
    assert.equal(ended.body.state, 'ROLLED_BACK', ended.text);
    assert.deepEqual(outcomes(ended.body), ['rolled_back', 'rolled_back', 'failed']);
    assert.match(ended.body.error, /; dead letters replayed by execution \S+$/);

    // A second replay is refused (the task is no longer FAILED), and the group is free again.
    const again = await runReplay(task.task_id);
    assert.equal(again.state, 'FAILED', JSON.stringify(again));
    assert.match(again.error.payload, /replay refused/);
    const next = await operate('create', g);
    assert.equal(next.state, 'SUCCEEDED', JSON.stringify(next));
    assert.deepEqual(await holders(g), [1, 2, 3]);
  });

  it('answers 409 to a second operation on a group while the first runs, and releases the lock after', async () => {
    const g = newGroup('concurrent');
    // Slow nodes keep the first operation running for seconds: the emulator may hold the losing
    // transaction for about a second before it retries, and must find the lock still held.
    for (const n of [1, 2, 3]) await switchNode(n, 'hang/900', '?times=1');
    const [a, b] = await Promise.all([start('create', g), start('create', g)]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [202, 409], `${a.text} / ${b.text}`);
    const conflict = a.status === 409 ? a : b;
    assertProblem(conflict, 409);
    assert.match(conflict.body.detail, new RegExp(g));
    const accepted = a.status === 202 ? a : b;
    assert.equal((await waitForTask(accepted.body.task_id)).state, 'SUCCEEDED');
    // The lock is gone once the task has ended.
    assert.equal((await operate('delete', g)).state, 'SUCCEEDED');
  });

  it('answers 409 to a delete while a create of the same group runs', async () => {
    const g = newGroup('busy');
    await switchNode(1, 'hang/700', '?times=1');
    const first = await start('create', g);
    assert.equal(first.status, 202);
    const second = await start('delete', g);
    assert.equal(second.status, 409, second.text);
    assert.equal((await waitForTask(first.body.task_id)).state, 'SUCCEEDED');
  });

  it('takes a group over from a task whose execution was cancelled, marking that task FAILED', async () => {
    const g = newGroup('cancelled');
    // Node 1 hangs past the 1 s node timeout, so the first execution is still running when cancelled.
    await switchNode(1, 'hang/1500');
    const first = await start('create', g);
    assert.equal(first.status, 202, first.text);
    const taskRef = emulatorFirestore().collection('group_tasks').doc(first.body.task_id);
    // The execution that claimed the task names itself in it (claimed_by).
    let execution: string | undefined;
    const deadline = Date.now() + 10_000;
    while (!execution) {
      const task = (await taskRef.get()).data();
      if (task?.state === 'RUNNING' && typeof task.claimed_by === 'string') execution = task.claimed_by;
      else if (Date.now() > deadline) assert.fail(`task ${first.body.task_id} not claimed: ${JSON.stringify(task)}`);
      else await sleep(50);
    }
    assert.equal((await start('create', g)).status, 409, 'the group is busy while the execution runs');

    // Cancel it by hand, through the Executions API of the local Workflows engine.
    const cancel = await request(`${localEndpoints().workflows as string}/v1/${execution}:cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.body.state, 'CANCELLED');
    await switchNode(1, 'hang/0');

    const second = await start('create', g);
    assert.equal(second.status, 202, `the stale lock is taken over: ${second.text}`);
    const old = await request(`${fn('groupTask')}/${first.body.task_id}`);
    assert.equal(old.body.state, 'FAILED', old.text);
    assert.equal(
      old.body.error,
      `execution ${execution} ended CANCELLED before finishing the task; nodes may hold partial changes of this operation`,
    );

    const task = await waitForTask(second.body.task_id);
    assert.equal(task.state, 'SUCCEEDED', JSON.stringify(task));
    assert.deepEqual(await holders(g), [1, 2, 3]);
    assert.equal(
      (await request(`${fn('groupTask')}/${first.body.task_id}`)).body.state,
      'FAILED',
      'the cancelled execution wrote nothing after',
    );
  });

  describe('requests it refuses', () => {
    it('answers 404 for an unknown task', async () => {
      const res = await request(`${fn('groupTask')}/0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e`);
      assertProblem(res, 404);
    });

    it('answers 400 for a malformed task id', async () => {
      const res = await request(`${fn('groupTask')}/not-a-task`);
      assertProblem(res, 400);
    });

    const invalid: [string, unknown][] = [
      ['an empty group id', { group_id: '' }],
      ['a group id with a slash', { group_id: 'a/b' }],
      ['the group id ".."', { group_id: '..' }],
      ['a 129-character group id', { group_id: 'x'.repeat(129) }],
      ['a number', { group_id: 7 }],
      ['an extra key', { group_id: 'ok', extra: true }],
      ['no group id', {}],
    ];
    for (const [name, body] of invalid) {
      it(`answers 400 to ${name}, starting nothing`, async () => {
        const res = await request(fn('createGroup'), { method: 'POST', json: body });
        assertProblem(res, 400);
      });
    }

    it('answers 405 with Allow to a GET on createGroup', async () => {
      const res = await request(fn('createGroup'));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'POST');
    });
  });
});
