import * as fs from 'node:fs';
import { repoPath } from '../../local/paths';

/** The endpoints document of the local cloud the cloud-tier tests run against. */
export interface LocalEndpoints {
  project: string;
  location: string;
  functions: Record<string, string>;
  gateway: string;
  control: string;
  firestore: string;
  [key: string]: unknown;
}

let cached: LocalEndpoints | undefined;

/**
 * Reads `LOCAL_CLOUD_ENDPOINTS` (set by `local/withCloud.ts`, i.e. `make test`). Fails fast when
 * unset: emulator and end-to-end tests are meaningless without a running local cloud.
 */
export function localEndpoints(): LocalEndpoints {
  if (cached) return cached;
  const file = process.env.LOCAL_CLOUD_ENDPOINTS;
  if (!file)
    throw new Error(
      'LOCAL_CLOUD_ENDPOINTS is not set: run these tests with `make test` (or `make test-cloud`), which starts a local cloud',
    );
  cached = JSON.parse(fs.readFileSync(file, 'utf8')) as LocalEndpoints;
  return cached;
}

/**
 * The folder of the local cloud's logs: the run's own under `make test` (`LOCAL_CLOUD_LOGS`, set by
 * `local/withCloud.ts` and kept when a test fails), else make dev's `.local/logs`.
 */
export function localLogDir(): string {
  return process.env.LOCAL_CLOUD_LOGS || repoPath('.local', 'logs');
}

/** Arms a fault in front of a function (see local/control/controlServer.ts). */
export async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${localEndpoints().control}/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (res.status !== 201) throw new Error(`fault not armed: ${res.status} ${await res.text()}`);
}

/** Disarms every fault; throws if the control server did not, so no fault leaks into the next test. */
export async function clearFaults(): Promise<void> {
  const res = await fetch(`${localEndpoints().control}/faults`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`faults not cleared: ${res.status} ${await res.text()}`);
}
