import * as assert from 'node:assert/strict';
import type * as sinon from 'sinon';
import { GroupBusyError, GroupTasks } from '../../../functions/groups/taskStore';
import { aroundBatchCommits } from '../../support/batchCommits';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';

/**
 * GroupTasks.start's preconditions on the Firestore emulator: the lock created if absent or
 * updated only if unchanged since it was read, applied by Firestore itself under real races and
 * with a writer let in between a start's reads and its commit.
 */
describe('GroupTasks on the Firestore emulator', function () {
  this.timeout(60_000);
  let collections: { tasksCollection: string; locksCollection: string };
  let tasks: GroupTasks;
  const lockOf = async (groupId: string) =>
    (await emulatorFirestore().collection(collections.locksCollection).doc(`g-${groupId}`).get()).data();

  beforeEach(() => {
    collections = { tasksCollection: uniqueCollection('group_tasks'), locksCollection: uniqueCollection('group_locks') };
    tasks = new GroupTasks(emulatorFirestore(), collections, 30);
  });
  let batches: sinon.SinonStub | undefined;
  afterEach(() => batches?.restore());
  /** Runs `writer` between each start's reads and its commit (a concurrent request). */
  const beforeEachCommit = (writer: () => Promise<unknown>) => {
    batches = aroundBatchCommits(emulatorFirestore(), async (commit) => {
      await writer();
      return commit();
    });
  };
  const db = () => emulatorFirestore();
  /** An ended task named in the group's lock, written directly. */
  const endedHolder = async (groupId: string, taskId: string) => {
    await db()
      .collection(collections.tasksCollection)
      .doc(taskId)
      .set({ task_id: taskId, operation: 'create', group_id: groupId, state: 'SUCCEEDED' });
    await db().collection(collections.locksCollection).doc(`g-${groupId}`).set({ task_id: taskId });
  };

  it('writes a PENDING task named in a new lock, with expires_at', async () => {
    const { taskId } = await tasks.start('create', 'g1');
    const task = await tasks.get(taskId);
    assert.equal(task?.state, 'PENDING');
    assert.equal(task?.group_id, 'g1');
    assert.ok((task as unknown as { expires_at?: unknown }).expires_at, 'a task whose execution never comes expires');
    assert.equal((await lockOf('g1'))?.task_id, taskId);
  });

  it('of ten concurrent starts on one group, exactly one takes it; the others are told it is busy', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => tasks.start('create', 'contended')));
    const started = outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ taskId: string }>[];
    assert.equal(started.length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof GroupBusyError, String(o.reason));
    assert.equal((await lockOf('contended'))?.task_id, started[0].value.taskId);
  });

  it('takes a group whose holder ended, updating the lock it read', async () => {
    const first = await tasks.start('create', 'g2');
    assert.equal(await tasks.abandon(first.taskId, first.written, 'could not start'), true);
    const second = await tasks.start('delete', 'g2');
    assert.equal((await lockOf('g2'))?.task_id, second.taskId);
    assert.equal((await tasks.get(first.taskId))?.state, 'FAILED');
  });

  it('does not abandon a task written again since (an execution claimed it)', async () => {
    const { taskId, written } = await tasks.start('create', 'g3');
    await emulatorFirestore().collection(collections.tasksCollection).doc(taskId).update({ state: 'RUNNING' });
    assert.equal(await tasks.abandon(taskId, written, 'too late'), false);
    assert.equal((await tasks.get(taskId))?.state, 'RUNNING');
    await assert.rejects(tasks.start('create', 'g3'), GroupBusyError);
  });

  it('is busy, naming the winner, when a concurrent start took the group between its reads and its write', async () => {
    let racing: ReturnType<GroupTasks['start']> | undefined;
    beforeEachCommit(async () => {
      // The winner's own commit passes through here too: it is let through.
      if (racing) return;
      racing = tasks.start('delete', 'race');
      await racing;
    });
    const refused = await tasks.start('create', 'race').catch((err: unknown) => err);
    const winner = await racing;
    assert.ok(refused instanceof GroupBusyError, String(refused));
    assert.deepEqual(refused.holder && [refused.holder.task_id, refused.holder.operation], [winner!.taskId, 'delete']);
    assert.equal(batches!.callCount, 2, 'the refused write is not sent again once the winner holds the group (one batch each)');
    assert.equal((await lockOf('race'))?.task_id, winner!.taskId);
  });

  it('takes the group on a second try when the lock changed under its write but still names a task that holds nothing', async () => {
    await endedHolder('flip', 'old-task');
    let rewritten = false;
    beforeEachCommit(async () => {
      if (rewritten) return;
      rewritten = true;
      // A changed document (an identical write would keep its update time).
      await db().collection(collections.locksCollection).doc('g-flip').set({ task_id: 'old-task', rewritten: true });
    });
    const { taskId } = await tasks.start('create', 'flip');
    assert.equal(batches!.callCount, 2);
    assert.equal((await lockOf('flip'))?.task_id, taskId);
  });

  it('is busy without a holder when the group changes hands under each of its three writes', async () => {
    // A burst on one group whose operations end within the burst: each time another request took
    // the group from an ended task while this one was writing.
    let turn = 0;
    beforeEachCommit(() => endedHolder('churn', `t${++turn}`));
    const refused = await tasks.start('create', 'churn').catch((err: unknown) => err);
    assert.ok(refused instanceof GroupBusyError, String(refused));
    assert.equal(refused.holder, undefined);
    assert.equal(batches!.callCount, 3, 'three conditional writes, each refused');
    assert.equal((await lockOf('churn'))?.task_id, 't3');
  });
});
