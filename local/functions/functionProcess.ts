import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployName, type FunctionEntry } from '../../manifest/manifest';
import { repoPath } from '../paths';
import { ProcessGroup } from '../processGroup';
import { StartupFailed } from '../waitFor';

/**
 * One function running under the Functions Framework in its own Node process, exactly as the
 * cloud runs it: its own module as the source, its own environment, its own port.
 */
export class FunctionProcess {
  private constructor(
    /** The port the framework listens on (127.0.0.1), behind the function's fault proxy. */
    readonly port: number,
    private readonly group: ProcessGroup,
  ) {}

  static async start(
    definition: Pick<FunctionEntry, 'name' | 'source'>,
    options: { env: Record<string, string>; logFile: string; echo?: boolean },
  ): Promise<FunctionProcess> {
    const source = repoPath('dist', `${definition.source}.js`);
    if (!fs.existsSync(source)) throw new Error(`${source} does not exist: run \`make build\` first`);
    // The package's `exports` hide main.js; it sits beside the entry module.
    const main = path.join(path.dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
    // `--port=0` and the preload: the kernel picks the port and the child reports it (see loopbackListen.ts).
    const preload = path.join(__dirname, 'loopbackListen.js');
    const group = ProcessGroup.start(
      definition.name,
      process.execPath,
      ['--require', preload, main, `--target=${definition.name}`, '--signature-type=http', `--source=${source}`, '--port=0'],
      {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        cwd: repoPath(),
        env: {
          ...process.env,
          ...options.env,
          K_SERVICE: deployName(definition.name),
          FUNCTION_TARGET: definition.name,
        },
      },
    );
    copyOutput(group, options.logFile, options.echo ? definition.name : undefined);
    try {
      // The framework listens only once the module has loaded, so listening means ready.
      const port = await listeningPort(group, 30_000);
      group.child.disconnect();
      return new FunctionProcess(port, group);
    } catch (err) {
      void group.stop();
      const tail = fs.existsSync(options.logFile) ? fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new StartupFailed(`function ${definition.name} ${(err as Error).message}; its log (${options.logFile}) ends with:\n${tail}`);
    }
  }

  async stop(): Promise<void> {
    await this.group.stop(3000);
  }
}

/** Appends the child's output to its log file and, in `make dev`, echoes it with a name prefix. */
function copyOutput(group: ProcessGroup, logFile: string, prefix: string | undefined): void {
  const file = fs.createWriteStream(logFile, { flags: 'a' });
  for (const stream of [group.child.stdout, group.child.stderr]) {
    stream?.pipe(file, { end: false });
    if (prefix) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(`[${prefix}] ${line}\n`);
      });
    }
  }
}

/** The port the child reports once it listens; rejects if it exits first or takes too long. */
function listeningPort(group: ProcessGroup, timeoutMs: number): Promise<number> {
  const child = group.child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`did not listen within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { event?: string; port?: number }): void => {
      if (message?.event === 'listening' && typeof message.port === 'number') finish(undefined, message.port);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`exited during start-up (${signal ?? `code ${code}`})`));
    function finish(err: Error | undefined, port?: number): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(port!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (!group.running) finish(new Error('exited during start-up'));
  });
}
