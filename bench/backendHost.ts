import { freePort } from '../local/ports';
import { PubSubEmulatorService } from '../local/pubsub/emulatorService';
import { StorageService } from '../local/storage/service';
import { localBuckets, localPubSub } from '../local/wiring';
import { WorkflowsService } from '../local/workflows/service';

/**
 * `node dist/bench/backendHost.js <workflowId>...`: the in-process services of the local cloud
 * the benchmarked functions call (Cloud Storage, the Workflows engine) in a process of their
 * own, so neither the load generator's nor the bare client's event loop is shared with them,
 * and the Pub/Sub emulator with the manifest's topics (no push subscriptions: the bench measures
 * the publish, not the delivery).
 * Each workflow named is deployed as a one-step workflow that returns at once: the bench
 * measures the path to the function's answer (an execution created), not the execution's work.
 * Prints the services' environment as one JSON line on stdout once they answer; runs until killed.
 */
async function main(): Promise<void> {
  const context = { projectId: process.env.GOOGLE_CLOUD_PROJECT ?? 'bench-project', location: 'us-central1', port: 0, endpoints: {} };
  const storage = new StorageService(localBuckets(context.projectId));
  const workflows = new WorkflowsService();
  const pubsub = new PubSubEmulatorService();
  const env = {
    ...(await storage.start(context)).env,
    ...(await workflows.start(context)).env,
    ...(await pubsub.start({ ...context, port: await freePort() })).env,
  };
  await pubsub.declare(localPubSub({}));
  for (const workflowId of process.argv.slice(2)) {
    await workflows.deployWorkflow({ workflowId, source: 'main:\n  steps:\n    - done:\n        return: "ok"\n' });
  }
  process.stdout.write(JSON.stringify(env) + '\n');
  const stop = (): void => void Promise.all([storage.stop(), workflows.stop(), pubsub.stop()]).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
