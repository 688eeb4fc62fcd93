import { deliveryId, type Answers, type Delivery, type Form, type StoredResponse } from './model';
import { isAsyncTaskType } from './taskTypes';

/**
 * An accepted submission as the outbox commit stores it: the response, and one pending delivery
 * per async task of the form (the sheet's target is its spreadsheet, so one batch lease covers
 * every row bound for it). Written once, for `responses` and for the bench's bare client.
 */
export function newSubmission(input: {
  id: string;
  form: Form;
  answers: Answers;
  results: Record<string, unknown>;
  traceparent: string | null;
  at: Date;
}): { response: StoredResponse; deliveries: Delivery[] } {
  const { id, form, at } = input;
  const asyncTasks = form.tasks.filter((t) => isAsyncTaskType(t.type));
  const deliveries: Delivery[] = asyncTasks.map((task) => ({
    id: deliveryId(id, task.id),
    response_id: id,
    form_id: form.id,
    task_id: task.id,
    task_type: task.type as Delivery['task_type'],
    state: 'pending',
    open: true,
    attempts: [],
    target: task.type === 'sheets_export' ? (task.config.spreadsheet_id as string) : null,
    verify: false,
    traceparent: input.traceparent,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  }));
  const response: StoredResponse = {
    id,
    form_id: form.id,
    answers: input.answers,
    submitted_at: at.toISOString(),
    results: input.results,
    async_tasks: asyncTasks.map((t) => t.id),
  };
  return { response, deliveries };
}
