import { firestore } from '../shared/clients/firestore';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { readCollections, readDeliveryTopics, readSweeperConfig } from './config';
import { DeliveryStore } from './deliveryStore';
import { DeliveryPublisher } from './publisher';

const collections = readCollections();
const config = readSweeperConfig();
const publisher = new DeliveryPublisher(readDeliveryTopics());
let store: DeliveryStore | undefined;
const deliveries = (): DeliveryStore => (store ??= new DeliveryStore(firestore(), collections.deliveries));

/**
 * Called by Cloud Scheduler (OIDC, every minute): publishes again every delivery still `pending`
 * `SWEEP_AFTER_SECONDS` after it was written or last published: a publish that failed after the
 * outbox commit, a message lost, a replay whose publish failed. Each one published is touched,
 * so it waits another period before the next sweep looks at it.
 */
export const deliverySweeper = httpFunction('deliverySweeper', [
  {
    method: 'POST',
    path: '/',
    async handle({ res, log }) {
      const now = new Date();
      const stale = await deliveries().stalePending(new Date(now.getTime() - config.ageMs), config.batch);
      const published = await publisher.publish(stale, log);
      await deliveries().touch(published, now);
      if (stale.length > 0) {
        log.warn(`republished ${published.length} of ${stale.length} pending deliveries`, {
          event: 'deliveries_swept',
          found: stale.length,
          republished: published.length,
        });
      }
      sendJson(res, 200, { found: stale.length, republished: published.length });
    },
  },
]);
