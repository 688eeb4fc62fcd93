import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployName, type FunctionDefinition } from '../../functions/catalog';
import { repoPath } from '../paths';
import { ProcessGroup } from '../processGroup';
import { acceptsConnections, StartupFailed, waitFor } from '../waitFor';

/**
 * One function running under the Functions Framework in its own Node process, exactly as the
 * cloud runs it: its own module as the source, its own environment, its own port.
 */
export class FunctionProcess {
  private constructor(
    readonly definition: FunctionDefinition,
    readonly url: string,
    private readonly group: ProcessGroup,
  ) {}

  static async start(
    definition: FunctionDefinition,
    options: { port: number; env: Record<string, string>; logFile: string; echo?: boolean },
  ): Promise<FunctionProcess> {
    const source = repoPath('dist', `${definition.source}.js`);
    if (!fs.existsSync(source)) throw new Error(`${source} does not exist: run \`make build\` first`);
    // The package's `exports` hide main.js; it sits beside the entry module.
    const main = path.join(path.dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
    const group = ProcessGroup.start(definition.name, process.execPath, [main, `--target=${definition.name}`, '--signature-type=http', `--source=${source}`, `--port=${options.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: repoPath(),
      env: {
        ...process.env,
        ...options.env,
        K_SERVICE: deployName(definition.name),
        FUNCTION_TARGET: definition.name,
      },
    });
    copyOutput(group, options.logFile, options.echo ? definition.name : undefined);
    const url = `http://127.0.0.1:${options.port}`;
    await waitFor(`function ${definition.name}`, async () => {
      if (!group.running) {
        const tail = fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n');
        throw new StartupFailed(`function ${definition.name} exited during start-up; its log (${options.logFile}) ends with:\n${tail}`);
      }
      // The framework listens only once the module has loaded, so a connection means ready.
      return acceptsConnections(options.port);
    }, 30_000, 50).catch((err) => {
      void group.stop();
      throw err;
    });
    return new FunctionProcess(definition, url, group);
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
