import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { assertPortFree, freePort } from '../ports';
import { ProcessGroup } from '../processGroup';
import { answersHttp, StartupFailed, waitFor } from '../waitFor';

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
    // A child process needs its port up front: pick one when any will do, else check the one given.
    const port = context.port === 0 ? await freePort() : context.port;
    if (context.port !== 0) await assertPortFree(port);
    const host = `127.0.0.1:${port}`;
    const { command, args } = emulatorCommand(port);
    const output = this.logFile ? fs.openSync(this.logFile, 'a') : 'ignore';
    this.group = ProcessGroup.start('firestore-emulator', command, args, { stdio: ['ignore', output, output] });
    this.base = `http://${host}`;
    await waitFor(
      'the Firestore emulator',
      async () => {
        if (!this.group?.running) throw new StartupFailed('the Firestore emulator exited during start-up');
        return answersHttp(this.base + '/');
      },
      90_000,
      200,
    );
    return { endpoint: host, env: { FIRESTORE_EMULATOR_HOST: host } };
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
  const script = findEmulatorScript();
  if (script) return { command: script, args: ['start', '--host=127.0.0.1', `--port=${port}`, '--database-mode=firestore-native'] };
  return { command: 'gcloud', args: ['emulators', 'firestore', 'start', `--host-port=127.0.0.1:${port}`] };
}

function findEmulatorScript(): string | undefined {
  try {
    const gcloud = fs.realpathSync(execFileSync('which', ['gcloud'], { encoding: 'utf8' }).trim());
    const script = path.join(path.dirname(gcloud), '..', 'platform', 'cloud-firestore-emulator', 'cloud_firestore_emulator');
    return fs.existsSync(script) ? script : undefined;
  } catch {
    return undefined;
  }
}
