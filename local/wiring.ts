import {
  bucketName,
  functionEntries,
  localSetting,
  MANIFEST,
  type EnvSource,
  type FunctionEntry,
  type Manifest,
} from '../manifest/manifest';
import type { ProvisionedDataset } from './bigquery/service';
import type { PubSubTopology } from './pubsub/emulatorService';
import type { SchedulerJob } from './scheduler/service';

/**
 * What the local cloud runs, read from the manifest: the functions, the datasets, buckets and
 * workflows to provision, the topics, push subscriptions and schedules to declare, and every
 * environment variable resolved to local endpoints. This is the one place in `local/` that knows
 * the kit's resources; the emulators are handed them.
 */
export interface LocalContext {
  projectId: string;
  /** The Workflows location, also what `{"region": true}` resolves to. */
  location: string;
  /** Each running function's local base URL (its fault proxy). */
  functionUrls: Record<string, string>;
  /** A base URL every function answers under at `/<name>`, when the local cloud has one. */
  baseUrl?: string;
  /** Values given to Terraform variables, by variable name (from `overridesByEnvName`). */
  variables: Record<string, string>;
}

/** The value the local cloud gives one variable, or undefined to leave it unset. */
export function localValue(source: EnvSource, context: LocalContext, manifest: Manifest = MANIFEST): string | undefined {
  if ('value' in source) return source.local ?? source.value;
  if ('variable' in source) {
    const own = context.variables[source.variable] ?? source.local;
    const value = (own === undefined || own === '') && source.or_variable ? context.variables[source.or_variable] : own;
    if ((value === undefined || value === '') && source.otherwise) {
      const url = context.functionUrls[source.otherwise.function_url];
      if (url === undefined) return undefined;
      return (source.otherwise.paths ?? ['']).map((p) => url + p).join(',');
    }
    if (value === undefined || source.add === undefined) return value;
    return String(Number(value) + source.add);
  }
  if ('region' in source) return context.location;
  if ('function_url' in source) return context.functionUrls[source.function_url];
  if ('functions_base_url' in source) return context.baseUrl;
  if ('bucket' in source) return bucketName(source.bucket, context.projectId);
  if ('dataset' in source) return localDatasetId(manifest.datasets[source.dataset].id);
  if ('table' in source) return source.table.split('.')[1];
  if ('workflow' in source) return source.workflow;
  if ('topic' in source) return source.topic;
  // No service accounts locally: a variable naming one is left unset.
  if ('service_account' in source) return undefined;
  if ('database' in source) return source.database;
  return source.collection;
}

function localDatasetId(id: Manifest['datasets'][string]['id']): string {
  return 'value' in id ? id.value : id.local;
}

/**
 * Every function's URL as a placeholder on the discard port (127.0.0.1:9), for resolving the env
 * of a function that runs alone (unit tests, benches, probes), where nothing calls the others.
 */
export function placeholderFunctionUrls(manifest: Manifest = MANIFEST): Record<string, string> {
  return Object.fromEntries(Object.keys(manifest.functions).map((name) => [name, `http://127.0.0.1:9/${name}`]));
}

/** A whole env block resolved; variables with no local value are left out. */
export function localEnv(env: Record<string, EnvSource>, context: LocalContext, manifest: Manifest = MANIFEST): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, source] of Object.entries(env)) {
    const value = localValue(source, context, manifest);
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}

/**
 * Settings given by their environment variable's name (`PROCESS_DELAY_SECONDS=5 make dev`,
 * `NODES=... make dev`) turned into values of the Terraform variables behind them, so every
 * function and workflow that reads the variable, directly or derived (`add`), sees the same value.
 * A name the manifest does not tie to a variable is refused: it would silently do nothing.
 */
export function variablesFromEnvNames(settings: Record<string, string>, manifest: Manifest = MANIFEST): Record<string, string> {
  const byEnvName = new Map<string, string>();
  for (const owner of [...Object.values(manifest.functions), ...Object.values(manifest.workflows)]) {
    for (const [name, source] of Object.entries(owner.env)) {
      if ('variable' in source && source.add === undefined) byEnvName.set(name, source.variable);
    }
  }
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    const variable = byEnvName.get(name);
    if (!variable) throw new Error(`${name} is not a setting of the local cloud: the manifest ties no Terraform variable to it`);
    variables[variable] = value;
  }
  return variables;
}

