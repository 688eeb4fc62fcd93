import * as assert from 'node:assert/strict';
import { GroupBusyError, GroupTasks } from '../../../functions/groups/taskStore';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';

/**
 * GroupTasks.start's preconditions on the Firestore emulator: the lock created if absent or
 * updated only if unchanged since it was read, applied by Firestore itself under real races.
 */
describe('GroupTasks on the Firestore emulator', function () {
  this.timeout(60_000);
  let collections: { tasksCollection: string; locksCollection: string };
  let tasks: GroupTasks;
  const lockOf = async (groupId: string) =>
    (await emulatorFirestore().collection(collections.locksCollection).doc(`g-${groupId}`).get()).data();

  beforeEach(() => {
    collections = { tasksCollection: uniqueCollection('group_tasks'), locksCollection: uniqueCollection('group_locks') };
    tasks = new GroupTasks(emulatorFirestore(), collections, { startGraceSeconds: 300, retentionDays: 30 });
  });

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
});
