/**
 * The plug-in types, as names. A leaf module (imports nothing) because the config, the local
 * cloud's topic wiring and the registry all need the list, and only the registry needs the code.
 */
export const SYNC_TASK_TYPES = ['business_rules', 'keyword_flags'] as const;
export const ASYNC_TASK_TYPES = ['bigquery_export', 'sheets_export', 'webhook'] as const;

export type SyncTaskType = (typeof SYNC_TASK_TYPES)[number];
export type AsyncTaskType = (typeof ASYNC_TASK_TYPES)[number];
export type TaskType = SyncTaskType | AsyncTaskType;

export function isAsyncTaskType(type: string): type is AsyncTaskType {
  return (ASYNC_TASK_TYPES as readonly string[]).includes(type);
}
