import * as path from 'node:path';
import { integer } from '../functions/shared/config';
import { LocalCloud } from './cloud';
import { repoPath } from './paths';
import { settingNames } from './wiring';

/**
 * `make dev`: the whole local cloud in the foreground. Prints the URLs, writes
 * `.local/endpoints.json`, and stops every child (the emulator's Java included) on Ctrl-C or
 * SIGTERM. `LOCAL_CLOUD_PORT` (default 8080) is the control server's port; the services and the
 * functions take the ports after it, so URLs stay the same from one run to the next.
 * `LOCAL_ENDPOINTS_FILE` moves the endpoints file (the lifecycle test uses it to leave a
 * developer's `.local/endpoints.json` alone). `LOCAL_CLOUD_DATA=<dir>` keeps the data between
 * runs: Firestore, BigQuery, Storage and the Workflows executions start from what the last run
 * saved there and are saved there again on Ctrl-C or SIGTERM; without it every start is empty.
 */
async function main(): Promise<void> {
  const basePort = integer('LOCAL_CLOUD_PORT', { default: 8080, min: 1024, max: 65000 });
  const started = Date.now();
  console.log('Starting the local cloud...');
  const dataDir = process.env.LOCAL_CLOUD_DATA ? path.resolve(process.env.LOCAL_CLOUD_DATA) : undefined;
  if (dataDir) console.log(`Data kept in ${dataDir} (restored now, saved on Ctrl-C).`);
  const cloud = await LocalCloud.start({ basePort, echoLogs: true, settings: devSettings(), dataDir });
  const file = process.env.LOCAL_ENDPOINTS_FILE || repoPath('.local', 'endpoints.json');
  cloud.writeEndpoints(file);
  printTable(cloud, Date.now() - started, file);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local cloud${cloudDataNote(dataDir)}...`);
    cloud.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (err: Error) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function cloudDataNote(dataDir: string | undefined): string {
  return dataDir ? ` and saving its data in ${dataDir}` : '';
}

/**
 * Pass-through of the settings a developer may change locally (`PROCESS_DELAY_SECONDS=5 make dev`,
 * `NODES=... make dev`): every variable the manifest ties to a Terraform variable.
 */
function devSettings(): Record<string, string> {
  return Object.fromEntries(
    settingNames()
      .filter((n) => process.env[n])
      .map((n) => [n, process.env[n]!]),
  );
}

function printTable(cloud: LocalCloud, ms: number, file: string): void {
  const { functions, gateway, ...rest } = cloud.endpoints;
  // The front door first: one base URL for every function, and the docs page served there.
  const rows: [string, string][] = [
    ['gateway', `${gateway}/<function>/<path>`],
    ['docs page', `${gateway}/docs/`],
    ...Object.entries(functions).map(([name, url]): [string, string] => [name, url]),
    ...Object.entries(rest).map(([name, value]): [string, string] => [name, String(value)]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\nLocal cloud ready in ${(ms / 1000).toFixed(1)} s (endpoints in ${file}):\n`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  console.log('\nCtrl-C stops everything.\n');
}

main().catch((err: Error) => {
  console.error(`The local cloud failed to start: ${err.message}`);
  process.exit(1);
});
