import type { FaultPlan } from './faults/faultPlan';

/**
 * The contract every piece of the local cloud implements (the Firestore emulator, the local
 * BigQuery, the Workflows engine, the local Cloud Storage), so the orchestrator in
 * `local/cloud.ts` can start them side by side, wipe them on `POST /reset`, and stop them on
 * Ctrl-C without knowing what each one is.
 */
export interface LocalService {
  /** Short key, used in `.local/endpoints.json` and in the printed table. */
  readonly name: string;
  /** Starts the service on 127.0.0.1 and resolves once it answers requests. */
  start(context: LocalServiceContext): Promise<StartedService>;
  /** Deletes every piece of data the service holds; the service keeps running. */
  reset(): Promise<void>;
  /**
   * Writes every piece of data the service holds into `dir` (which exists and is empty), for a
   * later `start` with `restoreFrom: dir`: `make dev` with `LOCAL_CLOUD_DATA`, on Ctrl-C or
   * SIGTERM, as the Firebase emulators' `--export-on-exit` does. A service without one keeps
   * nothing between runs.
   */
  save?(dir: string): Promise<void>;
  /** Stops the service and every process it started. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalServiceContext {
  /** The fake project id the whole local cloud runs as. */
  projectId: string;
  /** The location Workflows resources live in locally (e.g. `us-central1`). */
  location: string;
  /** The port on 127.0.0.1 for this service; 0 = any free port (servers bind it; child processes pick one with `freePort`). */
  port: number;
  /** Endpoints of the services started before this one (the Workflows engine needs Firestore's and BigQuery's). */
  endpoints: Record<string, string>;
  /** The control server's fault plan, for services that apply faults armed for them by name. */
  faults?: FaultPlan;
  /** A folder a previous `save()` wrote: start with its data rather than empty. */
  restoreFrom?: string;
}

export interface StartedService {
  /**
   * What goes in `.local/endpoints.json` under the service's name: a base URL
   * (`http://127.0.0.1:PORT`), or `host:port` where the standard emulator variable wants that.
   */
  endpoint: string;
  /** Environment variables a function process needs to reach this service (e.g. `FIRESTORE_EMULATOR_HOST`). */
  env: Record<string, string>;
  /** Extra keys for `.local/endpoints.json` (e.g. `bigquery_dataset`). */
  extra?: Record<string, string>;
}

/** Where everything a local cloud runs answers (`.local/endpoints.json`). */
export interface Endpoints {
  project: string;
  location: string;
  functions: Record<string, string>;
  /** The front door: `<gateway>/<function>/<path>` reaches that function as `/<path>`. */
  gateway: string;
  control: string;
  [service: string]: unknown;
}
