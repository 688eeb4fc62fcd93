import {
  componentSchema,
  jsonBody,
  jsonResponse,
  problemResponses,
  type OpenApiFragment,
  type OpenApiObject,
} from '../shared/openapi/fragments';
import { bigqueryExportConfigSchema, sheetsExportConfigSchema, webhookConfigSchema } from './plugins/asyncPlugins';
import { businessRulesConfigSchema, businessRulesResultSchema } from './plugins/businessRules';
import { keywordFlagsConfigSchema, keywordFlagsResultSchema } from './plugins/keywordFlags';
import {
  deliverySchema,
  formInputSchema,
  formListSchema,
  formSchema,
  questionSchema,
  responseListSchema,
  responseSchema,
  submissionSchema,
  taskSchema,
} from './schemas';

const FORMS = 'Forms';
const WORKERS = 'Form deliveries (private)';

const input = (formInputSchema.examples as Record<string, unknown>[])[0];
const formExample = {
  id: 'Qm9vTGlzdEZvcm0xMjM0',
  ...input,
  tasks: [
    (input.tasks as unknown[])[0],
    { id: 'warehouse', type: 'bigquery_export', config: {} },
    { id: 'sheet', type: 'sheets_export', config: { spreadsheet_id: '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms', sheet: 'Responses' } },
    { id: 'crm', type: 'webhook', config: { url: 'https://hooks.example.com/forms' } },
  ],
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
};
const createdExample = {
  ...formExample,
  tasks: formExample.tasks.map((t) =>
    (t as { id: string }).id === 'crm' ? { ...(t as object), secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } : t,
  ),
};
const answers = (submissionSchema.examples as { answers: Record<string, unknown> }[])[0].answers;
const responseExample = {
  id: 'UmVzcG9uc2UxMjM0NTY3',
  form_id: formExample.id,
  answers,
  submitted_at: '2026-12-01T10:05:00.000Z',
  results: { rules: { passed: true, flags: [] } },
  deliveries: {
    warehouse: { state: 'pending', attempts: [] },
    sheet: { state: 'pending', attempts: [] },
    crm: { state: 'pending', attempts: [] },
  },
};
const readExample = {
  ...responseExample,
  deliveries: {
    warehouse: { state: 'delivered', attempts: [{ at: '2026-12-01T10:05:01.000Z', outcome: 'delivered', status: null, error: null }] },
    sheet: { state: 'delivered', attempts: [{ at: '2026-12-01T10:05:03.000Z', outcome: 'delivered', status: 200, error: null }] },
    crm: {
      state: 'failed',
      attempts: [{ at: '2026-12-01T10:05:01.000Z', outcome: 'failed', status: 503, error: 'the receiver answered 503' }],
    },
  },
};

const formId: OpenApiObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The form id returned at creation.',
  schema: { type: 'string' },
};
const formIdOfResponse: OpenApiObject = { ...formId, name: 'form_id' };
const responseId: OpenApiObject = {
  name: 'response_id',
  in: 'path',
  required: true,
  description: 'The response id.',
  schema: { type: 'string' },
};
const adminNote =
  " For form admins: in the cloud send `Authorization: Bearer <Google ID token>` (audience: this function's URL) of a `form_admins` member; locally the check is off.";
const adminProblems = {
  401: 'No ID token, or one that is not valid (signature, expiry, audience).',
  403: 'A valid ID token of someone who is not a form admin.',
};
const badForm =
  'The body is not a valid form: a missing field, a question type or task type that does not exist, ids repeated, options on a non-choice (or none on a choice), a task config its plug-in refuses, a rule naming a question the form lacks, a webhook URL that is not https or resolves to a private, loopback or link-local address. `errors` points at each (`#/tasks/2/config/rules/0/left`).';

const pushBody: OpenApiObject = {
  required: true,
  description: 'A Pub/Sub push: `message.data` is base64 of `{"delivery_id"}`.',
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/PushMessage' },
      example: {
        message: {
          data: Buffer.from('{"delivery_id":"UmVzcG9uc2UxMjM0NTY3.crm"}').toString('base64'),
          messageId: '1234',
          attributes: { task_type: 'webhook' },
        },
        subscription: 'projects/my-project/subscriptions/form-deliveries-webhook',
      },
    },
  },
};

function worker(name: string, summary: string, description: string): OpenApiObject {
  return {
    [`/${name}`]: {
      post: {
        operationId: name,
        tags: [WORKERS],
        summary,
        description:
          description +
          ' Private: only the Pub/Sub push subscription (OIDC token of its pusher account) may invoke it. Idempotent: a delivery already delivered or dead is acknowledged without doing anything.',
        requestBody: pushBody,
        responses: {
          '204': { description: 'Acknowledged: delivered, dead, or nothing to do.' },
          ...problemResponses([400, 405, 500, 503], {
            400: 'Not a Pub/Sub push naming a delivery (retried by Pub/Sub until dead-lettered).',
            503: 'Not delivered yet; Pub/Sub delivers the message again after its back-off. The attempt is in the delivery log.',
          }),
        },
      },
    },
  };
}

