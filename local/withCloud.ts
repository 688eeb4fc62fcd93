import { spawn } from 'node:child_process';
import { LocalCloud } from './cloud';
import { repoPath } from './paths';

/**
 * `node dist/local/withCloud.js <command...>`: starts a local cloud on free ports, runs the
 * command with `LOCAL_CLOUD_ENDPOINTS` pointing at its endpoints file and the standard emulator
 * variables set (so client libraries in the tests reach the same emulators), stops the cloud, and exits
 * with the command's status. This is how `make test` runs the emulator and end-to-end suites
 * without a `make dev` running, and without colliding with one that is.
 */
async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: withCloud <command> [args...]');
  const cloud = await LocalCloud.start({
    logDir: repoPath('.local', 'test-logs'),
    // End-to-end tests must not wait three minutes in `process`.
    functionEnv: { PROCESS_DELAY_SECONDS: process.env.PROCESS_DELAY_SECONDS ?? '2' },
  });
  const file = repoPath('.local', 'test-endpoints.json');
  cloud.writeEndpoints(file);
  try {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...cloud.serviceEnv, LOCAL_CLOUD_ENDPOINTS: file } });
    const stopChild = (): void => {
      child.kill('SIGTERM');
    };
    process.on('SIGINT', stopChild);
    process.on('SIGTERM', stopChild);
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await cloud.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`withCloud: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
