import type { AsyncTaskType, TaskType } from './taskTypes';

/** The records of System E, as the stores read and write them. */
export const QUESTION_TYPES = ['text', 'integer', 'number', 'choice', 'email', 'date'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface Question {
  id: string;
  type: QuestionType;
  label: string;
  required?: boolean;
  /** Only for `choice`: the allowed answers. */
  options?: string[];
}

export interface Task {
  id: string;
  type: TaskType;
  config: Record<string, unknown>;
}

export interface Form {
  id: string;
  title: string;
  owner_email: string;
  questions: Question[];
  tasks: Task[];
  created_at: string;
  updated_at: string;
}

/** What is stored beside a form and never returned: each webhook task's signing secret, by task id. */
export type FormSecrets = Record<string, string>;

export type Answers = Record<string, unknown>;

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dead';

export interface Attempt {
  at: string;
  outcome: 'delivered' | 'failed' | 'dead' | 'replayed' | 'verified';
  status: number | null;
  error: string | null;
}

/** One async task of one response: the outbox record, its state and every attempt. */
export interface Delivery {
  id: string;
  response_id: string;
  form_id: string;
  task_id: string;
  task_type: AsyncTaskType;
  state: DeliveryState;
  /** True while the delivery may still be attempted (pending or failed): what the Sheets batches query. */
  open: boolean;
  attempts: Attempt[];
  /** What it is delivered to, when deliveries share one (the spreadsheet id of a Sheets export); else null. */
  target: string | null;
  /** Set by a replay: an append must check the sheet before adding the row again. */
  verify: boolean;
  /** W3C traceparent of the submission, so the workers' log lines join its trace. */
  traceparent: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredResponse {
  id: string;
  form_id: string;
  answers: Answers;
  submitted_at: string;
  results: Record<string, unknown>;
  /** The async tasks the form had when the response was accepted: their deliveries' ids are `<response id>.<task id>`. */
  async_tasks: string[];
}

export function deliveryId(responseId: string, taskId: string): string {
  return `${responseId}.${taskId}`;
}
