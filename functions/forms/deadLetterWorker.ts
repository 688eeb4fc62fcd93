import { firestore } from '../shared/clients/firestore';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import { traceFields } from '../shared/logger';
import { readCollections } from './config';
import { attempt, logDead } from './deliveryWorker';
import { DeliveryStore } from './deliveryStore';
import { parsePush } from './pushMessage';

const collections = readCollections();
let store: DeliveryStore | undefined;
const deliveries = (): DeliveryStore => (store ??= new DeliveryStore(firestore(), collections.deliveries));

/**
 * The push target of the dead-letter topic: Pub/Sub moves a delivery message there once its
 * subscription's `max_delivery_attempts` are spent. The delivery becomes `dead` (unless it was
 * delivered meanwhile) and an ERROR line with the submission's trace is logged; the log-based
 * metric counts those lines and the alert policy fires on them. A replay brings it back.
 */
export const deadLetterWorker = httpFunction('deadLetterWorker', [
  {
    method: 'POST',
    path: '/',
    async handle({ req, res, log: requestLog }) {
      const pushed = parsePush(readJsonObject(req));
      const log = requestLog.child(traceFields({ headers: { traceparent: pushed.attributes.traceparent } }));
      const source = pushed.attributes.CloudPubSubDeadLetterSourceSubscription ?? 'its subscription';
      const why = `attempts exhausted: dead-lettered from ${source}`;
      // A dead letter of a message published before the delivery's last replay (a duplicate, or a
      // second copy the sweeper published) must not kill the replay: the replay's message decides.
      const publishedAt = pushed.attributes.published_at;
      const [after] = await deliveries().record(
        [pushed.deliveryId],
        attempt(new Date().toISOString(), 'dead', null, why),
        'dead',
        publishedAt,
      );
      if (!after)
        log.error(`dead-lettered message ${pushed.messageId} names no delivery (${pushed.deliveryId})`, { event: 'delivery_unknown' });
      else if (after.state === 'dead') logDead(log, after, why);
      else log.info(`dead letter of delivery ${after.id} ignored: it is ${after.state} since`, { event: 'dead_letter_stale' });
      res.status(204).end();
    },
  },
]);
