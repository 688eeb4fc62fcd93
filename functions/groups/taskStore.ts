import { randomUUID } from 'node:crypto';
import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreModule } from '../shared/clients/firestore';
import type { CheckExecution } from './executionState';
import { TERMINAL_STATES, type GroupOperation, type TaskState } from './schemas';
import { isAlreadyExists } from '../shared/clients/googleErrors';

/**
 * The group tasks and the per-group locks in Firestore.
 *
 * `group_tasks/<task_id>`: `{task_id, operation, group_id, state, nodes: [url...], outcomes:
 * [outcome...], error?, dead_letters?, execution?, claimed_by?, abandoned?, created_at, updated_at, expires_at?}`. The
 * function creates it and records `execution` (the execution it started); the workflow claims it
 * (PENDING → RUNNING, writing its own execution name as `claimed_by`) and from then on only the
 * workflow writes `state`, `outcomes`, `error` and `dead_letters`, except when a later `start`
 * finds that execution ended without finishing the task: see `start` (it then sets `abandoned`). `expires_at` is set once
 * the task has ended and no longer holds its group (by the workflow, or by `abandon` and the
 * takeover here): Firestore's TTL policy on it (infra/firestore.tf) deletes the task some time
 * after. A FAILED task with dead letters never gets it while they are pending.
 *
 * `group_locks/g-<group_id>`: `{task_id, operation, group_id, acquired_at}`, present while an
 * operation on the group runs. It is created in the same transaction as the task, so two
 * requests for one group cannot both get a task; the workflow deletes it at the end (only if it
 * still names its own task), except when the task ends FAILED with dead letters: then it is kept
 * until a replay of the groups workflow (`{"replay_task"}`) resolves them, since a node may still
 * hold that task's change and a later operation must neither run on top of it nor be undone by
 * the replay. The `g-` prefix keeps every valid group id a valid document id
 * (`__x__` ids are reserved by Firestore).
 */
export interface TaskDocument {
  task_id: string;
  operation: GroupOperation;
  group_id: string;
  state: TaskState;
  nodes: string[];
  outcomes: string[];
  error?: string;
  dead_letters?: string[];
  execution?: string;
  claimed_by?: string;
  /** Set when a later `start` marked it FAILED because its execution ended without finishing it. */
  abandoned?: boolean;
  created_at?: Timestamp;
  updated_at?: Timestamp;
  expires_at?: Timestamp;
}

/** Another operation holds the group: one still running, or one that ended FAILED with dead letters pending replay (`holder.dead_letters`). */
export class GroupLockedError extends Error {
  constructor(
    readonly groupId: string,
    readonly holder: { task_id: string; operation?: string; dead_letters?: string[] },
    /** Set when the holder's execution could not be looked up, so the lock was left to it. */
    readonly lookupError?: Error,
  ) {
    super(`group ${groupId} is locked by task ${holder.task_id}`);
    this.name = 'GroupLockedError';
  }
}

/** What `start` did: the new task, and the holder it failed and took the group from, if any. */
export interface Started {
  taskId: string;
  replaced?: { task_id: string; error: string };
}

export interface StaleLockOptions {
  /** Asks whether an execution has ended (functions/groups/executionState.ts). Without it, no holder with an execution is ever stale. */
  checkExecution?: CheckExecution;
  /** A PENDING task with no execution recorded is stale this long after its creation. */
  startGraceSeconds?: number;
  /** Days an ended task is kept (`expires_at`) when `abandon` or a takeover ends it; without it, none is written. */
  retentionDays?: number;
}

/** The holder task as `tryStart` read it, for deciding whether it is stale. */
interface Holder {
  lock: { task_id: string; operation?: string };
  task?: { state: TaskState; execution?: string; claimed_by?: string; created_at?: unknown; dead_letters?: string[]; abandoned?: boolean };
}

export function lockDocumentId(groupId: string): string {
  return `g-${groupId}`;
}

export class GroupTasks {
  constructor(
    private readonly db: Firestore,
    private readonly collections: { tasksCollection: string; locksCollection: string },
    private readonly staleLocks: StaleLockOptions = {},
  ) {}

  private task(taskId: string) {
    return this.db.collection(this.collections.tasksCollection).doc(taskId);
  }

  private lock(groupId: string) {
    return this.db.collection(this.collections.locksCollection).doc(lockDocumentId(groupId));
  }

