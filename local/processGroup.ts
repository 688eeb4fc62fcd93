import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/**
 * A child process started in its own process group, so stopping it stops everything it started
 * too. Why: the gcloud emulator launcher is a Python script that starts a shell script that
 * starts Java; killing only the launcher leaves the Java process running.
 */
export class ProcessGroup {
  private exited = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  static start(name: string, command: string, args: string[], options: SpawnOptions): ProcessGroup {
    const child = spawn(command, args, { ...options, detached: true });
    return new ProcessGroup(name, child);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** SIGTERM to the whole group, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const exited = once(this.child, 'exit').catch(() => undefined);
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child.pid!, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // The leader may exit before its children (Java under the emulator script): finish them off.
    signalGroup(this.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
