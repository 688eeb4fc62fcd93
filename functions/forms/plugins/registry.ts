import { bigqueryExport, sheetsExport, webhook, type PrepareSettings } from './asyncPlugins';
import { businessRules } from './businessRules';
import { keywordFlags } from './keywordFlags';
import type { Plugin } from './plugin';
import type { TaskType } from '../taskTypes';

/**
 * Every plug-in, by task type: the only place a type name maps to code. A new plug-in is one
 * module implementing `Plugin` and one line here (plus its worker, topic and subscription when
 * it is async). What installing one needs from outside (creating a spreadsheet) is handed in,
 * so `responses`, which only runs sync plug-ins and opens deliveries, never loads it.
 */
export function pluginRegistry(settings?: PrepareSettings): Record<TaskType, Plugin> {
  const unprepared: PrepareSettings = settings ?? {
    allowLoopback: false,
    createSpreadsheet: () => Promise.reject(new Error('spreadsheets are created by the forms function only')),
  };
  return {
    business_rules: businessRules,
    keyword_flags: keywordFlags,
    bigquery_export: bigqueryExport,
    sheets_export: sheetsExport(unprepared),
    webhook: webhook(unprepared),
  };
}
