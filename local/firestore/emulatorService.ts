import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { sdkComponentPath, startEmulator } from '../emulatorProcess';
import type { ProcessGroup } from '../processGroup';

/** The project's default database: always kept, beside the ones the emulator is handed. */
const DEFAULT_DATABASE = '(default)';

/**
 * The Firestore emulator that ships with the Google Cloud SDK, as a local service. It runs the
 * SDK's `cloud_firestore_emulator` script directly when it can find it (a second faster than
 * going through `gcloud`), always in its own process group so its Java child stops with it.
 *
 * The emulator serves any database id a client names, so the databases need no creation; it is
 * handed their ids only to save, restore and reset them, because its export, import and reset
 * hooks each work on one database.
 */
export class FirestoreEmulatorService implements LocalService {
  readonly name = 'firestore';
  private group?: ProcessGroup;
  private base = '';
  private projectId = '';
  private readonly databases: string[];

  constructor(
    private readonly logFile?: string,
    databases: readonly string[] = [],
  ) {
    this.databases = [DEFAULT_DATABASE, ...databases.filter((d) => d !== DEFAULT_DATABASE)];
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    this.projectId = context.projectId;
    const emulator = await startEmulator({
      title: 'the Firestore emulator',
      name: 'firestore-emulator',
      port: context.port,
      command: (port) => emulatorCommand(port),
      logFile: this.logFile,
    });
    this.group = emulator.group;
    this.base = `http://${emulator.host}`;
    if (context.restoreFrom) await this.restore(context.restoreFrom);
    return { endpoint: emulator.host, env: { FIRESTORE_EMULATOR_HOST: emulator.host } };
  }

  /** Wipes every document of every database (the emulator's own REST hook, one database at a time). */
  async reset(): Promise<void> {
    for (const database of this.databases) {
      const res = await fetch(`${this.base}/emulator/v1/projects/${this.projectId}/databases/${database}/documents`, { method: 'DELETE' });
      if (!res.ok) throw new Error(`Firestore emulator reset of ${database} failed: ${res.status} ${await res.text()}`);
    }
  }

  /** The emulator's own export (what `gcloud firestore export` writes) of each database, into `<dir>/<database>/`. */
  async save(dir: string): Promise<void> {
    for (const database of this.databases) {
      await this.call(':export', {
        database: this.databasePath(database),
        export_directory: dir,
        export_name: exportName(database),
      });
    }
  }

  async stop(): Promise<void> {
    await this.group?.stop();
  }

  /** Imports each database a previous `save` wrote (a database added since has nothing to import). */
  private async restore(dir: string): Promise<void> {
    for (const database of this.databases) {
      const metadata = path.join(dir, exportName(database), `${exportName(database)}.overall_export_metadata`);
      if (!fs.existsSync(metadata)) continue;
      // The import hook takes the metadata file's path in `export_directory`.
      await this.call(':import', { database: this.databasePath(database), export_directory: metadata });
    }
  }

  private databasePath(database: string): string {
    return `projects/${this.projectId}/databases/${database}`;
  }

  private async call(verb: ':export' | ':import', body: Record<string, string>): Promise<void> {
    const res = await fetch(`${this.base}/emulator/v1/projects/${this.projectId}${verb}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Firestore emulator ${verb.slice(1)} of ${body.database} failed: ${res.status} ${await res.text()}`);
  }
}

/** The folder (and metadata file) name of one database's export inside a save. */
function exportName(database: string): string {
  return database === DEFAULT_DATABASE ? 'default' : database;
}

function emulatorCommand(port: number): { command: string; args: string[] } {
  const script = sdkComponentPath('cloud-firestore-emulator', 'cloud_firestore_emulator');
  if (script) return { command: script, args: ['start', '--host=127.0.0.1', `--port=${port}`, '--database-mode=firestore-native'] };
  return { command: 'gcloud', args: ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`] };
}
