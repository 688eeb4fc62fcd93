import { setTimeout as sleep } from 'node:timers/promises';
import { firestore } from '../shared/clients/firestore';
import { executionsClient } from '../shared/clients/workflows';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import type { Logger } from '../shared/logger';
import { sendJson } from '../shared/http/router';
import { validator } from '../shared/validation';
import type { GroupOperationConfig } from './config';
import { checkExecution } from './executionState';
import { groupRequestSchema, type GroupOperation, type GroupRequest } from './schemas';
import { GroupLockedError, GroupTasks } from './taskStore';
import { isPermanent } from '../shared/clients/googleErrors';

const validate = validator<GroupRequest>(groupRequestSchema);

/**
 * `createGroup` and `deleteGroup`: `POST {"group_id"}` → 202 `{"task_id"}` with a `Location` on
 * groupTask. The task (PENDING, with the configured nodes) and the group's lock are written in
 * one Firestore transaction; a group already locked by a running task is a 409 (a lock whose task
 * was abandoned by its execution is taken over: `GroupTasks.start`; one held by a task that ended
 * FAILED with dead letters is a 409 naming them, until they are replayed). Then one
 * execution of the groups workflow does the work. If that execution cannot be started, the task
 * is marked FAILED and the lock released before answering 502, so nothing is left held.
 */
export function groupOperationFunction(name: string, operation: GroupOperation, config: GroupOperationConfig) {
  let tasks: GroupTasks | undefined;
  return httpFunction(name, [
    {
      method: 'POST',
      path: '/',
      async handle({ req, res, log }) {
        const { group_id: groupId } = validate(readJsonObject(req));
        tasks ??= new GroupTasks(firestore(), config, {
          checkExecution,
          startGraceSeconds: config.startGraceSeconds,
          retentionDays: config.retentionDays,
        });
        let taskId: string;
        try {
          const started = await tasks.start(operation, groupId, config.nodes);
          taskId = started.taskId;
          if (started.replaced) {
            log.warn(`task ${started.replaced.task_id} on group ${groupId} was abandoned: marked FAILED, its lock taken over`, {
              event: 'group_task_abandoned',
              group_id: groupId,
              abandoned_task_id: started.replaced.task_id,
              task_id: taskId,
              reason: started.replaced.error,
            });
          }
        } catch (err) {
          if (err instanceof GroupLockedError) {
            if (err.lookupError) {
              log.warn(`the execution of task ${err.holder.task_id} could not be looked up; group ${groupId} is left locked`, {
                event: 'group_lock_check_failed',
                group_id: groupId,
                error: err.lookupError,
              });
            }
            const running = err.holder.operation ? `a ${err.holder.operation} (task ${err.holder.task_id})` : `task ${err.holder.task_id}`;
            if (err.holder.dead_letters?.length) {
              throw new HttpError(
                'conflict',
                `Group ${groupId} is locked by ${running}, which ended FAILED with dead letters pending replay: ` +
                  `${err.holder.dead_letters.join(', ')}. A node may still hold that operation's change. ` +
                  `Replay them first: gcloud workflows run groups --data='{"replay_task":"${err.holder.task_id}"}' ` +
                  '(README.md, System C, "Dead letters and replay"); the replay releases the group once none is pending.',
              );
            }
            throw new HttpError('conflict', `Group ${groupId} has an operation in progress: ${running}. Retry once it has finished.`);
          }
          throw err;
        }
        const taskLog = log.child({ task_id: taskId, group_id: groupId, operation });
        let execution: string;
        try {
          execution = await startExecution(
            config.workflowPath,
            { task_id: taskId, operation, group_id: groupId, nodes: config.nodes },
            taskLog,
          );
        } catch (err) {
          const reason = `the workflow could not be started: ${(err as Error).message}`;
          taskLog.error('group operation not started', { event: 'group_task_not_started', error: err as Error });
          await tasks.abandon(taskId, groupId, reason);
          throw new HttpError(
            'upstream_failed',
            `Task ${taskId} could not be started (the workflow service failed); it is marked FAILED and the group is not locked. Retry.`,
            { cause: err },
          );
        }
        taskLog.info(`group ${operation} of ${groupId} started`, { event: 'group_task_started', execution });
        // Best effort: the execution runs whether or not its name is recorded.
        await tasks.recordExecution(taskId, execution).catch((err: Error) => taskLog.warn('execution name not recorded', { error: err }));
        sendJson(res, 202, { task_id: taskId }, { Location: `${config.groupTaskUrl}/${taskId}` });
      },
    },
  ]);
}

/** Attempts at starting the execution; the waits between them are 200 ms, then 400 ms. */
const START_ATTEMPTS = 3;

/**
 * Starts the workflow execution, retrying a failure that may be transient (a reset connection,
 * UNAVAILABLE, a 5xx). Retrying is safe although the first call may have started an execution
 * after all: the workflow first claims its task (PENDING → RUNNING, once), and a duplicate
 * execution finds it claimed and stops without touching anything.
 */
async function startExecution(parent: string, argument: Record<string, unknown>, log: Logger): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [started] = await executionsClient().createExecution({ parent, execution: { argument: JSON.stringify(argument) } });
      return started.name!;
    } catch (err) {
      if (attempt >= START_ATTEMPTS || isPermanent(err)) throw err;
      log.warn(`createExecution failed (attempt ${attempt}); retrying`, { event: 'group_task_start_retried', error: err as Error });
      await sleep(100 * 2 ** attempt);
    }
  }
}
