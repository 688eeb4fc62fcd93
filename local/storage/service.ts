/**
 * The local Cloud Storage as a piece of the local cloud: starts the JSON API server, creates the
 * buckets Terraform would create (`infra/accounts.tf`), and tells function processes how to reach
 * it. In memory: each start is empty; `reset()` empties the buckets and keeps them.
 */
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { StorageServer } from './server';

/** Buckets of System D, as the local cloud names them (Terraform prefixes the project id). */
export const LOCAL_BUCKETS = {
  accountImages: 'local-account-images',
  audioFiles: 'local-audio-files',
} as const;

export class StorageService implements LocalService {
  readonly name = 'storage';
  private server?: StorageServer;

  constructor(private readonly buckets: readonly string[] = Object.values(LOCAL_BUCKETS)) {}

  /** The running server (tests and diagnostics). */
  get running(): StorageServer | undefined {
    return this.server;
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    if (this.server) throw new Error('storage: already started');
    const server = await StorageServer.start(context.port);
    this.server = server;
    for (const bucket of this.buckets) server.store.createBucket(bucket);
    return {
      endpoint: server.url,
      // `@google-cloud/storage` takes this verbatim as the base URL of its JSON API calls, and
      // sends them without credentials (a custom endpoint is not authenticated by default).
      env: { STORAGE_EMULATOR_HOST: server.url },
    };
  }

  async reset(): Promise<void> {
    this.server?.store.clearObjects();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}
