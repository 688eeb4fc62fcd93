import * as fs from 'node:fs';
import { repoPath } from '../../../local/paths';

/** Variables Cloud Workflows provides itself (sys.get_env), never set by us. */
const BUILT_IN = new Set([
  'GOOGLE_CLOUD_PROJECT_ID',
  'GOOGLE_CLOUD_PROJECT_NUMBER',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_CLOUD_WORKFLOW_ID',
  'GOOGLE_CLOUD_WORKFLOW_REVISION_ID',
  'GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID',
]);

/**
 * The user env vars a workflow file reads with `sys.get_env("NAME")` (built-ins left out),
 * sorted: what its Terraform `user_env_vars` and the local deployment must provide.
 */
export function workflowUserEnvVars(...pathFromRepo: string[]): string[] {
  const source = fs.readFileSync(repoPath(...pathFromRepo), 'utf8');
  const names = [...source.matchAll(/sys\.get_env\(\s*"([A-Z0-9_]+)"\s*\)/g)].map((m) => m[1]);
  return [...new Set(names.filter((n) => !BUILT_IN.has(n)))].sort();
}
