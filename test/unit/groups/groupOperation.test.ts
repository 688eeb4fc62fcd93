import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import * as workflowsClient from '../../../functions/shared/clients/workflows';
import { captureLogs } from '../../support/captureLogs';
import { saveEnv } from '../../support/env';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { memoryFirestore } from './fakes';

const NODES = ['http://node.test/node1', 'http://node.test/node2', 'http://node.test/node3'];
const WORKFLOW = 'projects/unit-test-project/locations/europe-west1/workflows/groups';
const TASK_URL = 'http://functions.test/groupTask';

/** createGroup and deleteGroup with Firestore and the Workflows Executions API stubbed. */
describe('createGroup and deleteGroup handlers (Firestore and Workflows stubbed)', () => {
  const fake = memoryFirestore();
  const createExecution = sinon.stub();
  const getExecution = sinon.stub();
  let create: Awaited<ReturnType<typeof serveFunction>>;
  let remove: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  let restoreEnv: (() => void) | undefined;

  before(async () => {
    restoreEnv = saveEnv();
    Object.assign(process.env, {
      WORKFLOW_LOCATION: 'europe-west1',
      WORKFLOW_NAME: 'groups',
      NODES: NODES.join(','),
      GROUP_TASK_URL: TASK_URL,
    });
    sinon.stub(firestoreClient, 'firestore').returns(fake.db as never);
    sinon.stub(workflowsClient, 'executionsClient').returns({ createExecution, getExecution } as never);
    require('../../../functions/groups/createGroup');
    require('../../../functions/groups/deleteGroup');
    create = await serveFunction('createGroup');
    remove = await serveFunction('deleteGroup');
  });
  after(async () => {
    sinon.restore();
    restoreEnv?.();
    await create.close();
    await remove.close();
  });
  beforeEach(() => {
    logs = captureLogs();
    fake.docs.clear();
    fake.transactions.length = 0;
    createExecution.reset();
    createExecution.callsFake(async () => [{ name: `${WORKFLOW}/executions/exec-1` }]);
    getExecution.reset();
    getExecution.rejects(new Error('getExecution called unexpectedly'));
  });
  afterEach(() => logs.restore());

  const post = (url: string, body: unknown) => request(url, { method: 'POST', json: body });

  it('writes a PENDING task and the lock in one transaction, starts the workflow, and answers 202 with a Location', async () => {
    const res = await post(create.url, { group_id: 'team-a' });
    assert.equal(res.status, 202, res.text);
    const taskId = res.body.task_id as string;
    assert.match(taskId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(res.body), ['task_id']);
    assert.equal(res.headers.get('location'), `${TASK_URL}/${taskId}`);

    const [tx] = fake.transactions;
    assert.deepEqual(
      tx.writes.map(([kind, path]) => `${kind} ${path}`),
      [`create group_tasks/${taskId}`, 'create group_locks/g-team-a'],
    );
    const task = fake.read(`group_tasks/${taskId}`)!;
    assert.equal(task.state, 'PENDING');
    assert.equal(task.operation, 'create');
    assert.equal(task.group_id, 'team-a');
    assert.deepEqual(task.nodes, NODES);
    assert.deepEqual(task.outcomes, ['pending', 'pending', 'pending']);
    assert.equal(task.execution, `${WORKFLOW}/executions/exec-1`);
    assert.equal(fake.read('group_locks/g-team-a')!.task_id, taskId);

    sinon.assert.calledOnce(createExecution);
    const [{ parent, execution }] = createExecution.firstCall.args;
    assert.equal(parent, WORKFLOW);
    assert.deepEqual(JSON.parse(execution.argument), { task_id: taskId, operation: 'create', group_id: 'team-a', nodes: NODES });
  });

  it('starts a delete with operation "delete"', async () => {
    const res = await post(remove.url, { group_id: 'team-b' });
    assert.equal(res.status, 202);
    assert.equal(JSON.parse(createExecution.firstCall.args[0].execution.argument).operation, 'delete');
    assert.equal(fake.read(`group_tasks/${res.body.task_id}`)!.operation, 'delete');
  });

  it('answers 409 while another task holds the group, and starts nothing', async () => {
    fake.seed('group_locks/g-busy', { task_id: 'running-task', operation: 'create', group_id: 'busy' });
    fake.seed('group_tasks/running-task', { state: 'RUNNING' });
    const res = await post(remove.url, { group_id: 'busy' });
    assertProblem(res, 409);
    assert.match(res.body.detail, /running-task/);
    sinon.assert.notCalled(createExecution);
    assert.equal(fake.read('group_locks/g-busy')!.task_id, 'running-task');
    assert.equal(fake.docs.size, 2, 'no task was written');
  });

  it('takes over a lock whose task has ended (left by a run that could not release it)', async () => {
    fake.seed('group_locks/g-stale', { task_id: 'old-task', operation: 'create', group_id: 'stale' });
    fake.seed('group_tasks/old-task', { state: 'FAILED' });
    const res = await post(create.url, { group_id: 'stale' });
    assert.equal(res.status, 202, res.text);
    assert.equal(fake.read('group_locks/g-stale')!.task_id, res.body.task_id);
  });

  it('takes over a lock whose task ended FAILED with an empty dead letter list', async () => {
    fake.seed('group_locks/g-no-letters', { task_id: 'old-task', operation: 'create', group_id: 'no-letters' });
    fake.seed('group_tasks/old-task', { state: 'FAILED', dead_letters: [] });
    const res = await post(create.url, { group_id: 'no-letters' });
    assert.equal(res.status, 202, res.text);
    assert.equal(fake.read('group_locks/g-no-letters')!.task_id, res.body.task_id);
  });

  it('answers 409 naming the dead letters while the lock is held by a task that ended FAILED with dead letters', async () => {
    fake.seed('group_locks/g-dead', { task_id: 'old-task', operation: 'create', group_id: 'dead' });
    fake.seed('group_tasks/old-task', {
      state: 'FAILED',
      operation: 'create',
      group_id: 'dead',
      dead_letters: ['old-task-0', 'old-task-2'],
    });
    const res = await post(remove.url, { group_id: 'dead' });
    assertProblem(res, 409);
    assert.match(res.body.detail, /old-task-0, old-task-2/);
    assert.match(res.body.detail, /a create \(task old-task\)/);
    assert.match(res.body.detail, /Replay them first: gcloud workflows run groups --data='\{"replay_task":"old-task"\}'/);
    assert.match(res.body.detail, /README\.md, System C, "Dead letters and replay"/);
    sinon.assert.notCalled(createExecution);
    sinon.assert.notCalled(getExecution);
    assert.equal(fake.read('group_locks/g-dead')!.task_id, 'old-task', 'the lock is kept');
    assert.equal(fake.read('group_tasks/old-task')!.state, 'FAILED');
    assert.equal(fake.docs.size, 2, 'no task was written');
  });

  describe('a lock held by a task that has not ended', () => {
    const OLD_EXEC = `${WORKFLOW}/executions/old-exec`;
    const at = (ms: number) => ({ toMillis: () => ms });
    const holdLock = (group: string, task: Record<string, unknown>): void => {
      fake.seed(`group_locks/g-${group}`, { task_id: 'old-task', operation: 'create', group_id: group });
      fake.seed('group_tasks/old-task', { task_id: 'old-task', operation: 'create', group_id: group, created_at: at(Date.now()), ...task });
    };

    it('answers 409 while the execution that claimed it is ACTIVE', async () => {
      holdLock('active', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC });
      getExecution.resolves([{ name: OLD_EXEC, state: 'ACTIVE' }]);
      const res = await post(create.url, { group_id: 'active' });
      assert.equal(res.status, 409, res.text);
      assert.match(res.body.detail, /old-task/);
      sinon.assert.calledOnceWithExactly(getExecution, { name: OLD_EXEC });
      assert.equal(fake.read('group_tasks/old-task')!.state, 'RUNNING');
      assert.equal(fake.read('group_locks/g-active')!.task_id, 'old-task');
      sinon.assert.notCalled(createExecution);
    });

    it('answers 409 while the execution is QUEUED', async () => {
      holdLock('queued', { state: 'PENDING', execution: OLD_EXEC });
      getExecution.resolves([{ name: OLD_EXEC, state: 'QUEUED' }]);
      assert.equal((await post(create.url, { group_id: 'queued' })).status, 409);
      assert.equal(fake.read('group_tasks/old-task')!.state, 'PENDING');
    });

    it('marks it FAILED and takes the lock over when its execution was CANCELLED', async () => {
      holdLock('cancelled', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC });
      getExecution.resolves([{ name: OLD_EXEC, state: 'CANCELLED' }]);
      const res = await post(create.url, { group_id: 'cancelled' });
      assert.equal(res.status, 202, res.text);
      const old = fake.read('group_tasks/old-task')!;
      assert.equal(old.state, 'FAILED');
      assert.equal(
        old.error,
        `execution ${OLD_EXEC} ended CANCELLED before finishing the task; nodes may hold partial changes of this operation`,
      );
      const taskId = res.body.task_id as string;
      assert.notEqual(taskId, 'old-task');
      assert.equal(fake.read(`group_tasks/${taskId}`)!.state, 'PENDING');
      assert.equal(fake.read('group_locks/g-cancelled')!.task_id, taskId);
      sinon.assert.calledOnce(createExecution);
      const warning = logs.entries.find((e) => e.event === 'group_task_abandoned');
      assert.ok(warning, 'the take-over is logged');
      assert.equal(warning.severity, 'WARNING');
      assert.equal(warning.abandoned_task_id, 'old-task');
      const expiresIn = (old.expires_at as { toMillis(): number }).toMillis() - Date.now();
      assert.ok(Math.abs(expiresIn - 30 * 86_400_000) < 60_000, `the abandoned task expires in GROUP_TASK_RETENTION_DAYS: ${expiresIn} ms`);
    });

    it('takes over a task abandoned mid-rollback after writing dead letters, naming them in its error (its rollback never finished: not replayable)', async () => {
      holdLock('abandoned-letters', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC, dead_letters: ['old-task-1'] });
      getExecution.resolves([{ name: OLD_EXEC, state: 'FAILED' }]);
      const res = await post(create.url, { group_id: 'abandoned-letters' });
      assert.equal(res.status, 202, res.text);
      const old = fake.read('group_tasks/old-task')!;
      assert.equal(old.state, 'FAILED');
      assert.equal(old.abandoned, true);
      assert.match(
        String(old.error),
        /ended FAILED before finishing.*; its dead letters old-task-1 .*not replayed.*check those nodes by hand/,
      );
      assert.ok(old.expires_at, 'it no longer holds its group, so it expires');
      assert.equal(fake.read('group_locks/g-abandoned-letters')!.task_id, res.body.task_id);
    });

    it('takes over a lock still held by a task already marked abandoned, whatever its dead letters', async () => {
      holdLock('abandoned-before', { state: 'FAILED', abandoned: true, dead_letters: ['old-task-0'] });
      const res = await post(create.url, { group_id: 'abandoned-before' });
      assert.equal(res.status, 202, res.text);
      sinon.assert.notCalled(getExecution);
    });

    it('asks about the execution that claimed the task, not a duplicate createGroup recorded', async () => {
      const claimer = `${WORKFLOW}/executions/claimer`;
      holdLock('duplicate', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: claimer });
      // The recorded execution lost the claim and ended at once; the claimer still runs.
      getExecution.callsFake(async ({ name }: { name: string }) => [{ name, state: name === claimer ? 'ACTIVE' : 'SUCCEEDED' }]);
      assert.equal((await post(create.url, { group_id: 'duplicate' })).status, 409);
      sinon.assert.calledOnceWithExactly(getExecution, { name: claimer });
      assert.equal(fake.read('group_tasks/old-task')!.state, 'RUNNING');
    });

    for (const [state, error] of [
      ['FAILED', undefined],
      ['SUCCEEDED', undefined],
      ['NOT_FOUND (gRPC code 5)', Object.assign(new Error('NOT_FOUND'), { code: 5 })],
      [
        'NOT_FOUND (an HTTP 404 from the REST fallback)',
        Object.assign(new Error('Request failed with status code 404'), { response: { status: 404 } }),
      ],
    ] as const) {
      it(`takes the lock over when the execution ended ${state}`, async () => {
        holdLock('ended', { state: 'PENDING', execution: OLD_EXEC });
        if (error) getExecution.rejects(error);
        else getExecution.resolves([{ name: OLD_EXEC, state }]);
        const res = await post(create.url, { group_id: 'ended' });
        assert.equal(res.status, 202, res.text);
        assert.equal(fake.read('group_tasks/old-task')!.state, 'FAILED');
        assert.match(String(fake.read('group_tasks/old-task')!.error), new RegExp(`ended ${state.split(' ')[0]} before finishing`));
        assert.equal(fake.read('group_locks/g-ended')!.task_id, res.body.task_id);
      });
    }

    it('answers 409 when the execution cannot be looked up (UNAVAILABLE): no take-over on doubt', async () => {
      holdLock('doubt', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC });
      getExecution.rejects(Object.assign(new Error('UNAVAILABLE: workflows down'), { code: 14 }));
      const res = await post(create.url, { group_id: 'doubt' });
      assert.equal(res.status, 409, res.text);
      assert.doesNotMatch(res.text, /workflows down/);
      assert.equal(fake.read('group_tasks/old-task')!.state, 'RUNNING');
      assert.equal(fake.read('group_locks/g-doubt')!.task_id, 'old-task');
      assert.ok(logs.entries.some((e) => e.severity === 'WARNING' && e.event === 'group_lock_check_failed'));
    });

    it('answers 409 to a PENDING task with no execution yet, younger than the grace period', async () => {
      holdLock('young', { state: 'PENDING', created_at: at(Date.now() - 290_000) });
      assert.equal((await post(create.url, { group_id: 'young' })).status, 409);
      assert.equal(fake.read('group_tasks/old-task')!.state, 'PENDING');
      sinon.assert.notCalled(getExecution);
    });

    it('marks FAILED and takes over a PENDING task with no execution, older than the grace period', async () => {
      holdLock('orphan', { state: 'PENDING', created_at: at(Date.now() - 310_000) });
      const res = await post(create.url, { group_id: 'orphan' });
      assert.equal(res.status, 202, res.text);
      const old = fake.read('group_tasks/old-task')!;
      assert.equal(old.state, 'FAILED');
      assert.match(String(old.error), /no workflow execution was recorded for the task within 300 s/);
      assert.equal(fake.read('group_locks/g-orphan')!.task_id, res.body.task_id);
      sinon.assert.notCalled(getExecution);
    });

    it('answers 409 to a RUNNING task with no execution recorded, however old', async () => {
      holdLock('unknown', { state: 'RUNNING', created_at: at(Date.now() - 3_600_000) });
      assert.equal((await post(create.url, { group_id: 'unknown' })).status, 409);
      assert.equal(fake.read('group_tasks/old-task')!.state, 'RUNNING');
    });

    it('leaves the task to a workflow that finished it meanwhile, and takes the lock it released', async () => {
      holdLock('finished', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC });
      getExecution.callsFake(async () => {
        // The execution ends the task and releases the lock just after its state was read.
        fake.seed('group_tasks/old-task', { ...fake.read('group_tasks/old-task'), state: 'SUCCEEDED' });
        fake.docs.delete('group_locks/g-finished');
        return [{ name: OLD_EXEC, state: 'SUCCEEDED' }];
      });
      const res = await post(create.url, { group_id: 'finished' });
      assert.equal(res.status, 202, res.text);
      assert.equal(fake.read('group_tasks/old-task')!.state, 'SUCCEEDED', 'not overwritten with FAILED');
      assert.equal(fake.read('group_tasks/old-task')!.error, undefined);
      assert.equal(fake.read('group_locks/g-finished')!.task_id, res.body.task_id);
    });

    it('answers 409 naming the winner when a concurrent request took the lock over first', async () => {
      holdLock('contested', { state: 'RUNNING', execution: OLD_EXEC, claimed_by: OLD_EXEC });
      getExecution.callsFake(async () => {
        // Another request failed the old task and took the lock in the meantime.
        fake.seed('group_tasks/old-task', { ...fake.read('group_tasks/old-task'), state: 'FAILED', error: 'by the rival' });
        fake.seed('group_tasks/rival', { state: 'PENDING', execution: `${WORKFLOW}/executions/rival` });
        fake.seed('group_locks/g-contested', { task_id: 'rival', operation: 'delete', group_id: 'contested' });
        return [{ name: OLD_EXEC, state: 'CANCELLED' }];
      });
      const res = await post(create.url, { group_id: 'contested' });
      assert.equal(res.status, 409, res.text);
      assert.match(res.body.detail, /rival/);
      assert.equal(fake.read('group_tasks/old-task')!.error, 'by the rival');
      assert.equal(fake.read('group_locks/g-contested')!.task_id, 'rival');
      sinon.assert.calledOnce(getExecution);
      sinon.assert.notCalled(createExecution);
    });
  });

  it('answers 409 when a concurrent request created the lock between its read and its commit', async () => {
    fake.hooks.beforeCommit = () => {
      fake.seed('group_locks/g-race', { task_id: 'rival', operation: 'create', group_id: 'race' });
      fake.seed('group_tasks/rival', { state: 'PENDING' });
    };
    const res = await post(create.url, { group_id: 'race' });
    assert.equal(res.status, 409, res.text);
    assert.match(res.body.detail, /rival/);
    assert.equal(fake.read('group_locks/g-race')!.task_id, 'rival', 'the rival lock is not overwritten');
    assert.equal(fake.transactions.length, 2, 'the lost commit is retried once, which then finds the holder');
    sinon.assert.notCalled(createExecution);
  });

  it('retries createExecution after a transient failure (a duplicate execution would lose the claim on the task)', async () => {
    createExecution.onFirstCall().rejects(Object.assign(new Error('request failed, reason: read ECONNRESET'), { code: 'ECONNRESET' }));
    const res = await post(create.url, { group_id: 'flaky' });
    assert.equal(res.status, 202, res.text);
    sinon.assert.calledTwice(createExecution);
    assert.equal(
      createExecution.firstCall.args[0].execution.argument,
      createExecution.secondCall.args[0].execution.argument,
      'the same task both times',
    );
    assert.equal(fake.read('group_locks/g-flaky')!.task_id, res.body.task_id);
  });

  it('does not retry a permanent failure such as PERMISSION_DENIED', async () => {
    createExecution.rejects(Object.assign(new Error('PERMISSION_DENIED'), { code: 7 }));
    const res = await post(create.url, { group_id: 'denied' });
    assert.equal(res.status, 502);
    sinon.assert.calledOnce(createExecution);
  });

  it('marks the task FAILED and releases the lock when the workflow cannot be started', async () => {
    createExecution.rejects(Object.assign(new Error('UNAVAILABLE: workflows down'), { code: 14 }));
    const res = await post(create.url, { group_id: 'no-workflow' });
    assertProblem(res, 502);
    assert.doesNotMatch(res.text, /workflows down/, 'no internals in the body');
    assert.equal(fake.read('group_locks/g-no-workflow'), undefined, 'the lock is released');
    const tasks = [...fake.docs.entries()].filter(([path]) => path.startsWith('group_tasks/'));
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0][1].data.state, 'FAILED');
    assert.match(String(tasks[0][1].data.error), /workflow could not be started/);
    assert.ok(tasks[0][1].data.expires_at, 'the ended task expires');
    assert.ok(logs.entries.some((e) => e.severity === 'ERROR' && e.event === 'group_task_not_started'));
    sinon.assert.calledThrice(createExecution);
    // And the group can be operated on again at once.
    createExecution.reset();
    createExecution.resolves([{ name: `${WORKFLOW}/executions/exec-2` }]);
    assert.equal((await post(create.url, { group_id: 'no-workflow' })).status, 202);
  });

  it('answers an unexpected Firestore failure with a 500 problem and starts nothing', async () => {
    fake.db.runTransaction.onCall(fake.db.runTransaction.callCount).rejects(Object.assign(new Error('INTERNAL'), { code: 13 }));
    const res = await post(create.url, { group_id: 'firestore-down' });
    assertProblem(res, 500);
    sinon.assert.notCalled(createExecution);
  });

  const invalid: [string, string][] = [
    ['an empty group id', '{"group_id": ""}'],
    ['a slash', '{"group_id": "a/b"}'],
    ['"."', '{"group_id": "."}'],
    ['".."', '{"group_id": ".."}'],
    ['129 characters', JSON.stringify({ group_id: 'g'.repeat(129) })],
    ['a space', '{"group_id": "a b"}'],
    ['a number', '{"group_id": 12}'],
    ['an extra key', '{"group_id": "ok", "x": 1}'],
    ['no group id', '{}'],
    ['malformed JSON', '{"group_id": '],
    ['a JSON array', '["ok"]'],
  ];
  for (const [name, body] of invalid) {
    it(`answers 400 to ${name} without touching Firestore or Workflows`, async () => {
      const calls = fake.db.runTransaction.callCount;
      const res = await postRaw(create.url, body);
      assertProblem(res, 400);
      assert.equal(fake.db.runTransaction.callCount, calls);
      sinon.assert.notCalled(createExecution);
    });
  }

  it('accepts every character of the pattern, up to 128 of them', async () => {
    assert.equal((await post(create.url, { group_id: 'A.z_0-9' })).status, 202);
    assert.equal((await post(create.url, { group_id: 'g'.repeat(128) })).status, 202);
    assert.equal(
      (await post(create.url, { group_id: '__reserved__' })).status,
      202,
      'a Firestore-reserved id still works: the lock id is prefixed',
    );
  });
});
