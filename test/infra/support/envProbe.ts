/**
 * Run as a child process: `node envProbe.js <module> <env JSON>`. Loads the function module (as
 * the framework does at cold start) with exactly that environment, and prints the names of the
 * environment variables code under `functions/` read while loading, as a JSON array. Reads by
 * libraries (the framework, the Google clients) are not counted: they are not the kit's to declare.
 */
import * as path from 'node:path';

const [source, envJson] = process.argv.slice(2);
const compiledRoot = path.resolve(__dirname, '..', '..', '..');
const functionsDir = path.join(compiledRoot, 'functions') + path.sep;
const reads = new Set<string>();

/** Whether the code touching process.env right now is the kit's own function code. */
function readByFunctionCode(): boolean {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const caller = frames.find((frame) => !frame.includes(__filename));
  return caller !== undefined && caller.includes(functionsDir);
}

const env: Record<string, string | undefined> = { PATH: process.env.PATH, NODE_PATH: process.env.NODE_PATH, ...JSON.parse(envJson) };
process.env = new Proxy(env, {
  get(target, key) {
    if (typeof key === 'string' && readByFunctionCode()) reads.add(key);
    return target[key as string];
  },
  has(target, key) {
    if (typeof key === 'string' && readByFunctionCode()) reads.add(key);
    return key in target;
  },
}) as NodeJS.ProcessEnv;

try {
  require(path.join(compiledRoot, source));
} catch (err) {
  process.stderr.write(`${source} did not load: ${(err as Error).message}\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify([...reads].sort()));
