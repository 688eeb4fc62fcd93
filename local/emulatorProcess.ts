import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertPortFree, freePort } from './ports';
import { ProcessGroup } from './processGroup';
import { answersHttp, StartupFailed, waitFor } from './waitFor';

/**
 * An emulator of the Google Cloud SDK (Firestore's, Pub/Sub's: Java under a launcher script) as a
 * child process of the local cloud: on a port picked up front (a child cannot report the one it
 * bound), in its own process group so its Java child stops with it, ready once it answers HTTP.
 */
export interface RunningEmulator {
  group: ProcessGroup;
  port: number;
  /** `127.0.0.1:PORT`, the form the SDK's emulator variables take. */
  host: string;
}

export async function startEmulator(options: {
  /** Said in errors: "the Pub/Sub emulator". */
  title: string;
  name: string;
  /** 0: any free port. */
  port: number;
  command: (port: number) => { command: string; args: string[] };
  logFile?: string;
  /** Startup of a JVM on a busy 2-core machine can take a while. */
  timeoutMs?: number;
}): Promise<RunningEmulator> {
  const port = options.port === 0 ? await freePort() : options.port;
  if (options.port !== 0) await assertPortFree(port);
  const { command, args } = options.command(port);
  const output = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const group = ProcessGroup.start(options.name, command, args, { stdio: ['ignore', output, output] });
  const host = `127.0.0.1:${port}`;
  try {
    await waitFor(
      options.title,
      async () => {
        if (!group.running) throw new StartupFailed(`${options.title} exited during start-up`);
        return answersHttp(`http://${host}/`);
      },
      options.timeoutMs ?? 90_000,
      200,
    );
  } catch (err) {
    await group.stop();
    throw err;
  }
  return { group, port, host };
}

/** A file of an installed Cloud SDK component (`platform/pubsub-emulator/bin/...`), found from `gcloud` on the PATH. */
export function sdkComponentPath(...segments: string[]): string | undefined {
  try {
    const gcloud = fs.realpathSync(execFileSync('which', ['gcloud'], { encoding: 'utf8' }).trim());
    const file = path.join(path.dirname(gcloud), '..', 'platform', ...segments);
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}
