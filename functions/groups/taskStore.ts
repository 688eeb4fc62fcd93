import { randomUUID } from 'node:crypto';
import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreModule } from '../shared/clients/firestore';
import { TERMINAL_STATES, type GroupOperation, type TaskState } from './schemas';

/**
 * The group tasks and the per-group locks in Firestore.
 *
 * `group_tasks/<task_id>`: `{task_id, operation, group_id, state, nodes: [url...], outcomes:
 * [outcome...], error?, dead_letters?, execution?, created_at, updated_at}`. The function creates
 * it; from then on only the workflow writes `state`, `outcomes`, `error` and `dead_letters`.
 *
 * `group_locks/g-<group_id>`: `{task_id, operation, group_id, acquired_at}`, present while an
 * operation on the group runs. It is created in the same transaction as the task, so two
 * requests for one group cannot both get a task; the workflow deletes it at the end (only if it
 * still names its own task). The `g-` prefix keeps every valid group id a valid document id
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
  created_at?: Timestamp;
  updated_at?: Timestamp;
}

/** Another operation holds the group. */
export class GroupLockedError extends Error {
  constructor(
    readonly groupId: string,
    readonly holder: { task_id: string; operation?: string },
  ) {
    super(`group ${groupId} is locked by task ${holder.task_id}`);
    this.name = 'GroupLockedError';
  }
}

/** gRPC status Firestore answers when `create` finds the document already there. */
const ALREADY_EXISTS = 6;

export function lockDocumentId(groupId: string): string {
  return `g-${groupId}`;
}

export class GroupTasks {
  constructor(
    private readonly db: Firestore,
    private readonly collections: { tasksCollection: string; locksCollection: string },
  ) {}

  private task(taskId: string) {
    return this.db.collection(this.collections.tasksCollection).doc(taskId);
  }

  private lock(groupId: string) {
    return this.db.collection(this.collections.locksCollection).doc(lockDocumentId(groupId));
  }

  /**
   * Creates a PENDING task and takes the group's lock in one transaction. A lock whose task has
   * ended (or no longer exists) is stale, left by a run that could not release it, and is taken
   * over; any other lock means the group is busy: `GroupLockedError`.
   */
  async start(operation: GroupOperation, groupId: string, nodes: string[]): Promise<string> {
    try {
      return await this.tryStart(operation, groupId, nodes);
    } catch (err) {
      // Another request created the lock between our read and our commit: read it again, to
      // answer with its holder (or take it over, if that task has already ended).
      if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
      return this.tryStart(operation, groupId, nodes);
    }
  }

  private async tryStart(operation: GroupOperation, groupId: string, nodes: string[]): Promise<string> {
    const { FieldValue } = firestoreModule();
    const taskId = randomUUID();
    await this.db.runTransaction(async (tx) => {
      const lockRef = this.lock(groupId);
      const lock = await tx.get(lockRef);
      if (lock.exists) {
        const holder = lock.data() as { task_id: string; operation?: string };
        const holderTask = await tx.get(this.task(holder.task_id));
        const holderState = holderTask.exists ? (holderTask.get('state') as TaskState) : undefined;
        if (holderState === undefined || !TERMINAL_STATES.includes(holderState)) throw new GroupLockedError(groupId, holder);
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
    });
    return taskId;
  }

  /** Records the workflow execution running the task (for operators; nothing reads it back). */
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
      tx.update(this.task(taskId), { state: 'FAILED', error, updated_at: FieldValue.serverTimestamp() });
      if (lock.exists && lock.get('task_id') === taskId) tx.delete(lockRef);
    });
  }

  /** The task, or undefined when there is none with this id. */
  async get(taskId: string): Promise<TaskDocument | undefined> {
    const snapshot = await this.task(taskId).get();
    return snapshot.exists ? (snapshot.data() as DocumentData as TaskDocument) : undefined;
  }
}
