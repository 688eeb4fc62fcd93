import * as fs from 'node:fs';
import { topicVariable } from '../../functions/forms/config';
import { ASYNC_TASK_TYPES } from '../../functions/forms/taskTypes';
import type { ProvisionedDataset } from '../bigquery/service';
import { repoPath } from '../paths';
import type { PubSubTopology } from '../pubsub/emulatorService';
import type { SchedulerJob } from '../scheduler/service';

/**
 * System E in the local cloud, in one place: its topics, push subscriptions and schedule from
 * `infra/deliveries.json` (the declarations Terraform reads too), pushing to each worker's
 * fault-proxy URL; its BigQuery table; and what each of its functions is given, with the short
 * local settings (retries a second or so apart, dead after five attempts, swept after 20 s).
 */
interface Setting {
  variable: string;
  local: number;
}

export interface DeliveryDeclarations {
  settings: Record<'retry_min_backoff_seconds' | 'retry_max_backoff_seconds' | 'max_delivery_attempts' | 'sweep_after_seconds', Setting>;
  topics: Record<string, { task_type: string | null }>;
  subscriptions: Record<string, { topic: string; push_to: string; ack_deadline_seconds: number; dead_letter_topic: string | null }>;
  schedules: Record<string, { function: string; schedule: string; description: string }>;
}

export const DELIVERIES_FILE = 'infra/deliveries.json';

let declarations: DeliveryDeclarations | undefined;
export function deliveryDeclarations(): DeliveryDeclarations {
  declarations ??= JSON.parse(fs.readFileSync(repoPath(DELIVERIES_FILE), 'utf8')) as DeliveryDeclarations;
  return declarations;
}

/** The topic of each async task type, by the environment variable its publishers read. */
export function deliveryTopicEnv(): Record<string, string> {
  const topics = deliveryDeclarations().topics;
  return Object.fromEntries(
    ASYNC_TASK_TYPES.map((type) => {
      const name = Object.keys(topics).find((t) => topics[t].task_type === type);
      if (!name) throw new Error(`${DELIVERIES_FILE} has no topic for task type ${type}`);
      return [topicVariable(type), name];
    }),
  );
}

export function pubsubTopology(functionUrls: Record<string, string>): PubSubTopology {
  const d = deliveryDeclarations();
  const s = d.settings;
  return {
    topics: Object.keys(d.topics),
    // A cloud started with only some functions (a benchmark) leaves the others' subscriptions out.
    subscriptions: Object.entries(d.subscriptions).flatMap(([name, sub]) => {
      const url = functionUrls[sub.push_to];
      if (!url) return [];
      return {
        name,
        topic: sub.topic,
        pushEndpoint: url,
        ackDeadlineSeconds: sub.ack_deadline_seconds,
        minimumBackoffSeconds: s.retry_min_backoff_seconds.local,
        maximumBackoffSeconds: s.retry_max_backoff_seconds.local,
        deadLetter: sub.dead_letter_topic
          ? { topic: sub.dead_letter_topic, maxDeliveryAttempts: s.max_delivery_attempts.local }
          : undefined,
      };
    }),
  };
}

export function schedulerJobs(functionUrls: Record<string, string>): SchedulerJob[] {
  return Object.entries(deliveryDeclarations().schedules)
    .filter(([, job]) => functionUrls[job.function])
    .map(([name, job]) => ({ name, schedule: job.schedule, url: functionUrls[job.function] }));
}

/** Dataset `forms`, table `responses`, as infra/forms.tf creates them. */
export const FORMS_DATASET: ProvisionedDataset = {
  datasetId: 'forms',
  description: 'System E: form responses exported by bigquery_export tasks',
  tables: [
    {
      tableId: 'responses',
      schemaFile: 'infra/schemas/forms/responses.json',
      timePartitioning: { type: 'DAY', field: 'submitted_at' },
      clustering: { fields: ['form_id'] },
    },
  ],
};

const COLLECTIONS = {
  FORMS_COLLECTION: 'forms',
  FORM_RESPONSES_COLLECTION: 'form_responses',
  FORM_DELIVERIES_COLLECTION: 'form_deliveries',
  FORM_SHEET_BATCHES_COLLECTION: 'form_sheet_batches',
};

/**
 * What Terraform sets on System E's functions (infra/forms.tf), locally. `ADMIN_AUTH=off`: there
 * is no IAM and no Google to sign ID tokens here, so the admin paths of `responses` are open.
 * `WEBHOOK_ALLOW_LOOPBACK`: the receivers of local runs and tests listen on 127.0.0.1.
 */
export function formsFunctionEnv(name: string): Record<string, string> | undefined {
  const local = deliveryDeclarations().settings;
  switch (name) {
    case 'forms':
      return { ...COLLECTIONS, WEBHOOK_ALLOW_LOOPBACK: 'true' };
    case 'responses':
      return { ...COLLECTIONS, ...deliveryTopicEnv(), ADMIN_AUTH: 'off' };
    case 'bigqueryExportWorker':
      return { ...COLLECTIONS, FORMS_BIGQUERY_DATASET: FORMS_DATASET.datasetId, FORMS_BIGQUERY_TABLE: FORMS_DATASET.tables[0].tableId };
    case 'sheetsExportWorker':
      // Appends a second apart at most per spreadsheet, and a waiting worker gives up within the ack deadline.
      return { ...COLLECTIONS, SHEETS_MIN_APPEND_INTERVAL_MS: '1000', SHEETS_WAIT_SECONDS: '20', SHEETS_MAX_BACKOFF_SECONDS: '8' };
    case 'webhookWorker':
      return { ...COLLECTIONS, WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_TIMEOUT_SECONDS: '5' };
    case 'deadLetterWorker':
      return { ...COLLECTIONS };
    case 'deliverySweeper':
      return { ...COLLECTIONS, ...deliveryTopicEnv(), SWEEP_AFTER_SECONDS: String(local.sweep_after_seconds.local) };
    default:
      return undefined;
  }
}
