/**
 * `make alone FUNCTION=<name>` (`node dist/scripts/functionAlone.js <name> [--port=N]`): prints the
 * command that runs one function alone under the Functions Framework, the third way the kit is
 * used besides the deployed URLs and `make dev`, with the environment the running local cloud
 * gives that function (its emulators, other functions' URLs, its settings), so it behaves as it
 * does there. The function is then a second copy beside make dev's, on its own port, e.g. to run
 * it under a debugger (`node --inspect node_modules/.bin/functions-framework ...`).
 */
import * as fs from 'node:fs';
import { functionEntries, MANIFEST } from '../manifest/manifest';
import { repoPath } from '../local/paths';

/** The default port: outside make dev's block (8080 to 8080 + 10 + the functions). */
const DEFAULT_PORT = 8180;

/** The shell command, one variable per line, that runs `name` alone with `env` on `port`. */
export function aloneCommand(name: string, env: Record<string, string>, port: number): string {
  const definition = MANIFEST.functions[name];
  if (!definition)
    throw new Error(
      `no function ${name}; the functions are ${functionEntries()
        .map((f) => f.name)
        .join(', ')}`,
    );
  const variables = Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${shellQuote(value)}`);
  const framework = `npx functions-framework --target=${name} --signature-type=http --source=dist/${definition.source}.js --port=${port}`;
  return ['env', ...variables, framework].join(' \\\n  ');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(argv: string[]): Promise<void> {
  const name = argv.find((a) => !a.startsWith('--'));
  const portArg = argv.find((a) => a.startsWith('--port='));
  const port = portArg ? Number(portArg.slice('--port='.length)) : DEFAULT_PORT;
  if (!name || !Number.isInteger(port))
    throw new Error('usage: make alone FUNCTION=<name> (node dist/scripts/functionAlone.js <name> [--port=N])');
  const file = process.env.LOCAL_ENDPOINTS_FILE || repoPath('.local', 'endpoints.json');
  if (!fs.existsSync(file))
    throw new Error(`${file} does not exist: start the local cloud first (make dev); the function needs its emulators`);
  const { control } = JSON.parse(fs.readFileSync(file, 'utf8')) as { control: string };
  let res: Response;
  try {
    res = await fetch(`${control}/functions/${encodeURIComponent(name)}/env`);
  } catch {
    throw new Error(`the local cloud of ${file} is not running (no answer at ${control}): start it with make dev`);
  }
  const body = (await res.json()) as Record<string, string> & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `the control server answered ${res.status}`);
  process.stdout.write(`# ${name} alone under the Functions Framework, with the environment make dev gives it:\n`);
  process.stdout.write(`${aloneCommand(name, body, port)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`functionAlone: ${err.message}\n`);
    process.exitCode = 1;
  });
}