  /**
   * Creates a PENDING task and takes the group's lock in one transaction. A lock whose task has
   * ended is stale, left by a run that could not release it, and is taken over, except when that
   * task ended FAILED with dead letters (`pendingReplay`): it holds the group until they are
   * replayed. A lock whose task has not ended is stale too when nothing will ever end it (see `staleness`): that task is
   * marked FAILED, then the lock is taken over. Any other lock (including one naming a task that
   * does not exist) means the group is busy: `GroupLockedError`.
   */
  async start(operation: GroupOperation, groupId: string, nodes: string[]): Promise<Started> {
    const first = await this.attempt(operation, groupId, nodes);
    if (typeof first === 'string') return { taskId: first };
    const stale = await this.staleness(first);
    if (typeof stale !== 'string') throw new GroupLockedError(groupId, holderOf(first), stale.lookupError);
    await this.failAbandoned(first.lock.task_id, first.task!, stale);
    // Whether this request or a concurrent one failed the holder, read the lock again once: it
    // is now free to take over, or another request has just taken it (409 naming that task).
    const second = await this.attempt(operation, groupId, nodes);
    if (typeof second === 'string') return { taskId: second, replaced: { task_id: first.lock.task_id, error: stale } };
    throw new GroupLockedError(groupId, holderOf(second));
  }

  /** `expires_at` for a task ending now, when a retention is configured. */
  private expiry(): { expires_at: Timestamp } | Record<string, never> {
    if (this.staleLocks.retentionDays === undefined) return {};
    const now = Date.now();
    return { expires_at: firestoreModule().Timestamp.fromMillis(now + this.staleLocks.retentionDays * 86_400_000) };
  }

  /** `tryStart`, read again once if another request created the lock between our read and our commit. */
  private async attempt(operation: GroupOperation, groupId: string, nodes: string[]): Promise<string | Holder> {
    try {
      return await this.tryStart(operation, groupId, nodes);
    } catch (err) {
      // Read it again, to answer with its holder (or take it over, if that task has already ended).
      if (!isAlreadyExists(err)) throw err;
      return this.tryStart(operation, groupId, nodes);
    }
  }

  /**
   * Whether a holder task that has not ended ever will: the error to fail it with when it will
   * not, else why the group is busy. The task is finished only by the execution that claimed it
   * (`claimed_by`), or, while PENDING, by the one createGroup started (`execution`). When that
   * execution has ended (SUCCEEDED, FAILED, CANCELLED, or is gone), nothing will finish the task.
   * A PENDING task with no execution recorded past the grace period is one whose execution was
   * never started or never recorded (the function instance died in between; the grace period is
   * far above the function's timeout): if an execution does exist, marking the task FAILED makes
   * it lose its claim, so it touches no node. When the execution's state cannot be read, the
   * group stays busy: it is never taken from an execution that may still be running.
   */
  private async staleness(holder: Holder): Promise<string | { lookupError?: Error }> {
    const task = holder.task;
    if (task?.state !== 'PENDING' && task?.state !== 'RUNNING') return {};
    const execution = task.state === 'RUNNING' ? (task.claimed_by ?? task.execution) : task.execution;
    if (execution) {
      if (!this.staleLocks.checkExecution) return {};
      const check = await this.staleLocks.checkExecution(execution);
      if (!check.ended) return { lookupError: check.error };
      return `execution ${execution} ended ${check.state} before finishing the task; nodes may hold partial changes of this operation`;
    }
    if (task.state === 'RUNNING' || this.staleLocks.startGraceSeconds === undefined) return {};
    const createdAt = millis(task.created_at);
    const graceMs = this.staleLocks.startGraceSeconds * 1000;
    const now = Date.now();
    if (createdAt === undefined || now - createdAt <= graceMs) return {};
    return (
      `no workflow execution was recorded for the task within ${this.staleLocks.startGraceSeconds} s of its creation ` +
      '(the function stopped before starting or recording it); no execution will run it, so no node was changed by it'
    );
  }

  /**
   * Marks an abandoned holder task FAILED, in a transaction and only if it is still in the state
   * `staleness` judged (same state, same executions): a workflow that finished it meanwhile wins.
   */
  private async failAbandoned(taskId: string, seen: NonNullable<Holder['task']>, error: string): Promise<void> {
    const { FieldValue } = firestoreModule();
    await this.db.runTransaction(async (tx) => {
      const ref = this.task(taskId);
      const task = await tx.get(ref);
      if (!task.exists) return;
      const unchanged =
        task.get('state') === seen.state && task.get('execution') === seen.execution && task.get('claimed_by') === seen.claimed_by;
      if (!unchanged) return;
      // Dead letters it wrote before it stopped are not replayable: its rollback did not finish,
      // so a replay could not make it ROLLED_BACK. Like every abandoned task, it gives up its
      // group; its error names them, for an operator to check those nodes by hand.
      const letters = task.get('dead_letters') as unknown;
      const note =
        Array.isArray(letters) && letters.length > 0
          ? `; its dead letters ${letters.join(', ')} were written before it stopped and are not replayed (its group is taken over): check those nodes by hand`
          : '';
      tx.update(
        ref,
        { state: 'FAILED', error: error + note, abandoned: true, updated_at: FieldValue.serverTimestamp(), ...this.expiry() },
        { lastUpdateTime: task.updateTime! },
      );
    });
  }

