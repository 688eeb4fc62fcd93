import { firestore } from '../shared/clients/firestore';
import { HttpError } from '../shared/errors';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { readGroupTaskConfig } from './config';
import { GroupTasks, nodeRecords, type TaskDocument } from './taskStore';

const config = readGroupTaskConfig();
let tasks: GroupTasks | undefined;

/** Task ids are the UUIDs createGroup/deleteGroup hand out. */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `GET /{task_id}`: the task's state, operation, group, each node's outcome (by its index in the
 * workflow's NODES), and, when it did not succeed, a short error and the dead letters. Unknown id
 * → 404; anything but a task id → 400.
 */
export const groupTask = httpFunction('groupTask', [
  {
    method: 'GET',
    path: '/{task_id}',
    async handle({ res, params }) {
      const taskId = params.task_id.toLowerCase();
      if (!TASK_ID.test(taskId)) {
        throw new HttpError(
          'validation_failed',
          `"${params.task_id}" is not a task id: task ids are UUIDs, as createGroup and deleteGroup return them.`,
          {
            errors: [{ pointer: '#/path/task_id', detail: 'must be a UUID' }],
          },
        );
      }
      tasks ??= new GroupTasks(firestore(), config);
      const task = await tasks.get(taskId);
      if (!task) throw new HttpError('not_found', `No group task ${taskId}.`);
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 200, taskView(task));
    },
  },
]);

/**
 * The task as clients see it: outcomes keyed by node index (never a node's URL or its answers,
 * which stay in the log for operators), timestamps as RFC 3339, and the dead letters: the ids
 * (`<task_id>-<index>`) of the compensations a FAILED task still owes.
 */
export function taskView(task: TaskDocument): Record<string, unknown> {
  const records = nodeRecords(task);
  const view: Record<string, unknown> = {
    task_id: task.task_id,
    operation: task.operation,
    group_id: task.group_id,
    state: task.state,
    nodes: Object.fromEntries(records.map((record, i) => [String(i), record.outcome])),
  };
  if (task.error) view.error = task.error;
  const letters = task.state === 'FAILED' ? records.flatMap((record, i) => (record.owed ? [`${task.task_id}-${i}`] : [])) : [];
  if (letters.length > 0) view.dead_letters = letters;
  if (task.created_at) view.created_at = timestampText(task.created_at);
  if (task.updated_at) view.updated_at = timestampText(task.updated_at);
  return view;
}

/** The workflow writes timestamps through REST: the client reads them back as Timestamps all the same. */
function timestampText(value: unknown): string | undefined {
  if (value && typeof (value as { toDate?: unknown }).toDate === 'function') return (value as { toDate(): Date }).toDate().toISOString();
  return typeof value === 'string' ? value : undefined;
}
