/**
 * Runs the local BigQuery on its own: `node dist/local/bigquery/main.js [--port N]
 * [--project P]`, with the manifest's datasets provisioned. Prints the variables to export and
 * stops cleanly on Ctrl-C or SIGTERM.
 */
import { localDatasets } from '../wiring';
import { BigQueryService } from './service';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const port = Number(flag('port', process.env.BIGQUERY_PORT ?? '9050'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port / BIGQUERY_PORT: not a port: ${port}`);
  const projectId = flag('project', process.env.GOOGLE_CLOUD_PROJECT ?? 'local-project');
  const service = new BigQueryService({ datasets: localDatasets() });
  const started = await service.start({ projectId, location: 'us-central1', port, endpoints: {} });
  console.log(`local BigQuery for project ${projectId} at ${started.endpoint}`);
  for (const [key, value] of Object.entries(started.env)) console.log(`export ${key}=${value}`);
  const stop = (): void => {
    void service.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
