import { randomUUID } from 'node:crypto';
import type { Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreModule } from '../shared/clients/firestore';
import { isAlreadyExists, isFailedPrecondition } from '../shared/clients/googleErrors';
import type { GroupOperation, TaskState } from './schemas';

/**
 * The group tasks and who holds each group, in Firestore.
 *
 * `group_tasks/<task_id>`: `{task_id, operation, group_id, state, log?, owed?, error?, execution?,
 * created_at, updated_at, expires_at?}`. This file creates it PENDING (and can fail it before its
 * execution starts); from the claim on only the groups workflow writes it. `log` is the
 * workflow's write-ahead log, JSON text with one record per node (workflows/groups.yaml); `owed`
 * is true while the task is FAILED owing compensations (its dead letters, found by a query on
 * it). `expires_at`, for Firestore's TTL policy, is set whenever the task does not hold its group.
 *
 * `group_locks/g-<group_id>`: `{task_id, acquired_at, claimed_at?}`, the task that last took the
 * group. It is never deleted: whether that task still holds the group follows from the task
 * (`holds`), so nothing has to be released, and a task deleted by its TTL holds nothing. The `g-`
 * prefix keeps every valid group id a valid document id (`__x__` ids are reserved by Firestore).
 */
export interface TaskDocument {
  task_id: string;
  operation: GroupOperation;
  group_id: string;
  state: TaskState;
  log?: string;
  owed?: boolean;
  error?: string;
  execution?: string;
  created_at?: Timestamp;
  updated_at?: Timestamp;
}

/** The task's log records, in node order (none before the workflow claimed the task); the fields read here. */
export function nodeRecords(task: Pick<TaskDocument, 'log'>): { outcome: string; owed: string }[] {
  return task.log ? (JSON.parse(task.log) as ReturnType<typeof nodeRecords>) : [];
}

/** Another task holds the group; no `holder` when the group changed hands under each attempt to take it. */
export class GroupBusyError extends Error {
  constructor(
    readonly groupId: string,
    readonly holder?: Pick<TaskDocument, 'task_id' | 'operation' | 'state'>,
  ) {
    super(holder ? `group ${groupId} is held by task ${holder.task_id}` : `group ${groupId} changed hands under each attempt to take it`);
    this.name = 'GroupBusyError';
  }
}

/** Conditional writes `start` tries before answering that the group is contended. */
const TAKE_ATTEMPTS = 3;

/**
 * How long a PENDING task holds its group after its creation. Past it, the function that wrote it
 * is certainly gone (createGroup/deleteGroup time out after 30 s, manifest/manifest.json), its
 * execution has not claimed it, and the next operation takes the group (that execution's claim
 * then fails on the lock taken over).
 */
const START_GRACE_MS = 300_000;

/** Whether a task holds its group: while it runs, while it is FAILED owing compensations, and while PENDING within the start grace. */
export function holds(task: Pick<TaskDocument, 'state' | 'owed' | 'created_at'> | undefined, now = Date.now()): boolean {
  if (task?.state === 'PENDING') return now - (task.created_at?.toMillis() ?? 0) < START_GRACE_MS;
  return task?.state === 'RUNNING' || (task?.state === 'FAILED' && task.owed === true);
}

export class GroupTasks {
  /** `retentionDays`: how long a task that holds nothing is kept (its `expires_at`), as the workflow does for the tasks it ends. */
  constructor(
    private readonly db: Firestore,
    private readonly collections: { tasksCollection: string; locksCollection: string },
    private readonly retentionDays = 30,
  ) {}

  private task(taskId: string) {
    return this.db.collection(this.collections.tasksCollection).doc(taskId);
  }

  private lock(groupId: string) {
    return this.db.collection(this.collections.locksCollection).doc(`g-${groupId}`);
  }

  private stamps() {
    const { FieldValue, Timestamp } = firestoreModule();
    return { updated_at: FieldValue.serverTimestamp(), expires_at: Timestamp.fromMillis(Date.now() + this.retentionDays * 86_400_000) };
  }

  /**
   * Creates a PENDING task and names it in the group's lock, unless the task named there holds
   * the group (`GroupBusyError`). No transaction: two reads, then one batch whose precondition is
   * the lock as read (created if absent, else unchanged since), so a concurrent start or claim
   * makes it fail and the group is read again. A contended group is answered in a few reads,
   * never queued behind a transaction's locks. A write refused `TAKE_ATTEMPTS` times is busy
   * too: each refusal means another request took the group (or its holder's execution claimed it)
   * after we read it; under a burst on a group whose operations end within the burst, it can
   * change hands under every attempt. Returns the task id and its update time.
   */
  async start(operation: GroupOperation, groupId: string): Promise<{ taskId: string; written: Timestamp }> {
    for (let attempt = 1; ; attempt++) {
      const lock = await this.lock(groupId).get();
      const holder = lock.exists ? await this.get(lock.get('task_id') as string) : undefined;
      if (holds(holder)) throw new GroupBusyError(groupId, holder);
      const taskId = randomUUID();
      const batch = this.db.batch();
      // expires_at from the start: a task whose execution never comes is deleted in time; the claim removes it.
      const stamps = this.stamps();
      batch.create(this.task(taskId), {
        task_id: taskId,
        operation,
        group_id: groupId,
        state: 'PENDING',
        created_at: stamps.updated_at,
        ...stamps,
      });
      const named = { task_id: taskId, acquired_at: stamps.updated_at };
      if (lock.exists) batch.update(this.lock(groupId), named, { lastUpdateTime: lock.updateTime! });
      else batch.create(this.lock(groupId), named);
      try {
        const [result] = await batch.commit();
        return { taskId, written: result.writeTime };
      } catch (err) {
        // Another request took the group, or its holder was claimed, between our read and our write.
        if (!(isAlreadyExists(err) || isFailedPrecondition(err))) throw err;
        if (attempt >= TAKE_ATTEMPTS) throw new GroupBusyError(groupId);
      }
    }
  }

  /**
   * The execution could not be started: the task is marked FAILED (it holds nothing), unless
   * an execution claimed it meanwhile (then it runs: false).
   */
  async abandon(taskId: string, written: Timestamp, error: string): Promise<boolean> {
    try {
      await this.task(taskId).update({ state: 'FAILED', error, ...this.stamps() }, { lastUpdateTime: written });
      return true;
    } catch (err) {
      if (isFailedPrecondition(err)) return false;
      throw err;
    }
  }

  /** The task, or undefined when there is none with this id. */
  async get(taskId: string): Promise<TaskDocument | undefined> {
    return (await this.task(taskId).get()).data() as TaskDocument | undefined;
  }
}
