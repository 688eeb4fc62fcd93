import type { ExecutionsClient } from '@google-cloud/workflows';
import { emulatorAuthClient } from './localAuth';

let instance: ExecutionsClient | undefined;

/**
 * The Workflows Executions client in its REST mode (`fallback: true`): no gRPC stack to load at
 * cold start, and the same mode works against the cloud and against the local engine. With
 * `WORKFLOWS_EMULATOR_HOST` (`host:port`, set by the local cloud) it talks plain HTTP to the
 * local Workflows engine with a fixed-token auth client.
 */
export function executionsClient(): ExecutionsClient {
  if (!instance) {
    const { ExecutionsClient: Client } = require('@google-cloud/workflows') as typeof import('@google-cloud/workflows');
    const emulator = process.env.WORKFLOWS_EMULATOR_HOST;
    if (emulator) {
      const [host, port] = emulator.split(':');
      instance = new Client({
        fallback: true,
        apiEndpoint: host,
        port: Number(port),
        protocol: 'http',
        authClient: emulatorAuthClient(),
      } as never);
    } else {
      instance = new Client({ fallback: true });
    }
  }
  return instance;
}
