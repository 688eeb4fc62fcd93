import manifestJson from './manifest.json';

/**
 * The kit's manifest (`manifest/manifest.json`, checked by `manifest.schema.json`): every function
 * and every shared resource, written once. This module types it for the TypeScript readers (the
 * local cloud, packaging, the infra checks); Terraform decodes the same file (infra/manifest.tf).
 * No function module loads this file: the docs function reads the JSON itself, without ajv.
 */
export type EnvSource =
  | { value: string; local?: string }
  | { variable: string; add?: number; local?: string; or_variable?: string; otherwise?: { function_url: string; paths?: string[] } }
  | { region: true }
  | { function_url: string }
  | { functions_base_url: true }
  | { bucket: string }
  | { dataset: string }
  | { table: string }
  | { workflow: string }
  | { topic: string }
  | { collection: string }
  | { database: string }
  | { service_account: string };

export type RoleTarget =
  | { project: true }
  | { database: string }
  | { table: string }
  | { bucket: string }
  | { function: string }
  | { topic: string }
  | { subscription: string };

export interface RoleGrant {
  role: string;
  on: RoleTarget;
  why: string;
}

/** A number, or a Terraform variable with the value the local cloud uses instead. */
export type Setting = number | { variable: string; local: number };

/** The value of a setting in the local cloud. */
export function localSetting(setting: Setting): number {
  return typeof setting === 'number' ? setting : setting.local;
}

export interface ManifestFunction {
  source: string;
  openapi?: string;
  /** Modules loaded by a path the manifest holds, shipped with the function: `openapi` = every fragment. */
  ships?: ('openapi' | 'swagger_ui')[];
  description: string;
  /** Locally every function is reachable; in Terraform a variable may decide. */
  public: boolean | { variable: string };
  /** Network ingress (ALLOW_ALL when absent): ALLOW_INTERNAL_ONLY when only the project's own Google services call it. */
  ingress?: 'ALLOW_ALL' | 'ALLOW_INTERNAL_ONLY';
  /** IAM members granted run.invoker, from a list variable. */
  invokers?: { variable: string };
  deploy_if?: string;
  memory: string;
  cpu: string;
  timeout_seconds: number | { variable: string; add: number };
  concurrency: number;
  min_instances: number;
  max_instances: number;
  max_body_bytes?: number;
  notes?: string;
  roles: RoleGrant[];
  env: Record<string, EnvSource>;
}

export interface ManifestWorkflow {
  source: string;
  description: string;
  notes?: string;
  roles: RoleGrant[];
  env: Record<string, EnvSource>;
}

export interface ManifestDataset {
  id: { value: string } | { variable: string; local: string };
  description: string;
  tables: Record<
    string,
    {
      schema: string;
      description: string;
      time_partitioning?: { type: 'HOUR' | 'DAY' | 'MONTH' | 'YEAR'; field: string };
      clustering?: string[];
    }
  >;
}

/** A project-level custom role: exactly the permissions its grantees' code uses. */
export interface CustomRole {
  title: string;
  description: string;
  permissions: string[];
}

export interface Manifest {
  functions: Record<string, ManifestFunction>;
  /** Granted as `custom/<id>`. */
  custom_roles: Record<string, CustomRole>;
  datasets: Record<string, ManifestDataset>;
  buckets: Record<string, { description: string; holds_user_data: boolean }>;
  databases: Record<string, { description: string }>;
  collections: Record<string, { description: string; database: string; ttl_field?: string }>;
  workflows: Record<string, ManifestWorkflow>;
  topics: Record<string, { description: string; message_retention_seconds?: number }>;
  subscriptions: Record<
    string,
    {
      topic: string;
      push_to: string;
      push_path?: string;
      ack_deadline_seconds: number;
      message_retention_seconds?: number;
      retry: { minimum_backoff_seconds: Setting; maximum_backoff_seconds: Setting };
      dead_letter_topic?: string;
      max_delivery_attempts?: Setting;
    }
  >;
  schedules: Record<
    string,
    {
      target: string;
      path?: string;
      method?: 'GET' | 'POST';
      cron: string;
      time_zone?: string;
      attempt_deadline_seconds?: number;
      description?: string;
    }
  >;
  log_metrics: Record<
    string,
    {
      function: string;
      event: string;
      value_field: string;
      display_name: string;
      description: string;
      linear_buckets: { count: number; width: number; offset: number };
    }
  >;
}

