import { EMAIL_PATTERN } from '../accounts/schemas';
import type { JsonSchema } from '../shared/validation';
import { QUESTION_TYPES } from './model';
import { ASYNC_TASK_TYPES, SYNC_TASK_TYPES } from './taskTypes';

/** Ids of questions and tasks: short, safe in a JSON Pointer, a Firestore field path and a BigQuery/Sheets cell. */
export const LOCAL_ID_PATTERN = '^[a-z][a-z0-9_]{0,39}$';

export const questionSchema: JsonSchema = {
  $id: 'Question',
  type: 'object',
  properties: {
    id: { type: 'string', pattern: LOCAL_ID_PATTERN, description: 'Unique in the form; answers are keyed by it.', examples: ['q_income'] },
    type: {
      enum: [...QUESTION_TYPES],
      description:
        'How the answer is checked: `text` a string, `integer` a JSON integer (not "12", not 12.0), `number` any JSON number, `choice` one of `options`, `email` an address, `date` YYYY-MM-DD.',
    },
    label: { type: 'string', minLength: 1, maxLength: 500, description: 'Shown to respondents; the column header in Sheets.' },
    required: { type: 'boolean', description: 'An answer must be given (not null, not an empty string). Default false.' },
    options: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 200 },
      description: 'Only for `choice`, and required there: the allowed answers.',
    },
  },
  required: ['id', 'type', 'label'],
  additionalProperties: false,
};

export const taskSchema: JsonSchema = {
  $id: 'Task',
  type: 'object',
  properties: {
    id: { type: 'string', pattern: LOCAL_ID_PATTERN, description: 'Unique in the form; results and deliveries are keyed by it.' },
    type: {
      enum: [...SYNC_TASK_TYPES, ...ASYNC_TASK_TYPES],
      description:
        'The plug-in. Sync (`business_rules`, `keyword_flags`): run during the submission, their result in its answer. Async (`bigquery_export`, `sheets_export`, `webhook`): delivered in the background, durably.',
    },
    config: { type: 'object', description: "The plug-in's settings, checked by its own schema (BusinessRulesConfig, WebhookConfig...)." },
  },
  required: ['id', 'type', 'config'],
  additionalProperties: false,
};

/** A schema embedded in another: ajv compiles each top-level schema alone, so nested ones are inlined. */
function withoutId(schema: JsonSchema): JsonSchema {
  const { $id: _id, ...rest } = schema;
  void _id;
  return rest;
}

/** `POST /forms` and `PUT /forms/{id}` body. */
export const formInputSchema: JsonSchema = {
  $id: 'FormInput',
  type: 'object',
  description:
    'A form: its questions and the post-submission tasks installed on it. A replace (PUT) may add questions at the end; it may not remove, reorder or change the type of an existing one, so exports never lose or move a column.',
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 300 },
    owner_email: {
      type: 'string',
      maxLength: 320,
      pattern: EMAIL_PATTERN,
      description: 'Who owns the form: a spreadsheet created for a sheets_export task is shared with this address (writer).',
    },
    questions: { type: 'array', minItems: 1, maxItems: 200, items: withoutId(questionSchema) },
    tasks: { type: 'array', maxItems: 20, items: withoutId(taskSchema) },
  },
  required: ['title', 'owner_email', 'questions', 'tasks'],
  additionalProperties: false,
  examples: [
    {
      title: 'Household survey',
      owner_email: 'owner@example.com',
      questions: [
        { id: 'q_city', type: 'choice', label: 'City', required: true, options: ['Mumbai', 'Delhi'] },
        { id: 'q_income', type: 'integer', label: 'Monthly income', required: true },
        { id: 'q_savings', type: 'integer', label: 'Monthly savings' },
        { id: 'q_comment', type: 'text', label: 'Anything else?' },
      ],
      tasks: [
        {
          id: 'rules',
          type: 'business_rules',
          config: {
            mode: 'flag',
            rules: [{ id: 'savings_le_income', left: 'q_savings', op: '<=', right: 'q_income', message: 'Savings cannot exceed income.' }],
          },
        },
        { id: 'warehouse', type: 'bigquery_export', config: {} },
        { id: 'sheet', type: 'sheets_export', config: {} },
        { id: 'crm', type: 'webhook', config: { url: 'https://hooks.example.com/forms' } },
      ],
    },
  ],
};

