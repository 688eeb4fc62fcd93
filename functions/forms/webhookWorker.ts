import { readWebhookConfig } from './config';
import { webhookDeliverer } from './delivery/webhook';
import { deliveryWorker } from './deliveryWorker';

/** The push target of the webhook topic: POSTs each response, signed, to the task's URL. */
export const webhookWorker = deliveryWorker('webhookWorker', webhookDeliverer(readWebhookConfig()));
