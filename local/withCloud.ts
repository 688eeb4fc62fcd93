import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalCloud } from './cloud';
import { repoPath } from './paths';

/**
 * `node dist/local/withCloud.js <command...>`: starts a local cloud on free ports, runs the
 * command with `LOCAL_CLOUD_ENDPOINTS` pointing at its endpoints file and the standard emulator
 * variables set (so client libraries in the tests reach the same emulators), stops the cloud, and exits
 * with the command's status. This is how `make test` runs the emulator and end-to-end suites
 * without a `make dev` running, and without colliding with one that is.
 *
 * Each run has its own folder, `.local/test-runs/<pid>/` (endpoints file and function logs), so
 * two runs at once (two terminals, two engineers on one machine) never read each other's
 * endpoints. The folder is removed when the command succeeds and kept, with its path printed,
 * when it fails: the function logs are where a failing end-to-end test is explained.
 */
async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: withCloud <command> [args...]');
  const runDir = repoPath('.local', 'test-runs', String(process.pid));
  fs.rmSync(runDir, { recursive: true, force: true });
  const logDir = path.join(runDir, 'logs');
  const cloud = await LocalCloud.start({
    logDir,
    // End-to-end tests must not wait three minutes in `process`.
    settings: { PROCESS_DELAY_SECONDS: process.env.PROCESS_DELAY_SECONDS ?? '2' },
  });
  const file = path.join(runDir, 'endpoints.json');
  cloud.writeEndpoints(file);
  let code = 1;
  try {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, ...cloud.serviceEnv, LOCAL_CLOUD_ENDPOINTS: file, LOCAL_CLOUD_LOGS: logDir },
    });
    const stopChild = (): void => {
      child.kill('SIGTERM');
    };
    process.on('SIGINT', stopChild);
    process.on('SIGTERM', stopChild);
    code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
    return code;
  } finally {
    await cloud.stop();
    if (code === 0) fs.rmSync(runDir, { recursive: true, force: true });
    else console.error(`withCloud: the local cloud's function logs are in ${path.relative(process.cwd(), logDir)}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`withCloud: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