export interface FormInput {
  title: string;
  owner_email: string;
  questions: import('./model').Question[];
  tasks: import('./model').Task[];
}

/** `POST /responses/{form_id}` body. */
export const submissionSchema: JsonSchema = {
  $id: 'Submission',
  type: 'object',
  properties: {
    answers: {
      type: 'object',
      description:
        'Answers by question id, checked against the form: strict types, choices from their options, required ones present, no unknown ids.',
    },
  },
  required: ['answers'],
  additionalProperties: false,
  examples: [{ answers: { q_city: 'Mumbai', q_income: 50000, q_savings: 10000, q_comment: 'bindaas service' } }],
};

const attemptSchema: JsonSchema = {
  type: 'object',
  properties: {
    at: { type: 'string', description: 'RFC 3339 time.' },
    outcome: {
      enum: ['delivered', 'failed', 'dead', 'replayed', 'verified'],
      description:
        '`verified`: an append whose outcome was unknown was found in the sheet; `replayed`: an admin asked for the delivery again.',
    },
    status: { type: ['integer', 'null'], description: "The receiver's HTTP status, when there was one." },
    error: { type: ['string', 'null'] },
  },
  required: ['at', 'outcome', 'status', 'error'],
};

export const deliverySchema: JsonSchema = {
  $id: 'Delivery',
  type: 'object',
  description:
    '`pending`: not attempted yet (or replayed); `failed`: the last attempt failed, more will follow with back-off; `delivered`; `dead`: attempts ran out (or the receiver answered 410), replay to try again.',
  properties: {
    state: { enum: ['pending', 'delivered', 'failed', 'dead'] },
    attempts: { type: 'array', items: attemptSchema, description: 'Every attempt, oldest first (the last 50).' },
  },
  required: ['state', 'attempts'],
};

export const responseSchema: JsonSchema = {
  $id: 'FormResponse',
  type: 'object',
  properties: {
    id: { type: 'string' },
    form_id: { type: 'string' },
    answers: { type: 'object' },
    submitted_at: { type: 'string', description: 'RFC 3339 time.' },
    results: {
      type: 'object',
      description: "Each sync task's result by task id (BusinessRulesResult, KeywordFlagsResult).",
      additionalProperties: { type: 'object' },
    },
    deliveries: {
      type: 'object',
      description: "Each async task's delivery by task id.",
      additionalProperties: { $ref: '#/components/schemas/Delivery' },
    },
  },
  required: ['id', 'form_id', 'answers', 'submitted_at', 'results', 'deliveries'],
};

export const responseListSchema: JsonSchema = {
  $id: 'FormResponseList',
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: '#/components/schemas/FormResponse' }, description: 'Newest first.' },
    next_page_token: { type: ['string', 'null'], description: 'Pass as `page_token` for the next page; null on the last.' },
  },
  required: ['items', 'next_page_token'],
};

export const formSchema: JsonSchema = {
  $id: 'Form',
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    owner_email: { type: 'string' },
    questions: { type: 'array', items: { $ref: '#/components/schemas/Question' } },
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          type: { type: 'string' },
          config: { type: 'object' },
          secret: {
            type: 'string',
            description:
              'Only for a new webhook task, only in the 201/200 answer that installed it: the signing secret (`whsec_` + base64 key). Never shown again.',
          },
        },
        required: ['id', 'type', 'config'],
      },
    },
    created_at: { type: 'string', description: 'RFC 3339 time.' },
    updated_at: { type: 'string', description: 'RFC 3339 time.' },
  },
  required: ['id', 'title', 'owner_email', 'questions', 'tasks', 'created_at', 'updated_at'],
};

export const formListSchema: JsonSchema = {
  $id: 'FormList',
  type: 'object',
  properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Form' } } },
  required: ['items'],
};
