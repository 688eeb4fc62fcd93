import type { FieldError } from '../../shared/errors';
import type { JsonSchema } from '../../shared/validation';
import type { Answers, Form, Question, Task } from '../model';
import type { AsyncTaskType, SyncTaskType } from '../taskTypes';

/**
 * The one interface every post-submission plug-in implements. A plug-in is registered in code
 * (`registry.ts`), never loaded by a name read from the database. Its definition here is light:
 * the JSON Schema of its config, the checks of that config against the form, and for a sync
 * plug-in the check itself. What an async plug-in does at delivery lives in `delivery/`, loaded
 * only by the worker of that type, so `forms` and `responses` never load BigQuery, Sheets or HTTP
 * delivery code.
 */
interface PluginBase {
  description: string;
  /** The task's `config`, validated by ajv when a form is created or replaced; shared with the OpenAPI document. */
  configSchema: JsonSchema;
  /** Further checks that need the form (a rule naming a question the form lacks); pointers relative to the config. */
  checkAgainstForm(config: Record<string, unknown>, form: Pick<Form, 'questions'>): FieldError[];
}

/** What a sync plug-in found: returned in the submission's answer under the task id. */
export interface SyncOutcome {
  result: Record<string, unknown>;
  /** The plug-in is in reject mode and found a problem: the response is refused (422) and not stored. */
  reject: boolean;
}

export interface SyncPlugin extends PluginBase {
  kind: 'sync';
  type: SyncTaskType;
  run(config: Record<string, unknown>, answers: Answers, form: Pick<Form, 'questions'>): SyncOutcome;
}

/** What installing an async task on a form produced: the config to store, and a secret shown once. */
export interface PreparedTask {
  config: Record<string, unknown>;
  secret?: string;
}

/** What `prepare` may use: set up by the forms function, lazily. */
export interface PrepareContext {
  form: Pick<Form, 'title' | 'owner_email' | 'questions'>;
  /** The task as it was before a replace, when it existed with the same id and type. */
  previous?: { task: Task; secret?: string };
}

export interface AsyncPlugin extends PluginBase {
  kind: 'async';
  type: AsyncTaskType;
  /** Runs once when the task is installed (create or replace): generate a secret, create a spreadsheet. */
  prepare?(config: Record<string, unknown>, context: PrepareContext): Promise<PreparedTask>;
  /** The config as GET shows it (no secrets). */
  publicConfig?(config: Record<string, unknown>): Record<string, unknown>;
}

export type Plugin = SyncPlugin | AsyncPlugin;

/** Helper for `checkAgainstForm`: the question with `id`, or an error at `pointer`. */
export function questionRef(form: Pick<Form, 'questions'>, id: unknown, pointer: string, errors: FieldError[]): Question | undefined {
  const question = typeof id === 'string' ? form.questions.find((q) => q.id === id) : undefined;
  if (!question) errors.push({ pointer, detail: `names question ${JSON.stringify(id)}, which the form does not have` });
  return question;
}
