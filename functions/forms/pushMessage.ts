import { HttpError } from '../shared/errors';
import type { DeliveryMessage } from './publisher';

/**
 * A Pub/Sub push request's body, `{"message": {"data", "attributes", "messageId"}, "subscription"}`,
 * decoded to the delivery it names. Anything else is a 400: Pub/Sub retries it until the
 * dead-letter policy moves it away, and the dead-letter worker logs it.
 */
export interface PushedDelivery {
  deliveryId: string;
  messageId: string;
  attributes: Record<string, string>;
}

export function parsePush(body: Record<string, unknown>): PushedDelivery {
  const message = body.message as { data?: unknown; attributes?: unknown; messageId?: unknown; message_id?: unknown } | undefined;
  if (!message || typeof message !== 'object' || typeof message.data !== 'string') {
    throw new HttpError('invalid_body', 'Not a Pub/Sub push: message.data is missing.', {
      errors: [{ pointer: '#/message/data', detail: 'is required' }],
    });
  }
  let data: Partial<DeliveryMessage>;
  try {
    data = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8')) as Partial<DeliveryMessage>;
  } catch {
    throw new HttpError('invalid_body', 'message.data is not base64 JSON.', {
      errors: [{ pointer: '#/message/data', detail: 'is not base64 JSON' }],
    });
  }
  if (typeof data?.delivery_id !== 'string' || data.delivery_id === '') {
    throw new HttpError('invalid_body', 'The message names no delivery.', {
      errors: [{ pointer: '#/message/data', detail: 'must be {"delivery_id": "..."}' }],
    });
  }
  const attributes = (message.attributes && typeof message.attributes === 'object' ? message.attributes : {}) as Record<string, string>;
  return { deliveryId: data.delivery_id, messageId: String(message.messageId ?? message.message_id ?? ''), attributes };
}