/** A function with its entry point, in manifest order. */
export type FunctionEntry = ManifestFunction & { name: string };

/** The body limit when a function declares none (the SPEC's 64 KiB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export const MANIFEST: Manifest = manifestJson as unknown as Manifest;

/** Every function, in manifest order. */
export function functionEntries(manifest: Manifest = MANIFEST): FunctionEntry[] {
  return Object.entries(manifest.functions).map(([name, fn]) => ({ name, ...fn }));
}

export function functionEntry(name: string, manifest: Manifest = MANIFEST): FunctionEntry {
  const fn = manifest.functions[name];
  if (!fn) throw new Error(`no function ${name} in manifest/manifest.json`);
  return { name, ...fn };
}

/** The deployed (Cloud Run service) name of a function: `incrementTag` → `increment-tag`. */
export function deployName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The OpenAPI fragment modules, each once, in manifest order (what the docs function loads). */
export function openApiModules(manifest: Manifest = MANIFEST): string[] {
  return [...new Set(Object.values(manifest.functions).flatMap((f) => (f.openapi ? [f.openapi] : [])))];
}

/** A bucket's name: `<project>-<key with - for _>` (Terraform prepends var.name_prefix). */
export function bucketName(key: string, projectId: string, prefix = ''): string {
  return `${prefix}${projectId}-${key.replace(/_/g, '-')}`;
}

/**
 * Problems the JSON Schema cannot see: every reference names something the manifest declares,
 * and a variable has one local value wherever it is used. Empty when the manifest is sound.
 */