/** Every env name the local cloud accepts as a setting (what `make dev` passes through). */
export function settingNames(manifest: Manifest = MANIFEST): string[] {
  const names = new Set<string>();
  for (const owner of [...Object.values(manifest.functions), ...Object.values(manifest.workflows)]) {
    for (const [name, source] of Object.entries(owner.env)) if ('variable' in source && source.add === undefined) names.add(name);
  }
  return [...names].sort();
}

/** The functions to run (all unless `only` names some). */
export function localFunctions(only?: readonly string[], manifest: Manifest = MANIFEST): FunctionEntry[] {
  const all = functionEntries(manifest);
  if (!only) return all;
  for (const name of only) if (!(name in manifest.functions)) throw new Error(`no function ${name} in manifest/manifest.json`);
  return all.filter((f) => only.includes(f.name));
}

/** The datasets and tables the local BigQuery creates, from the same schema files as Terraform. */
export function localDatasets(manifest: Manifest = MANIFEST): ProvisionedDataset[] {
  return Object.values(manifest.datasets).map((dataset) => ({
    datasetId: localDatasetId(dataset.id),
    description: dataset.description,
    tables: Object.entries(dataset.tables).map(([tableId, table]) => ({
      tableId,
      schemaFile: table.schema,
      description: table.description,
      timePartitioning: table.time_partitioning,
      clustering: table.clustering && { fields: table.clustering },
    })),
  }));
}

/** The Firestore databases the local emulator keeps (saves, restores and resets), by id. */
export function localDatabases(manifest: Manifest = MANIFEST): string[] {
  return Object.keys(manifest.databases);
}

/** The buckets the local Cloud Storage creates. */
export function localBuckets(projectId: string, manifest: Manifest = MANIFEST): string[] {
  return Object.keys(manifest.buckets).map((key) => bucketName(key, projectId));
}

/** The workflows the local engine deploys, each with its file and its user_env_vars resolved locally. */
export function localWorkflows(
  context: LocalContext,
  manifest: Manifest = MANIFEST,
): { workflowId: string; sourceFile: string; userEnvVars: Record<string, string> }[] {
  return Object.entries(manifest.workflows).map(([workflowId, workflow]) => ({
    workflowId,
    sourceFile: workflow.source,
    userEnvVars: localEnv(workflow.env, context, manifest),
  }));
}

/**
 * The topics and push subscriptions the local Pub/Sub declares, each pushing to its function's
 * local URL (the fault proxy) with the local values of its settings. A cloud started with only
 * some functions (a benchmark) leaves the others' subscriptions out.
 */
export function localPubSub(functionUrls: Record<string, string>, manifest: Manifest = MANIFEST): PubSubTopology {
  return {
    topics: Object.keys(manifest.topics),
    subscriptions: Object.entries(manifest.subscriptions).flatMap(([name, sub]) => {
      const url = functionUrls[sub.push_to];
      if (!url) return [];
      return {
        name,
        topic: sub.topic,
        pushEndpoint: url + (sub.push_path ?? ''),
        ackDeadlineSeconds: sub.ack_deadline_seconds,
        minimumBackoffSeconds: localSetting(sub.retry.minimum_backoff_seconds),
        maximumBackoffSeconds: localSetting(sub.retry.maximum_backoff_seconds),
        deadLetter:
          sub.dead_letter_topic && sub.max_delivery_attempts !== undefined
            ? { topic: sub.dead_letter_topic, maxDeliveryAttempts: localSetting(sub.max_delivery_attempts) }
            : undefined,
      };
    }),
  };
}

/** The jobs the local scheduler runs, each calling its function's local URL. */
export function localSchedules(functionUrls: Record<string, string>, manifest: Manifest = MANIFEST): SchedulerJob[] {
  return Object.entries(manifest.schedules)
    .filter(([, job]) => functionUrls[job.target])
    .map(([name, job]) => ({ name, schedule: job.cron, url: functionUrls[job.target] + (job.path ?? '') }));
}
