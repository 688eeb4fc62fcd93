import { setTimeout as sleep } from 'node:timers/promises';
import { firestore } from '../shared/clients/firestore';
import { isPermanent } from '../shared/clients/googleErrors';
import { executionsClient } from '../shared/clients/workflows';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import type { Logger } from '../shared/logger';
import { validator } from '../shared/validation';
import type { GroupOperationConfig } from './config';
import { groupRequestSchema, type GroupOperation, type GroupRequest } from './schemas';
import { GroupBusyError, GroupTasks } from './taskStore';

const validate = validator<GroupRequest>(groupRequestSchema);

/**
 * `createGroup` and `deleteGroup`: `POST {"group_id"}` → 202 `{"task_id"}` with a `Location` on
 * groupTask. The task is written PENDING and named in the group's lock unless the task named
 * there still holds the group (409: `GroupTasks.start`), then one execution of the groups
 * workflow does the work with the task id alone. If it cannot be started, the task is marked
 * FAILED (so it holds nothing) before answering 502.
 */
export function groupOperationFunction(name: string, operation: GroupOperation, config: GroupOperationConfig) {
  let tasks: GroupTasks | undefined;
  return httpFunction(name, [
    {
      method: 'POST',
      path: '/',
      async handle({ req, res, log }) {
        const { group_id: groupId } = validate(readJsonObject(req));
        tasks ??= new GroupTasks(firestore(), config, config.retentionDays);
        const { taskId, written } = await tasks.start(operation, groupId).catch((err: unknown) => {
          throw err instanceof GroupBusyError ? conflict(err) : err;
        });
        const taskLog = log.child({ task_id: taskId, group_id: groupId, operation });
        try {
          await startExecution(config.workflowPath, taskId, taskLog);
        } catch (err) {
          taskLog.error('group operation not started', { event: 'group_task_not_started', error: err as Error });
          if (await tasks.abandon(taskId, written, `the workflow could not be started: ${(err as Error).message}`)) {
            throw new HttpError('upstream_failed', `Task ${taskId} could not be started; it is marked FAILED and holds nothing. Retry.`, {
              cause: err,
            });
          }
        }
        taskLog.info(`group ${operation} of ${groupId} started`, { event: 'group_task_started' });
        sendJson(res, 202, { task_id: taskId }, { Location: `${config.groupTaskUrl}/${taskId}` });
      },
    },
  ]);
}

/** The 409: what a public caller may see of the holder is the task, its operation and state; nothing of the nodes. */
function conflict({ groupId, holder }: GroupBusyError): HttpError {
  if (!holder) return new HttpError('conflict', `Group ${groupId} is being taken by other requests at this moment. Retry later.`);
  const why =
    holder.state === 'FAILED' ? 'ended FAILED owing compensations on its nodes, until an operator replays it' : `is ${holder.state}`;
  return new HttpError(
    'conflict',
    `Group ${groupId} is held by a ${holder.operation} (task ${holder.task_id}), which ${why}. Retry later.`,
  );
}

/** Attempts at starting the execution; the waits between them are 200 ms, then 400 ms. */
const START_ATTEMPTS = 3;

/**
 * Starts the workflow execution, retrying a failure that may be transient. Retrying is safe
 * although the first call may have started an execution after all: an execution claims its task
 * (PENDING → RUNNING, once), and a duplicate finds it claimed and stops, touching nothing.
 */
async function startExecution(parent: string, taskId: string, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await executionsClient().createExecution({ parent, execution: { argument: JSON.stringify({ task_id: taskId }) } });
      return;
    } catch (err) {
      if (attempt >= START_ATTEMPTS || isPermanent(err)) throw err;
      log.warn(`createExecution failed (attempt ${attempt}); retrying`, { event: 'group_task_start_retried', error: err as Error });
      await sleep(100 * 2 ** attempt);
    }
  }
}
