import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../local/paths';
import { freePort } from '../local/ports';
import { acceptsConnections } from '../local/waitFor';
import { functionEntry } from '../manifest/manifest';

/** A function's module as the manifest has it (`functions/tags/tagStats`), so a moved module cannot leave the bench behind. */
export function catalogSource(name: string): string {
  return functionEntry(name).source;
}

/**
 * A function started the way the cloud starts one (a fresh Node process running the Functions
 * Framework on the function's module) for benchmarks: when it was spawned, its URL, its peak RSS.
 */
export class FunctionUnderTest {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    readonly spawnedAt: bigint,
  ) {}

  static async start(target: string, source: string, env: Record<string, string>): Promise<FunctionUnderTest> {
    const port = await freePort();
    const main = path.join(path.dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
    const spawnedAt = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [main, `--target=${target}`, '--signature-type=http', `--source=${repoPath('dist', source + '.js')}`, `--port=${port}`],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, METADATA_SERVER_DETECTION: 'none', NODE_ENV: 'production', ...env },
      },
    );
    const fn = new FunctionUnderTest(`http://127.0.0.1:${port}`, child, spawnedAt);
    // Poll the port as fast as is reasonable: the first connection is the earliest a request can be answered.
    while (!(await acceptsConnections(port))) {
      if (child.exitCode !== null) throw new Error(`${target} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return fn;
  }

  /** Milliseconds from spawn to now. */
  sinceSpawnMs(): number {
    return Number(process.hrtime.bigint() - this.spawnedAt) / 1e6;
  }

  /** Peak resident memory of the process so far (Linux VmHWM), in MiB. */
  peakRssMiB(): number {
    const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  }

  /** CPU time (user + system) the process has used so far, in seconds (Linux `/proc/<pid>/stat`, 10 ms ticks). */
  cpuSeconds(): number {
    return processCpuSeconds(this.child.pid!);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** CPU time (user + system) process `pid` has used, in seconds. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ, 100 on every Linux the kit runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
