/**
 * Starts the local Workflows engine on its own, for debugging:
 *
 *   node .build/local/workflows/main.js [--port 8090] [--project local-project] [--location us-central1]
 *     [--firestore 127.0.0.1:8080] [--bigquery http://127.0.0.1:9050] [--storage http://127.0.0.1:9060]
 *     [--pubsub 127.0.0.1:8085] [--deploy id=path/to/workflow.yaml ...]
 *     [--env KEY=VALUE ...]
 */
import * as fs from 'node:fs';
import { WorkflowsService } from './service';

function flags(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new Error(`--${m[1]} needs a value`);
    out.set(m[1], [...(out.get(m[1]) ?? []), v]);
  }
  return out;
}

async function main(): Promise<void> {
  const f = flags(process.argv.slice(2));
  const one = (k: string, d: string): string => f.get(k)?.[0] ?? d;
  const endpoints: Record<string, string> = {};
  if (f.has('firestore') || process.env.FIRESTORE_EMULATOR_HOST)
    endpoints.firestore = one('firestore', process.env.FIRESTORE_EMULATOR_HOST ?? '');
  if (f.has('bigquery')) endpoints.bigquery = one('bigquery', '');
  if (f.has('storage')) endpoints.storage = one('storage', '');
  if (f.has('pubsub') || process.env.PUBSUB_EMULATOR_HOST) endpoints.pubsub = one('pubsub', process.env.PUBSUB_EMULATOR_HOST ?? '');
  const service = new WorkflowsService();
  const started = await service.start({
    projectId: one('project', 'local-project'),
    location: one('location', 'us-central1'),
    port: Number(one('port', '8090')),
    endpoints,
  });
  const env = Object.fromEntries((f.get('env') ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  for (const d of f.get('deploy') ?? []) {
    const [id, file] = d.split('=');
    await service.deployWorkflow({ workflowId: id, source: fs.readFileSync(file, 'utf8'), userEnvVars: env });
    process.stdout.write(`deployed ${id} from ${file}\n`);
  }
  process.stdout.write(`local Workflows engine at ${started.endpoint} (${service.engine.parent})\n`);
  const stop = (): void => void service.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
