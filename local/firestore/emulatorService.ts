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
      command: emulatorCommand,
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

  async stop(): Promise<void> {
    await this.group?.stop();
  }
}

function emulatorCommand(port: number): { command: string; args: string[] } {
  const script = sdkComponentPath('cloud-firestore-emulator', 'cloud_firestore_emulator');
  if (script) return { command: script, args: ['start', '--host=127.0.0.1', `--port=${port}`, '--database-mode=firestore-native'] };
  return { command: 'gcloud', args: ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`] };
}
