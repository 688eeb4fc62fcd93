import * as path from 'node:path';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { sdkComponentPath, startEmulator } from '../emulatorProcess';
import type { ProcessGroup } from '../processGroup';

/**
 * The Firestore emulator that ships with the Google Cloud SDK, as a local service. It runs the
 * SDK's `cloud_firestore_emulator` script directly when it can find it (a second faster than
 * going through `gcloud`), always in its own process group so its Java child stops with it.
 */
export class FirestoreEmulatorService implements LocalService {
  readonly name = 'firestore';
  private group?: ProcessGroup;
  private base = '';
  private projectId = '';

  constructor(private readonly logFile?: string) {}

  async start(context: LocalServiceContext): Promise<StartedService> {
    this.projectId = context.projectId;
    const emulator = await startEmulator({
      title: 'the Firestore emulator',
      name: 'firestore-emulator',
      port: context.port,
      command: (port) => emulatorCommand(port, context.restoreFrom && exportMetadata(context.restoreFrom)),
      logFile: this.logFile,
    });
    this.group = emulator.group;
    this.base = `http://${emulator.host}`;
    return { endpoint: emulator.host, env: { FIRESTORE_EMULATOR_HOST: emulator.host } };
  }

  /** Wipes every document of the project (the emulator's own REST hook). */
  async reset(): Promise<void> {
    const res = await fetch(`${this.base}/emulator/v1/projects/${this.projectId}/databases/(default)/documents`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`Firestore emulator reset failed: ${res.status} ${await res.text()}`);
  }

  /** The emulator's own export (what `gcloud firestore export` writes), which `--import-data` reads back at the next start. */
  async save(dir: string): Promise<void> {
    const res = await fetch(`${this.base}/emulator/v1/projects/${this.projectId}:export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ database: `projects/${this.projectId}/databases/(default)`, export_directory: dir, export_name: EXPORT_NAME }),
    });
    if (!res.ok) throw new Error(`Firestore emulator export failed: ${res.status} ${await res.text()}`);
  }

  async stop(): Promise<void> {
    await this.group?.stop();
  }
}

/** The export's folder (and metadata file) name inside a save. */
const EXPORT_NAME = 'firestore';

function exportMetadata(dir: string): string {
  return path.join(dir, EXPORT_NAME, `${EXPORT_NAME}.overall_export_metadata`);
}

function emulatorCommand(port: number, importFrom: string | undefined): { command: string; args: string[] } {
  const importArgs = importFrom ? [`--import-data=${importFrom}`] : [];
  const script = sdkComponentPath('cloud-firestore-emulator', 'cloud_firestore_emulator');
  if (script)
    return { command: script, args: ['start', '--host=127.0.0.1', `--port=${port}`, '--database-mode=firestore-native', ...importArgs] };
  return { command: 'gcloud', args: ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`, ...importArgs] };
}
