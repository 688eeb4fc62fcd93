import { randomBytes } from 'node:crypto';
import type { FieldError } from '../../shared/errors';
import { HttpError } from '../../shared/errors';
import type { JsonSchema } from '../../shared/validation';
import { webhookUrlRefusal } from '../addressPolicy';
import type { AsyncPlugin, PrepareContext } from './plugin';

/**
 * The definitions of the three async plug-ins: their config schemas and what installing one on a
 * form does. What each does at delivery is in `delivery/<type>.ts`, loaded by its worker only.
 */
export const bigqueryExportConfigSchema: JsonSchema = {
  $id: 'BigQueryExportConfig',
  type: 'object',
  description:
    "No settings: every response becomes one row of the deployment's table (`forms.responses`: response_id, form_id, submitted_at, answers as JSON), partitioned by submission day and clustered by form.",
  properties: {},
  additionalProperties: false,
  examples: [{}],
};

export const sheetsExportConfigSchema: JsonSchema = {
  $id: 'SheetsExportConfig',
  type: 'object',
  description:
    "Column A is the response id, then one column per question in the form's order (a question added later adds a column at the end). Without `spreadsheet_id` a spreadsheet is created and shared with the form's `owner_email` as writer; its id then shows here.",
  properties: {
    spreadsheet_id: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{10,200}$',
      description: "A spreadsheet the owner shared with the kit's Sheets worker service account (writer). Omit to have one created.",
    },
    sheet: { type: 'string', minLength: 1, maxLength: 100, description: 'The sheet (tab) rows go to; `Responses` by default.' },
  },
  additionalProperties: false,
  examples: [{}, { spreadsheet_id: '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms', sheet: 'Responses' }],
};

export const webhookConfigSchema: JsonSchema = {
  $id: 'WebhookConfig',
  type: 'object',
  description:
    'Each response is POSTed to `url`, signed the Standard Webhooks way with a secret returned once, in the 201 answer. The URL must be https and must not resolve to a private, loopback or link-local address.',
  properties: {
    url: { type: 'string', maxLength: 2000, description: 'The receiver.', examples: ['https://hooks.example.com/forms'] },
  },
  required: ['url'],
  additionalProperties: false,
  examples: [{ url: 'https://hooks.example.com/forms' }],
};

/** The sheet a created spreadsheet writes to. */
export const DEFAULT_SHEET = 'Responses';

const none = (): FieldError[] => [];

export const bigqueryExport: AsyncPlugin = {
  kind: 'async',
  type: 'bigquery_export',
  description: 'Every response as a row of one BigQuery table (answers as JSON), de-duplicated by insertId.',
  configSchema: bigqueryExportConfigSchema,
  checkAgainstForm: none,
};

/** Creates a spreadsheet and shares it; injected by the forms function (it alone loads the Sheets and Drive clients). */
export type SpreadsheetCreator = (title: string, header: string[], shareWith: string[]) => Promise<string>;

export interface PrepareSettings {
  allowLoopback: boolean;
  createSpreadsheet: SpreadsheetCreator;
  sheetsWriter?: string;
}

export function sheetsExport(settings: Pick<PrepareSettings, 'createSpreadsheet' | 'sheetsWriter'>): AsyncPlugin {
  return {
    kind: 'async',
    type: 'sheets_export',
    description: 'One row per response in a Google Sheet, column A the response id; appends batched per spreadsheet.',
    configSchema: sheetsExportConfigSchema,
    checkAgainstForm: none,
    async prepare(config, { form, previous }: PrepareContext) {
      const sheet = (config.sheet as string | undefined) ?? (previous?.task.config.sheet as string | undefined) ?? DEFAULT_SHEET;
      const given = (config.spreadsheet_id as string | undefined) ?? (previous?.task.config.spreadsheet_id as string | undefined);
      if (given) return { config: { spreadsheet_id: given, sheet } };
      const header = ['response_id', ...form.questions.map((q) => q.label)];
      const shareWith = [form.owner_email, ...(settings.sheetsWriter ? [settings.sheetsWriter] : [])];
      // The sheet is created with the name the rows go to (see the creator), so it exists at once.
      const id = await settings.createSpreadsheet(`${form.title} (responses)`, header, shareWith);
      return { config: { spreadsheet_id: id, sheet: DEFAULT_SHEET } };
    },
  };
}

export function webhook(settings: Pick<PrepareSettings, 'allowLoopback'>): AsyncPlugin {
  return {
    kind: 'async',
    type: 'webhook',
    description: 'POSTs each response to a URL with a Standard Webhooks signature; at-least-once with a stable webhook-id.',
    configSchema: webhookConfigSchema,
    checkAgainstForm: none,
    async prepare(config, { previous }) {
      const why = await webhookUrlRefusal(config.url as string, settings.allowLoopback);
      if (why) throw new HttpError('validation_failed', `The webhook URL ${why}.`, { errors: [{ pointer: '/url', detail: why }] });
      // A replaced form keeps its webhooks' secrets: receivers keep verifying without a change.
      if (previous?.secret) return { config: { url: config.url }, secret: previous.secret };
      return { config: { url: config.url }, secret: newWebhookSecret() };
    },
  };
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64 (the HMAC key is those bytes). */
export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(24).toString('base64');
}
