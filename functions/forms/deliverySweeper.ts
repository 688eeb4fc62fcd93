import { firestore } from '../shared/clients/firestore';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson } from '../shared/http/router';
import { readCollections, readDeliveryTopics, readSweeperConfig } from './config';
import { sweepDeliveries } from './deliverySweep';
import { DeliveryStore } from './deliveryStore';
import { DeliveryPublisher } from './publisher';

const collections = readCollections();
const config = readSweeperConfig();
const publisher = new DeliveryPublisher(readDeliveryTopics());
let store: DeliveryStore | undefined;
const deliveries = (): DeliveryStore => (store ??= new DeliveryStore(firestore(), collections.deliveries));

/** Called by Cloud Scheduler (OIDC, every minute): one sweep of the stale deliveries (`deliverySweep.ts`). */
export const deliverySweeper = httpFunction('deliverySweeper', [
  {
    method: 'POST',
    path: '/',
    async handle({ res, log }) {
      sendJson(res, 200, await sweepDeliveries(deliveries(), publisher, config, new Date(), log));
    },
  },
]);
