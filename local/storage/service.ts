/**
 * The local Cloud Storage as a piece of the local cloud: starts the JSON API server, creates the
 * buckets it is handed (the local cloud hands it the manifest's), and tells function processes how
 * to reach it. In memory: each start is empty; `reset()` empties the buckets and keeps them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import type { StoreSnapshot } from './objects';
import { StorageServer } from './server';

export class StorageService implements LocalService {
  readonly name = 'storage';
  private server?: StorageServer;

  constructor(private readonly buckets: readonly string[]) {}

  /** The running server (tests and diagnostics). */
  get running(): StorageServer | undefined {
    return this.server;
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    if (this.server) throw new Error('storage: already started');
    const server = await StorageServer.start(context.port);
    this.server = server;
    if (context.restoreFrom) restoreObjects(server, context.restoreFrom);
    for (const bucket of this.buckets) if (!server.store.hasBucket(bucket)) server.store.createBucket(bucket);
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

  /** `objects.json` (buckets and metadata) and each object's bytes in `data/<n>`, in the order listed. */
  async save(dir: string): Promise<void> {
    const store = this.server?.store;
    if (!store) return;
    const snapshot = store.snapshot();
    fs.mkdirSync(path.join(dir, 'data'));
    let n = 0;
    for (const bucket of snapshot.buckets) {
      for (const object of bucket.objects) fs.writeFileSync(path.join(dir, 'data', String(n++)), store.get(bucket.name, object.name).data);
    }
    fs.writeFileSync(path.join(dir, 'objects.json'), JSON.stringify(snapshot));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}

function restoreObjects(server: StorageServer, dir: string): void {
  const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'objects.json'), 'utf8')) as StoreSnapshot;
  let n = 0;
  server.store.restore(snapshot, () => fs.readFileSync(path.join(dir, 'data', String(n++))));
}
