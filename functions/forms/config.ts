import { boolean, ConfigError, integer, optionalList, optionalString, requiredString } from '../shared/config';
import type { AsyncTaskType } from './taskTypes';

/**
 * Settings of System E's functions, read once at cold start (see `shared/config.ts`). Each
 * function reads only the groups it uses: `responses` needs the topics and the admin check, the
 * webhook worker the webhook settings, and so on.
 */
export interface FormCollections {
  /** One document per form. */
  forms: string;
  /** One document per accepted response. */
  responses: string;
  /** One document per (response, async task): the outbox record and its attempt log. */
  deliveries: string;
  /** One document per spreadsheet: the lease and in-flight rows of its batched appends. */
  sheetBatches: string;
}

export function readCollections(): FormCollections {
  return {
    forms: requiredString('FORMS_COLLECTION'),
    responses: requiredString('FORM_RESPONSES_COLLECTION'),
    deliveries: requiredString('FORM_DELIVERIES_COLLECTION'),
    sheetBatches: requiredString('FORM_SHEET_BATCHES_COLLECTION'),
  };
}

/** The Pub/Sub topic each async task type is published to. */
export function readDeliveryTopics(): Record<AsyncTaskType, string> {
  // Names written out (not built from the type) so the infra checks can see what is read.
  return {
    bigquery_export: requiredString('DELIVERY_TOPIC_BIGQUERY_EXPORT'),
    sheets_export: requiredString('DELIVERY_TOPIC_SHEETS_EXPORT'),
    webhook: requiredString('DELIVERY_TOPIC_WEBHOOK'),
  };
}

/** The variable naming a task type's topic (`DELIVERY_TOPIC_WEBHOOK`), as `readDeliveryTopics` reads it. */
export function topicVariable(type: AsyncTaskType): string {
  return `DELIVERY_TOPIC_${type.toUpperCase()}`;
}

/**
 * Who may read responses and replay deliveries. In the cloud `responses` is public (anyone may
 * answer), so its admin paths check a Google-signed ID token whose email is one of
 * `FORM_ADMINS` and whose audience is `ADMIN_TOKEN_AUDIENCE` (the function's URL). Locally
 * there is no IAM and no Google to sign tokens: `ADMIN_AUTH=off`.
 */
export interface AdminAuthConfig {
  mode: 'google' | 'off';
  /** Emails, or IAM members (`user:a@b.c`, `serviceAccount:x@y`), whose token is accepted. */
  admins: string[];
  audience: string;
}

export function readAdminAuth(): AdminAuthConfig {
  const mode = optionalString('ADMIN_AUTH', 'google');
  if (mode !== 'google' && mode !== 'off') throw new ConfigError('ADMIN_AUTH', `must be google or off, got "${mode}"`);
  if (mode === 'off') return { mode, admins: [], audience: '' };
  return { mode, admins: optionalList('FORM_ADMINS'), audience: requiredString('ADMIN_TOKEN_AUDIENCE') };
}

export interface WebhookConfig {
  /** Loopback receivers are allowed (the local cloud, where receivers are test servers on 127.0.0.1). */
  allowLoopback: boolean;
  timeoutMs: number;
}

export function readWebhookConfig(): WebhookConfig {
  return {
    allowLoopback: boolean('WEBHOOK_ALLOW_LOOPBACK', { default: false }),
    timeoutMs: integer('WEBHOOK_TIMEOUT_SECONDS', { default: 15, min: 1, max: 300 }) * 1000,
  };
}

export interface BigQueryExportConfig {
  dataset: string;
  table: string;
}

export function readBigQueryExport(): BigQueryExportConfig {
  return { dataset: requiredString('FORMS_BIGQUERY_DATASET'), table: requiredString('FORMS_BIGQUERY_TABLE') };
}

/**
 * How the Sheets worker batches. One append per spreadsheet at a time (a lease in Firestore);
 * each append takes every open row of that spreadsheet, at most `maxRows`; appends to one
 * spreadsheet are at least `minIntervalMs` apart, so a busy form needs far fewer appends than
 * responses; a 429 or 5xx backs off from 1 s doubling up to `maxBackoffMs`.
 */
export interface SheetsConfig {
  minIntervalMs: number;
  maxRows: number;
  leaseMs: number;
  maxBackoffMs: number;
  /** How long a worker whose row another worker is appending waits for it before asking Pub/Sub to retry. */
  waitMs: number;
}

export function readSheetsConfig(): SheetsConfig {
  return {
    minIntervalMs: integer('SHEETS_MIN_APPEND_INTERVAL_MS', { default: 2000, min: 0, max: 600_000 }),
    maxRows: integer('SHEETS_BATCH_MAX_ROWS', { default: 500, min: 1, max: 5000 }),
    leaseMs: integer('SHEETS_LEASE_SECONDS', { default: 60, min: 5, max: 600 }) * 1000,
    maxBackoffMs: integer('SHEETS_MAX_BACKOFF_SECONDS', { default: 64, min: 1, max: 600 }) * 1000,
    waitMs: integer('SHEETS_WAIT_SECONDS', { default: 30, min: 0, max: 300 }) * 1000,
  };
}

/** Who else gets writer access to a spreadsheet the forms function creates: the Sheets worker's service account. */
export function readSheetsWriter(): string | undefined {
  return optionalString('SHEETS_WRITER_EMAIL', '') || undefined;
}

export interface SweeperConfig {
  /** A delivery still `pending` this long after it was last written or published is published again. */
  ageMs: number;
  /**
   * A delivery `failed` this long after its last attempt is published again: the sweep age plus
   * the longest back-off of the subscriptions' retry policy (`DELIVERY_RETRY_MAX_BACKOFF_SECONDS`,
   * Pub/Sub's own maximum by default), so a delivery Pub/Sub is still retrying is left to it and
   * only one whose retry never came (its message lost) is published again.
   */
  failedAgeMs: number;
  /** At most this many deliveries per run (the next run takes the rest). */
  batch: number;
}

export function readSweeperConfig(): SweeperConfig {
  const ageMs = integer('SWEEP_AFTER_SECONDS', { default: 300, min: 1, max: 86_400 }) * 1000;
  const maxBackoffMs = integer('DELIVERY_RETRY_MAX_BACKOFF_SECONDS', { default: 600, min: 0, max: 600 }) * 1000;
  return {
    ageMs,
    failedAgeMs: ageMs + maxBackoffMs,
    batch: integer('SWEEP_BATCH_SIZE', { default: 500, min: 1, max: 5000 }),
  };
}
