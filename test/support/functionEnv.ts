import { functionEntry } from '../../manifest/manifest';
import { localEnv, placeholderFunctionUrls } from '../../local/wiring';
import { saveEnv } from './env';

/**
 * For unit tests that load a function's module: sets in `process.env` what the local cloud gives
 * each named function (its collections, tables, workflow, settings: its manifest entry's `env`
 * with the local values; other functions' URLs are placeholders that nothing calls), so a test
 * repeats no resource name. Returns the function that puts `process.env` back as it was; a test
 * sets what it changes on top.
 */
export function useFunctionEnv(...names: string[]): () => void {
  const restore = saveEnv();
  const functionUrls = placeholderFunctionUrls();
  const context = { projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'test-project', location: 'us-central1', functionUrls, variables: {} };
  for (const name of names) Object.assign(process.env, localEnv(functionEntry(name).env, context));
  return restore;
}