/** System E, forms and responses: the public and admin API, and the private workers. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: FORMS,
    description:
      'Forms with pluggable post-submission tasks (`/forms` for admins, `/responses` for everyone). Sync tasks (`business_rules`, `keyword_flags`) run during the submission; async ones (`bigquery_export`, `sheets_export`, `webhook`) are delivered durably: the response and one delivery per async task are written in one Firestore commit, published to Pub/Sub, retried with back-off, dead-lettered, swept and replayable.',
  },
  extraTags: [
    {
      name: WORKERS,
      description:
        'Private endpoints of System E: the Pub/Sub push targets (one per async task type, and the dead letters) and the sweeper Cloud Scheduler calls. Documented for operators; clients never call them.',
    },
  ],
  schemas: {
    FormInput: componentSchema(formInputSchema),
    Question: componentSchema(questionSchema),
    Task: componentSchema(taskSchema),
    Form: componentSchema(formSchema),
    FormList: componentSchema(formListSchema),
    Submission: componentSchema(submissionSchema),
    FormResponse: componentSchema(responseSchema),
    FormResponseList: componentSchema(responseListSchema),
    Delivery: componentSchema(deliverySchema),
    BusinessRulesConfig: componentSchema(businessRulesConfigSchema),
    BusinessRulesResult: componentSchema(businessRulesResultSchema),
    KeywordFlagsConfig: componentSchema(keywordFlagsConfigSchema),
    KeywordFlagsResult: componentSchema(keywordFlagsResultSchema),
    BigQueryExportConfig: componentSchema(bigqueryExportConfigSchema),
    SheetsExportConfig: componentSchema(sheetsExportConfigSchema),
    WebhookConfig: componentSchema(webhookConfigSchema),
    PushMessage: {
      type: 'object',
      properties: {
        message: {
          type: 'object',
          properties: { data: { type: 'string' }, messageId: { type: 'string' }, attributes: { type: 'object' } },
          required: ['data'],
        },
        subscription: { type: 'string' },
      },
      required: ['message'],
    },
  },
  paths: {
    '/forms': {
      get: {
        operationId: 'listForms',
        tags: [FORMS],
        summary: 'List forms',
        description:
          'Every form, oldest first (at most 1,000). Private function: callers need `run.invoker` (the `form_admins` of Terraform). No secrets.',
        responses: { '200': jsonResponse('FormList', 'The forms.', { items: [formExample] }), ...problemResponses([405, 500]) },
      },
      post: {
        operationId: 'createForm',
        tags: [FORMS],
        summary: 'Create a form',
        description:
          "Creates a form with its questions and tasks. Each task's config is checked by its plug-in's schema and against the questions. A `webhook` task's signing secret (`whsec_` + base64 key) is in that task's `secret`, in this answer only. A `sheets_export` task without `spreadsheet_id` gets a spreadsheet created and shared with `owner_email` (writer); its id is in the task's config.",
        requestBody: jsonBody('FormInput', 'The form.', input),
        responses: {
          '201': jsonResponse('Form', 'Created, with each new webhook secret (shown once).', createdExample),
          ...problemResponses([400, 405, 413, 500], { 400: badForm }),
        },
      },
    },
    '/forms/{id}': {
      get: {
        operationId: 'getForm',
        tags: [FORMS],
        summary: 'Read a form',
        description: "The form, with created spreadsheets' ids in their tasks' config; webhook secrets are never shown again.",
        parameters: [formId],
        responses: {
          '200': jsonResponse('Form', 'The form.', formExample),
          ...problemResponses([404, 405, 500], { 404: 'No form with this id.' }),
        },
      },
      put: {
        operationId: 'replaceForm',
        tags: [FORMS],
        summary: 'Replace a form',
        description:
          'Replaces the form. Existing questions must stay first, in order and type (labels and options may change); new ones go at the end, so a Sheets export gains a column at the end and never loses or moves one. A webhook task keeping its id keeps its secret; a new one gets a secret in this answer.',
        parameters: [formId],
        requestBody: jsonBody('FormInput', 'The full new form.', input),
        responses: {
          '200': jsonResponse('Form', 'The form as now stored.', formExample),
          ...problemResponses([400, 404, 405, 409, 413, 500], {
            400: badForm,
            404: 'No form with this id.',
            409: 'The form changed while this replace was checked.',
          }),
        },
      },
      delete: {
        operationId: 'deleteForm',
        tags: [FORMS],
        summary: 'Delete a form',
        description:
          'Deletes the form; idempotent (`deleted: false` when it was not there). Its responses stay; their pending deliveries become dead (the form is gone).',
        parameters: [formId],
        responses: {
          '200': {
            description: 'Deleted, or already absent.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { id: { type: 'string' }, deleted: { type: 'boolean' } },
                  required: ['id', 'deleted'],
                },
                example: { id: formExample.id, deleted: true },
              },
            },
          },
          ...problemResponses([405, 500]),
        },
      },
    },
    '/responses/{form_id}': {
      post: {
        operationId: 'submitResponse',
        tags: [FORMS],
        summary: 'Answer a form',
        description:
          'Public. Checks the answers against the form (strict types: `"12"` is not an integer; choices from their options; required answers present; unknown ids refused), runs the sync tasks, then writes the response and one delivery per async task in one commit and publishes them. A sync task in reject mode that finds a problem answers 422 with its findings in `results`, and nothing is stored.',
        parameters: [formIdOfResponse],
        requestBody: jsonBody('Submission', 'The answers.', { answers }),
        responses: {
          '201': jsonResponse('FormResponse', "Stored: each sync task's result, each async task's delivery (pending).", responseExample),
          ...problemResponses([400, 404, 405, 413, 422, 500], {
            400: 'Answers that do not fit the form; `errors` points at each (`#/answers/q_income`).',
            404: 'No form with this id.',
            422: "Refused by a sync task in reject mode; `results` holds each refusing task's findings. Nothing was stored.",
          }),
        },
      },
      get: {
        operationId: 'listResponses',
        tags: [FORMS],
        summary: "List a form's responses",
        description:
          "Newest first, with each delivery's state and attempts; `page_size` (1-500, default 50) and `page_token` page through." +
          adminNote,
        parameters: [
          formIdOfResponse,
          { name: 'page_size', in: 'query', required: false, description: 'Responses per page, 1 to 500.', schema: { type: 'integer' } },
          {
            name: 'page_token',
            in: 'query',
            required: false,
            description: '`next_page_token` of the previous page.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': jsonResponse('FormResponseList', 'One page.', { items: [readExample], next_page_token: null }),
          ...problemResponses([400, 401, 403, 404, 405, 500], {
            ...adminProblems,
            400: 'A bad page_size or page_token.',
            404: 'No form with this id.',
          }),
        },
      },
    },
    '/responses/{form_id}/{response_id}': {
      get: {
        operationId: 'getResponse',
        tags: [FORMS],
        summary: 'Read a response and its deliveries',
        description:
          "The response with each async task's delivery: its state (`pending`, `delivered`, `failed`, `dead`) and every attempt (time, outcome, HTTP status, error)." +
          adminNote,
        parameters: [formIdOfResponse, responseId],
        responses: {
          '200': jsonResponse('FormResponse', 'The response.', readExample),
          ...problemResponses([401, 403, 404, 405, 500], { ...adminProblems, 404: 'No such response in this form.' }),
        },
      },
    },
    '/responses/{form_id}/{response_id}/deliveries/{task_id}/replay': {
      post: {
        operationId: 'replayDelivery',
        tags: [FORMS],
        summary: 'Deliver again',
        description:
          'Puts the delivery back to `pending` and publishes it: for a dead delivery once its cause is fixed, or any other. Still at most once for BigQuery (same insertId) and Sheets (the sheet is checked for the row first); a webhook gets the same `webhook-id` again.' +
          adminNote,
        parameters: [
          formIdOfResponse,
          responseId,
          { name: 'task_id', in: 'path', required: true, description: 'The async task.', schema: { type: 'string' } },
        ],
        responses: {
          '202': {
            description: 'Accepted: the delivery is pending again.',
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/Delivery' }, example: { state: 'pending', attempts: [] } },
            },
          },
          ...problemResponses([401, 403, 404, 405, 500], {
            ...adminProblems,
            404: 'No such response, or no async task with this id on it.',
          }),
        },
      },
    },
    ...worker(
      'bigqueryExportWorker',
      'Deliver a response to BigQuery',
      'Inserts the row of the response into `forms.responses` with the delivery id as insertId.',
    ),
    ...worker(
      'sheetsExportWorker',
      'Deliver a response to its Google Sheet',
      "Appends every open row of the response's spreadsheet in one call (one worker at a time per spreadsheet); a row whose append had an unknown outcome is looked for in column A first.",
    ),
    ...worker(
      'webhookWorker',
      'Deliver a response to its webhook',
      'POSTs `{"type": "response.created", "timestamp", "data"}` with Standard Webhooks headers; 2xx is delivered, 410 dead, anything else retried.',
    ),
    ...worker(
      'deadLetterWorker',
      'Mark a delivery dead',
      "The dead-letter topic's push target: the delivery becomes `dead` and an ERROR line is logged (the log-based metric and the alert count it).",
    ),
    '/deliverySweeper': {
      post: {
        operationId: 'deliverySweeper',
        tags: [WORKERS],
        summary: 'Republish stale deliveries',
        description:
          'Called by Cloud Scheduler every minute (OIDC; private): publishes again every delivery still `pending` `SWEEP_AFTER_SECONDS` after it was written or last published (a failed publish, a lost message), and every delivery `failed` whose retry has not come `DELIVERY_RETRY_MAX_BACKOFF_SECONDS` after that (its message lost after a nack).',
        responses: {
          '200': {
            description: 'How many were found and republished.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { found: { type: 'integer' }, republished: { type: 'integer' } },
                  required: ['found', 'republished'],
                },
                example: { found: 2, republished: 2 },
              },
            },
          },
          ...problemResponses([405, 500]),
        },
      },
    },
  },
};