  /** Creates the task and takes the lock; when another task holds it and has not ended, that holder, untouched. */
  private async tryStart(operation: GroupOperation, groupId: string, nodes: string[]): Promise<string | Holder> {
    const { FieldValue } = firestoreModule();
    const taskId = randomUUID();
    const holder = await this.db.runTransaction(async (tx): Promise<Holder | undefined> => {
      const lockRef = this.lock(groupId);
      const lock = await tx.get(lockRef);
      if (lock.exists) {
        const holderLock = lock.data() as { task_id: string; operation?: string };
        const holderTask = await tx.get(this.task(holderLock.task_id));
        if (!holderTask.exists) return { lock: holderLock };
        const data = holderTask.data() as Partial<TaskDocument>;
        if (!TERMINAL_STATES.includes(data.state!) || pendingReplay(data)) {
          return {
            lock: holderLock,
            task: {
              state: data.state!,
              execution: data.execution,
              claimed_by: data.claimed_by,
              created_at: data.created_at,
              dead_letters: data.dead_letters,
              abandoned: data.abandoned,
            },
          };
        }
      }
      const now = FieldValue.serverTimestamp();
      tx.create(this.task(taskId), {
        task_id: taskId,
        operation,
        group_id: groupId,
        state: 'PENDING',
        nodes,
        outcomes: nodes.map(() => 'pending'),
        created_at: now,
        updated_at: now,
      });
      // A transaction does not lock a document that does not exist yet, so two requests can
      // both read "no lock": `create` makes the second commit fail (ALREADY_EXISTS) instead of
      // overwriting. A stale lock is replaced only if nobody changed it since it was read.
      const lockData = { task_id: taskId, operation, group_id: groupId, acquired_at: now };
      if (lock.exists) tx.update(lockRef, lockData, { lastUpdateTime: lock.updateTime! });
      else tx.create(lockRef, lockData);
      return undefined;
    });
    return holder ?? taskId;
  }

  /** Records the workflow execution started for the task (read back by `start` to tell whether a lock is stale). */
  async recordExecution(taskId: string, execution: string): Promise<void> {
    await this.task(taskId).update({ execution });
  }

  /**
   * The task could not be started: marks it FAILED with `error` and releases the group's lock
   * if it is still this task's, in one transaction, so no lock is ever left behind.
   */
  async abandon(taskId: string, groupId: string, error: string): Promise<void> {
    const { FieldValue } = firestoreModule();
    await this.db.runTransaction(async (tx) => {
      const lockRef = this.lock(groupId);
      const lock = await tx.get(lockRef);
      tx.update(this.task(taskId), { state: 'FAILED', error, updated_at: FieldValue.serverTimestamp(), ...this.expiry() });
      if (lock.exists && lock.get('task_id') === taskId) tx.delete(lockRef);
    });
  }

  /** The task, or undefined when there is none with this id. */
  async get(taskId: string): Promise<TaskDocument | undefined> {
    const snapshot = await this.task(taskId).get();
    return snapshot.exists ? (snapshot.data() as DocumentData as TaskDocument) : undefined;
  }
}

/**
 * A task that ended FAILED with dead letters: a node may still hold its change, so it keeps its
 * group until a replay (`{"replay_task"}` run of the groups workflow) resolves them. A task its
 * execution abandoned (marked FAILED by `start`) is taken over, dead letters or not: see `failAbandoned`.
 */
function pendingReplay(task: { state?: TaskState; dead_letters?: unknown; abandoned?: boolean }): boolean {
  return task.state === 'FAILED' && task.abandoned !== true && Array.isArray(task.dead_letters) && task.dead_letters.length > 0;
}

/** The holder as a 409 names it: the lock's task, and its dead letters when it waits for a replay. */
function holderOf(holder: Holder): GroupLockedError['holder'] {
  return holder.task && pendingReplay(holder.task) ? { ...holder.lock, dead_letters: holder.task.dead_letters } : holder.lock;
}

/** A Firestore Timestamp (or anything with `toMillis`) in milliseconds; undefined when unreadable. */
function millis(value: unknown): number | undefined {
  const ms = (value as { toMillis?: () => number } | undefined)?.toMillis?.();
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}
