import type { PubSub } from '@google-cloud/pubsub';
import { projectId } from '../config';

let instance: PubSub | undefined;

/**
 * The Pub/Sub client, created (and its library, with the gRPC stack, loaded) on first use, so
 * only functions that publish pay for it. With `PUBSUB_EMULATOR_HOST` set (the local cloud's
 * emulator, `host:port`) the library talks plain-text gRPC to it and looks for no credentials.
 */
export function pubsub(): PubSub {
  if (!instance) {
    const { PubSub: Client } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
    instance = new Client({ projectId: projectId() });
  }
  return instance;
}