export function referenceProblems(manifest: Manifest = MANIFEST): string[] {
  const problems: string[] = [];
  const has = (kind: string, key: string): boolean => {
    switch (kind) {
      case 'function':
      case 'function_url':
      case 'service_account':
        return key in manifest.functions;
      case 'bucket':
        return key in manifest.buckets;
      case 'dataset':
        return key in manifest.datasets;
      case 'table': {
        const [dataset, table] = key.split('.');
        return table in (manifest.datasets[dataset]?.tables ?? {});
      }
      case 'workflow':
        return key in manifest.workflows;
      case 'topic':
        return key in manifest.topics;
      case 'subscription':
        return key in manifest.subscriptions;
      case 'collection':
        return key in manifest.collections;
      case 'database':
        return key in manifest.databases;
      default:
        return true;
    }
  };
  const locals = new Map<string, string>();
  const checkEnv = (owner: string, env: Record<string, EnvSource>): void => {
    for (const [name, source] of Object.entries(env)) {
      for (const [kind, key] of Object.entries(source)) {
        if (typeof key === 'string' && kind !== 'value' && kind !== 'local' && kind !== 'variable' && !has(kind, key))
          problems.push(`${owner} env ${name}: no ${kind} "${key}"`);
      }
      if ('otherwise' in source && source.otherwise && !has('function', source.otherwise.function_url))
        problems.push(`${owner} env ${name}: no function "${source.otherwise.function_url}"`);
      if ('variable' in source && source.local !== undefined) {
        const seen = locals.get(source.variable);
        if (seen !== undefined && seen !== source.local)
          problems.push(`${owner} env ${name}: variable ${source.variable} has local value "${source.local}" here and "${seen}" elsewhere`);
        locals.set(source.variable, source.local);
      }
    }
  };
  const checkRoles = (owner: string, roles: RoleGrant[]): void => {
    for (const grant of roles) {
      if (grant.role.startsWith('custom/') && !(grant.role.slice('custom/'.length) in manifest.custom_roles))
        problems.push(`${owner} role ${grant.role}: no custom role "${grant.role.slice('custom/'.length)}"`);
      for (const [kind, key] of Object.entries(grant.on)) {
        if (typeof key === 'string' && !has(kind, key)) problems.push(`${owner} role ${grant.role}: no ${kind} "${key}"`);
      }
    }
  };
  for (const [name, collection] of Object.entries(manifest.collections)) {
    if (!has('database', collection.database)) problems.push(`collection ${name}: no database "${collection.database}"`);
  }
  for (const [name, fn] of Object.entries(manifest.functions)) {
    checkEnv(`function ${name}`, fn.env);
    checkRoles(`function ${name}`, fn.roles);
    problems.push(...databaseProblems(`function ${name}`, fn, manifest));
    if (fn.concurrency > 1 && Number(fn.cpu) < 1) problems.push(`function ${name}: concurrency ${fn.concurrency} needs cpu >= 1`);
    if (fn.min_instances > fn.max_instances) problems.push(`function ${name}: min_instances above max_instances`);
    // Internal ingress refuses whatever comes from outside Google: anyone public, and any invoker member.
    if (fn.ingress === 'ALLOW_INTERNAL_ONLY' && (fn.public !== false || fn.invokers))
      problems.push(`function ${name}: ALLOW_INTERNAL_ONLY, yet callers from outside may invoke it (public or invokers)`);
  }
  for (const [name, wf] of Object.entries(manifest.workflows)) {
    checkEnv(`workflow ${name}`, wf.env);
    checkRoles(`workflow ${name}`, wf.roles);
    problems.push(...databaseProblems(`workflow ${name}`, wf, manifest));
  }
  for (const [name, sub] of Object.entries(manifest.subscriptions)) {
    if (!has('topic', sub.topic)) problems.push(`subscription ${name}: no topic "${sub.topic}"`);
    if (!has('function', sub.push_to)) problems.push(`subscription ${name}: no function "${sub.push_to}"`);
    if (sub.dead_letter_topic && !has('topic', sub.dead_letter_topic))
      problems.push(`subscription ${name}: no topic "${sub.dead_letter_topic}"`);
  }
  for (const [name, job] of Object.entries(manifest.schedules)) {
    if (!has('function', job.target)) problems.push(`schedule ${name}: no function "${job.target}"`);
  }
  for (const [name, metric] of Object.entries(manifest.log_metrics)) {
    if (!has('function', metric.function)) problems.push(`log metric ${name}: no function "${metric.function}"`);
  }
  return problems;
}

/**
 * A Firestore client is pointed at one database, so whatever reads or writes Firestore does it in
 * one: its collections', the one its env names (`FIRESTORE_DATABASE`), and the one its Firestore
 * roles are granted on (never the project, which would reach every system's data). An entry that
 * only passes a collection's name on (triggerWorkflow names the pipeline's state collection)
 * holds no Firestore role and names no database.
 */
function databaseProblems(owner: string, entry: { env: Record<string, EnvSource>; roles: RoleGrant[] }, manifest: Manifest): string[] {
  const problems: string[] = [];
  const sources = Object.values(entry.env);
  const used = new Set(
    sources.flatMap((s) => ('collection' in s && manifest.collections[s.collection] ? [manifest.collections[s.collection].database] : [])),
  );
  const named = sources.flatMap((s) => ('database' in s ? [s.database] : []));
  const granted = entry.roles.filter((g) => g.role.startsWith('roles/datastore.'));
  if (used.size > 1) problems.push(`${owner}: collections in more than one database (${[...used].join(', ')})`);
  for (const database of named) {
    if (!used.has(database)) problems.push(`${owner}: names database "${database}", which holds none of its collections`);
  }
  for (const grant of granted) {
    if (!('database' in grant.on) || !used.has(grant.on.database))
      problems.push(`${owner} role ${grant.role}: must be granted on its collections' database, not ${JSON.stringify(grant.on)}`);
    else if (!named.includes(grant.on.database)) problems.push(`${owner}: granted database "${grant.on.database}" but no env var names it`);
  }
  return problems;
}
