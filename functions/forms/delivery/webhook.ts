import * as http from 'node:http';
import * as https from 'node:https';
import { guardedLookup, webhookUrlRefusal } from '../addressPolicy';
import type { WebhookConfig } from '../config';
import type { Deliverer } from './deliverer';
import { signWebhook } from './webhookSignature';

/**
 * `webhook` at delivery: POSTs `{"type": "response.created", "timestamp", "data": {...}}` signed
 * the Standard Webhooks way. `webhook-id` is the delivery id, the same on every attempt, so a
 * receiver can drop what it already processed (delivery is at least once); the timestamp is the
 * attempt's, as the scheme wants (receivers refuse stale ones). 2xx is delivered, 410 Gone is
 * permanent, anything else (or no answer within the timeout) is retried. The address connected
 * to is checked again here (`guardedLookup`), whatever it resolved to when the form was saved.
 */
const USER_AGENT = 'gcf-backend-kit-webhooks/1';

export function webhookDeliverer(config: WebhookConfig): Deliverer {
  return {
    type: 'webhook',
    async deliver({ delivery, response, task, secrets }) {
      const url = task.config.url as string;
      const secret = secrets[task.id];
      if (!secret) return { outcome: 'permanent', error: 'the task has no signing secret' };
      const why = await webhookUrlRefusal(url, config.allowLoopback);
      if (why) return { outcome: 'permanent', error: `the URL ${why}` };
      const body = JSON.stringify({
        type: 'response.created',
        timestamp: response.submitted_at,
        data: { form_id: response.form_id, response_id: response.id, answers: response.answers },
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, delivery.id, timestamp, body),
      };
      try {
        const status = await post(url, headers, body, config);
        if (status >= 200 && status < 300) return { outcome: 'delivered', status };
        if (status === 410) return { outcome: 'permanent', status, error: 'the receiver answered 410 Gone' };
        return { outcome: 'retry', status, error: `the receiver answered ${status}` };
      } catch (err) {
        return { outcome: 'retry', error: (err as Error).message };
      }
    },
  };
}

function post(url: string, headers: Record<string, string>, body: string, config: WebhookConfig): Promise<number> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(config.allowLoopback),
        timeout: config.timeoutMs,
        // A receiver's redirect is not followed (Node does not): it is an answer like any non-2xx.
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${config.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
