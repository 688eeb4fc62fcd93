import type { Topic } from '@google-cloud/pubsub';
import { pubsub } from '../shared/clients/pubsub';
import type { Logger } from '../shared/logger';
import type { Delivery } from './model';
import type { AsyncTaskType } from './taskTypes';

/**
 * Publishes deliveries to their task type's topic: a message per delivery, its data
 * `{"delivery_id"}`, its attributes the ids, the publish time and the submission's `traceparent`
 * (so the worker's lines join the submission's trace). Used after the outbox commit and by the sweeper. A publish
 * that fails or takes longer than `timeoutMs` is logged and left: the delivery is still `pending`
 * in Firestore, and the sweeper publishes it again, so the submission does not wait on Pub/Sub.
 */
export interface DeliveryMessage {
  delivery_id: string;
}

export class DeliveryPublisher {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly topicNames: Record<AsyncTaskType, string>,
    private readonly timeoutMs = 5000,
  ) {}

  private topic(type: AsyncTaskType): Topic {
    const name = this.topicNames[type];
    let topic = this.topics.get(name);
    if (!topic) {
      // A message is sent within 10 ms of being published, batched with any published meanwhile.
      topic = pubsub().topic(name, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Publishes each delivery; resolves to the ids that were published (never rejects). */
  async publish(deliveries: Delivery[], log: Logger): Promise<string[]> {
    const outcomes = await Promise.all(deliveries.map((d) => this.publishOne(d, log)));
    return deliveries.filter((_, i) => outcomes[i]).map((d) => d.id);
  }

  private async publishOne(delivery: Delivery, log: Logger): Promise<boolean> {
    const attributes: Record<string, string> = {
      delivery_id: delivery.id,
      form_id: delivery.form_id,
      response_id: delivery.response_id,
      task_id: delivery.task_id,
      task_type: delivery.task_type,
      // When this message was published: a dead letter of it that arrives after a replay is stale.
      published_at: new Date().toISOString(),
    };
    if (delivery.traceparent) attributes.traceparent = delivery.traceparent;
    const data = Buffer.from(JSON.stringify({ delivery_id: delivery.id } satisfies DeliveryMessage));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`publish took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([this.topic(delivery.task_type).publishMessage({ data, attributes }), timeout]);
      return true;
    } catch (err) {
      log.warn(`delivery ${delivery.id} not published; the sweeper will publish it`, {
        event: 'delivery_publish_failed',
        delivery_id: delivery.id,
        error: err as Error,
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
