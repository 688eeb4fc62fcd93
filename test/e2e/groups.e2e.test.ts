import * as assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { emulatorCollection } from '../support/emulatorFirestore';
import { localEndpoints } from '../support/endpoints';
import {
  nodeOutcomes as outcomes,
  resetNodes,
  runGroupReplay as runReplay,
  simulatedNode as node,
  startGroupOperation as start,
  switchNode,
  waitForGroupTask as waitForTask,
  type GroupTaskView as TaskView,
} from '../support/groupsClient';
import { request } from '../support/http';
import { assertProblem } from '../support/problems';

/**
 * System C over HTTP against the local cloud, with its three simulated nodes (nodeSim's node1,
 * node2, node3) and the groups workflow on the local Workflows engine. Locally a node request
 * times out after 1 s and an unknown outcome is read 3 s after its request was sent
 * (the `local` values in manifest/manifest.json), so each scenario takes seconds: hangs stay below 3 s, as a node
 * must apply a request within NODE_LATE_SECONDS. Every test uses its own group id, and the node
 * switches are reset after each test.
 */
describe('group operations end to end', function () {
  this.timeout(60_000);
  const fn = (name: string): string => localEndpoints().functions[name];
  const run = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const newGroup = (label: string): string => `${label}-${run}-${++counter}`;

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
  const createOnNode = async (n: number, groupId: string): Promise<void> => {
    assert.equal((await request(`${node(n)}/v1/group/`, { method: 'POST', json: { groupId } })).status, 201);
  };

  // The first operation pays the cold starts (nodeSim's Firestore client, connection pools): on a
  // loaded machine its node requests may time out, which the workflow settles honestly but slowly.
  before(async function () {
    this.timeout(180_000);
    const warm = await start('create', newGroup('warm-up'));
    await waitForTask(warm.body.task_id, 170);
  });
  afterEach(() => resetNodes());

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
    assert.doesNotMatch(JSON.stringify(created), /http/, 'no node URL in the view');

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

  it('rolls back every node when node 3 answers 500 to the create, and no node keeps the group', async () => {
    const g = newGroup('node3-500');
    await switchNode(3, 'group/500', '?methods=POST');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'failed']);
    assert.equal(task.error, 'node 2: POST answered 500; rolled back');
    assert.equal(task.dead_letters, undefined);
    await switchNode(3, 'group/0');
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

  /** Waits until node `index`'s request is written to the task's log (sent, or about to be). */
  async function whenLogged(taskId: string, index: number, request: string): Promise<void> {
    const ref = emulatorCollection('group_tasks').doc(taskId);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const task = (await ref.get()).data();
      if (task?.log && JSON.parse(task.log as string)[index]?.request === request) return;
      if (Date.now() > deadline) assert.fail(`node ${index}'s ${request} not logged: ${JSON.stringify(task)}`);
      await sleep(50);
    }
  }

  it('reports a POST node 3 served after the workflow gave up as it is: created, read once the late window passed', async () => {
    const g = newGroup('late-post-settled');
    // Served 2.5 s after it arrived; the workflow gave up after 1 s and reads 3 s after sending.
    await switchNode(3, 'hang/2500', '?methods=POST&times=1');
    const task = await operate('create', g);
    assert.equal(task.state, 'SUCCEEDED', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['created', 'created', 'created']);
    assert.deepEqual(await holders(g), [1, 2, 3]);
  });

  it('compensates a late POST it could not settle: the rollback reads after the late window, and deletes it', async () => {
    const g = newGroup('late-post');
    await switchNode(3, 'hang/2500', '?methods=POST&times=1');
    // After its first read, node 3's next two (the forward pass's settling reads) fail.
    await switchNode(3, 'group/503', '?methods=GET&after=1&times=2');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'rolled_back']);
    await sleep(1000);
    assert.deepEqual(await holders(g), [], 'the late create was deleted, and nothing lands after the task ended');
  });

  it('restores a group a late DELETE removed during the rollback of a delete', async () => {
    const g = newGroup('late-delete');
    assert.equal((await operate('create', g)).state, 'SUCCEEDED');
    await switchNode(3, 'hang/2500', '?methods=DELETE&times=1');
    await switchNode(3, 'group/503', '?methods=GET&after=1&times=2');
    const task = await operate('delete', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['restored', 'restored', 'restored']);
    await sleep(1000);
    assert.deepEqual(await holders(g), [1, 2, 3]);
  });

  it('leaves a node that never answers in time untouched and rolls back the others', async () => {
    const g = newGroup('node2-down');
    await switchNode(2, 'hang/1500');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'failed', 'skipped']);
    assert.match(task.error, /node 1: could not be read before the create \(timed out\)/);
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

  it('works with a node that redirects trailing slashes as FastAPI does (307), creating and deleting for real', async () => {
    const g = newGroup('redirect');
    await switchNode(2, 'redirect/307');
    const created = await operate('create', g);
    assert.equal(created.state, 'SUCCEEDED', JSON.stringify(created));
    assert.deepEqual(outcomes(created), ['created', 'created', 'created']);
    await switchNode(2, 'redirect/0');
    assert.deepEqual(await holders(g), [1, 2, 3]);
    await switchNode(2, 'redirect/307');
    const deleted = await operate('delete', g);
    assert.equal(deleted.state, 'SUCCEEDED', JSON.stringify(deleted));
    await switchNode(2, 'redirect/0');
    assert.deepEqual(await holders(g), []);
  });

  it('never takes a 422 for success: the node is rolled back or left as it was', async () => {
    const g = newGroup('node-422');
    await switchNode(3, 'group/422', '?methods=POST');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'failed']);
    assert.match(task.error, /node 2: POST answered 422/);
    assert.deepEqual(await holders(g), []);
  });

  it('never takes an HTML page for success, even answered 200: a read settles it', async () => {
    const g = newGroup('node-html');
    await switchNode(2, 'group/200', '?methods=POST&body=html');
    const task = await operate('create', g);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'failed', 'skipped']);
    assert.match(task.error, /node 1: POST answered 200 with an HTML page/);
    assert.deepEqual(await holders(g), []);
  });

  it('ends FAILED owing a compensation that keeps failing, holds the group, and a replay after the fix rolls it back', async () => {
    const g = newGroup('replay');
    await switchNode(1, 'group/500', '?methods=DELETE');
    await switchNode(3, 'group/500', '?methods=POST');
    const task = await operate('create', g);
    assert.equal(task.state, 'FAILED', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['compensation_failed', 'rolled_back', 'failed']);
    assert.deepEqual(task.dead_letters, [`${task.task_id}-0`]);
    assert.equal(await nodeHas(1, g), true, 'node 1 still has the group the rollback could not delete');

    // The dead letters are the tasks that owe compensations: one query finds them.
    const owed = await emulatorCollection('group_tasks').where('owed', '==', true).get();
    assert.ok(owed.docs.some((d) => d.id === task.task_id));
    const record = JSON.parse(owed.docs.find((d) => d.id === task.task_id)!.get('log') as string)[0];
    assert.deepEqual([record.request, record.owed, record.outcome], ['DELETE', 'DELETE', 'compensation_failed']);

    // A new operation is refused while node 1 may still hold the failed create; no operator command is shown.
    const busy = await start('create', g);
    assertProblem(busy, 409);
    assert.match(busy.body.detail, new RegExp(`task ${task.task_id}\\), which ended FAILED owing compensations`));
    assert.doesNotMatch(busy.body.detail, /gcloud|replay_task|http/);

    await switchNode(1, 'group/0');
    await switchNode(3, 'group/0');
    const execution = await runReplay(task.task_id);
    assert.equal(execution.state, 'SUCCEEDED', JSON.stringify(execution));
    assert.equal(JSON.parse(execution.result).state, 'ROLLED_BACK', execution.result);
    assert.deepEqual(await holders(g), [], 'node 1 no longer has the group');
    const ended = (await request(`${fn('groupTask')}/${task.task_id}`)).body;
    assert.equal(ended.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes(ended), ['rolled_back', 'rolled_back', 'failed']);
    assert.match(ended.error, /; replayed by execution \S+; rolled back$/);
    assert.equal(ended.dead_letters, undefined);

    const again = await runReplay(task.task_id);
    assert.equal(again.state, 'FAILED', JSON.stringify(again));
    assert.match(again.error.payload, /replay refused/);
    const next = await operate('create', g);
    assert.equal(next.state, 'SUCCEEDED', JSON.stringify(next));
    assert.deepEqual(await holders(g), [1, 2, 3]);
  });

  it('resumes from the log a task whose execution was cancelled mid-rollback', async () => {
    const g = newGroup('crash');
    await switchNode(3, 'group/500', '?methods=POST');
    // Node 1 refuses the first two compensating DELETEs: the rollback takes seconds there.
    await switchNode(1, 'group/503', '?methods=DELETE&times=2');
    const res = await start('create', g);
    assert.equal(res.status, 202, res.text);
    const taskRef = emulatorCollection('group_tasks').doc(res.body.task_id);
    await whenLogged(res.body.task_id, 0, 'DELETE');
    const execution = (await taskRef.get()).get('execution') as string;
    const cancel = await request(`${localEndpoints().workflows as string}/v1/${execution}:cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal((await request(`${fn('groupTask')}/${res.body.task_id}`)).body.state, 'RUNNING');
    assertProblem(await start('delete', g), 409);

    await switchNode(1, 'group/0');
    const replay = await runReplay(res.body.task_id);
    assert.equal(replay.state, 'SUCCEEDED', JSON.stringify(replay));
    const task = await waitForTask(res.body.task_id);
    assert.equal(task.state, 'ROLLED_BACK', JSON.stringify(task));
    assert.deepEqual(outcomes(task), ['rolled_back', 'rolled_back', 'failed']);
    assert.deepEqual(await holders(g), []);
  });

  it('frees a group whose holding task was deleted by its TTL: nothing else had to be released', async () => {
    const g = newGroup('ttl');
    const created = await operate('create', g);
    assert.equal(created.state, 'SUCCEEDED');
    // As Firestore's TTL policy does once expires_at has passed.
    await emulatorCollection('group_tasks').doc(created.task_id).delete();
    const lock = await emulatorCollection('group_locks').doc(`g-${g}`).get();
    assert.equal(lock.get('task_id'), created.task_id, 'the lock still names the deleted task');
    const deleted = await operate('delete', g);
    assert.equal(deleted.state, 'SUCCEEDED', JSON.stringify(deleted));
  });

  it('answers 409 to a second operation on a group while the first runs, at once', async () => {
    const g = newGroup('concurrent');
    for (const n of [1, 2, 3]) await switchNode(n, 'hang/300', '?times=1');
    const [a, b] = await Promise.all([start('create', g), start('create', g)]);
    assert.deepEqual([a.status, b.status].sort(), [202, 409], `${a.text} / ${b.text}`);
    const conflict = a.status === 409 ? a : b;
    assertProblem(conflict, 409);
    assert.match(conflict.body.detail, new RegExp(g));
    const accepted = a.status === 202 ? a : b;
    assert.equal((await waitForTask(accepted.body.task_id)).state, 'SUCCEEDED');
    assert.equal((await operate('delete', g)).state, 'SUCCEEDED', 'free again once the task has ended');
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
