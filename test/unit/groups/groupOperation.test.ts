import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import * as workflowsClient from '../../../functions/shared/clients/workflows';
import { GroupBusyError, GroupTasks } from '../../../functions/groups/taskStore';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { fakeFirestore } from '../../support/fakeFirestore';
import { useFunctionEnv } from '../../support/functionEnv';

const WORKFLOW = 'projects/unit-test-project/locations/europe-west1/workflows/groups';
const TASK_URL = 'http://functions.test/groupTask';

/** createGroup and deleteGroup with Firestore and the Workflows Executions API stubbed. */
describe('createGroup and deleteGroup handlers (Firestore and Workflows stubbed)', () => {
  const fake = fakeFirestore();
  const createExecution = sinon.stub();
  let create: Awaited<ReturnType<typeof serveFunction>>;
  let remove: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  let restoreEnv: (() => void) | undefined;

  before(async () => {
    restoreEnv = useFunctionEnv('createGroup', 'deleteGroup');
    Object.assign(process.env, { WORKFLOW_LOCATION: 'europe-west1', GROUP_TASK_URL: TASK_URL });
    sinon.stub(firestoreClient, 'firestore').returns(fake.db as never);
    sinon.stub(workflowsClient, 'executionsClient').returns({ createExecution } as never);
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
    fake.reset();
    createExecution.reset();
    createExecution.callsFake(async () => [{ name: `${WORKFLOW}/executions/exec-1` }]);
  });
  afterEach(() => logs.restore());

  const post = (url: string, body: unknown) => request(url, { method: 'POST', json: body });
  const ms = (at: number) => ({ toMillis: () => at, toDate: () => new Date(at) });
  /** A task named by the lock of group `g-<group>`, in `state`. */
  function holder(group: string, task: Record<string, unknown>): void {
    fake.seed('group_tasks/old-task', { task_id: 'old-task', operation: 'create', group_id: group, ...task });
    fake.seed(`group_locks/g-${group}`, { task_id: 'old-task' });
  }

  it('writes a PENDING task and names it in the lock in one batch, starts the workflow with the task id alone, and answers 202', async () => {
    const res = await post(create.url, { group_id: 'team-a' });
    assert.equal(res.status, 202, res.text);
    const taskId = res.body.task_id as string;
    assert.match(taskId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(res.body), ['task_id']);
    assert.equal(res.headers.get('location'), `${TASK_URL}/${taskId}`);
    sinon.assert.calledOnce(fake.db.batch);
    sinon.assert.notCalled(fake.db.runTransaction); // a contended group is not queued behind a transaction
    assert.deepEqual(
      fake.commit.firstCall.args[0].map((w) => [w.kind, w.path]),
      [
        ['create', `group_tasks/${taskId}`],
        ['create', 'group_locks/g-team-a'],
      ],
    );
    const task = fake.read(`group_tasks/${taskId}`)!;
    assert.deepEqual([task.state, task.operation, task.group_id], ['PENDING', 'create', 'team-a']);
    assert.ok(task.expires_at, 'a task whose execution never comes expires');
    assert.equal(fake.read('group_locks/g-team-a')!.task_id, taskId);
    sinon.assert.calledOnce(createExecution);
    const [request0] = createExecution.firstCall.args;
    assert.equal(request0.parent, WORKFLOW);
    assert.deepEqual(JSON.parse(request0.execution.argument), { task_id: taskId }, 'no node, no group: the workflow reads them itself');
  });

  it('starts a delete with operation "delete"', async () => {
    const res = await post(remove.url, { group_id: 'team-b' });
    assert.equal(res.status, 202, res.text);
    assert.equal(fake.read(`group_tasks/${res.body.task_id}`)!.operation, 'delete');
  });

  const busy: [string, Record<string, unknown>][] = [
    ['RUNNING', { state: 'RUNNING' }],
    ['FAILED owing compensations', { state: 'FAILED', owed: true }],
    ['PENDING within the start grace', { state: 'PENDING', created_at: ms(Date.now() - 10_000) }],
  ];
  for (const [name, task] of busy) {
    it(`answers 409 while the task named in the lock is ${name}, and starts nothing`, async () => {
      holder('held', task);
      const res = await post(create.url, { group_id: 'held' });
      assertProblem(res, 409);
      assert.match(res.body.detail, /Group held is held by a create \(task old-task\)/);
      assert.doesNotMatch(res.body.detail, /gcloud|replay_task|http/, 'no operator command, no node URL');
      sinon.assert.notCalled(createExecution);
      assert.equal(fake.read('group_locks/g-held')!.task_id, 'old-task');
    });
  }

  const free: [string, Record<string, unknown> | undefined][] = [
    ['SUCCEEDED', { state: 'SUCCEEDED' }],
    ['ROLLED_BACK', { state: 'ROLLED_BACK' }],
    ['FAILED owing nothing', { state: 'FAILED', owed: false }],
    ['PENDING past the start grace (its execution never came)', { state: 'PENDING', created_at: ms(Date.now() - 301_000) }],
    ['deleted by its TTL', undefined],
  ];
  for (const [name, task] of free) {
    it(`takes the group when the task named in the lock is ${name}, deleting and reconciling nothing`, async () => {
      if (task) holder('free', task);
      else fake.seed('group_locks/g-free', { task_id: 'gone-task' });
      const res = await post(create.url, { group_id: 'free' });
      assert.equal(res.status, 202, res.text);
      assert.equal(fake.read('group_locks/g-free')!.task_id, res.body.task_id);
      if (task)
        assert.deepEqual(fake.read('group_tasks/old-task'), { task_id: 'old-task', operation: 'create', group_id: 'free', ...task });
    });
  }

  // Which of racing requests takes the group (the lock's preconditions, a write refused at every
  // attempt) is Firestore's to decide: test/emulator/groups/groupTasks.emulator.test.ts.
  it('answers 409, not 500, when the group changed hands under each attempt to take it', async () => {
    const start = sinon.stub(GroupTasks.prototype, 'start').rejects(new GroupBusyError('churn'));
    try {
      const res = await post(create.url, { group_id: 'churn' });
      assertProblem(res, 409);
      assert.match(res.body.detail, /Group churn is being taken by other requests at this moment/);
    } finally {
      start.restore();
    }
    sinon.assert.notCalled(createExecution);
    assert.equal(logs.entries.filter((e) => e.severity === 'ERROR').length, 0, 'contention is not an unexpected error');
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

  it('marks the task FAILED, so it holds nothing, when the workflow cannot be started', async () => {
    createExecution.rejects(Object.assign(new Error('UNAVAILABLE: workflows down'), { code: 14 }));
    const res = await post(create.url, { group_id: 'no-workflow' });
    assertProblem(res, 502);
    assert.doesNotMatch(res.text, /workflows down/, 'no internals in the body');
    const tasks = fake.paths('group_tasks').map((path) => fake.read(path)!);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].state, 'FAILED');
    assert.match(String(tasks[0].error), /workflow could not be started/);
    assert.ok(tasks[0].expires_at, 'the ended task expires');
    assert.ok(logs.entries.some((e) => e.severity === 'ERROR' && e.event === 'group_task_not_started'));
    sinon.assert.calledThrice(createExecution);
    // And the group can be operated on again at once.
    createExecution.reset();
    createExecution.resolves([{ name: `${WORKFLOW}/executions/exec-2` }]);
    assert.equal((await post(create.url, { group_id: 'no-workflow' })).status, 202);
  });

  it('answers an unexpected Firestore failure with a 500 problem and starts nothing', async () => {
    fake.commit.rejects(Object.assign(new Error('INTERNAL'), { code: 13 }));
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
      const calls = fake.db.batch.callCount;
      const res = await postRaw(create.url, body);
      assertProblem(res, 400);
      assert.equal(fake.db.batch.callCount, calls);
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
