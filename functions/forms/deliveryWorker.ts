import type { HttpFunction } from '@google-cloud/functions-framework';
import { firestore } from '../shared/clients/firestore';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { httpFunction } from '../shared/http/httpFunction';
import { sendProblem } from '../shared/http/problem';
import type { Logger } from '../shared/logger';
import { traceFields } from '../shared/logger';
import { readCollections } from './config';
import type { Deliverer, DeliveryOutcome } from './delivery/deliverer';
import { DeliveryStore } from './deliveryStore';
import { FormStore } from './formStore';
import type { Attempt, Delivery } from './model';
import { parsePush } from './pushMessage';
import { ResponseStore } from './responseStore';

/**
 * A Pub/Sub push worker for one task type: the push subscription of that type's topic calls it
 * (with OIDC in the cloud; the function is private). It is idempotent: a delivery already
 * `delivered` or `dead` is acknowledged without doing anything, so duplicate pushes, the
 * sweeper's republishing and a crash between doing and recording cost at most one extra attempt
 * (which BigQuery's insertId, the Sheets check and the stable webhook-id absorb).
 *
 * Answers: 204 to acknowledge (done, dead, or nothing to do); 503 to have Pub/Sub deliver again
 * after its back-off; 400 for a message that is not one of ours (retried until dead-lettered).
 */
export function deliveryWorker(name: string, deliverer: Deliverer): HttpFunction {
  const collections = readCollections();
  let stores: { forms: FormStore; responses: ResponseStore; deliveries: DeliveryStore } | undefined;
  const store = () =>
    (stores ??= {
      forms: new FormStore(firestore(), collections.forms),
      responses: new ResponseStore(firestore(), collections),
      deliveries: new DeliveryStore(firestore(), collections.deliveries),
    });

  return httpFunction(name, [
    {
      method: 'POST',
      path: '/',
      async handle({ req, res, log: requestLog }) {
        const pushed = parsePush(readJsonObject(req));
        const log = requestLog.child({
          ...traceFields({ headers: { traceparent: pushed.attributes.traceparent } }),
          delivery_id: pushed.deliveryId,
        });
        const delivery = await store().deliveries.get(pushed.deliveryId);
        if (!delivery || delivery.task_type !== deliverer.type) {
          log.warn(`no ${deliverer.type} delivery ${pushed.deliveryId}; acknowledged`, { event: 'delivery_unknown' });
          return void res.status(204).end();
        }
        if (delivery.state === 'delivered' || delivery.state === 'dead') return void res.status(204).end();

        const form = await store().forms.get(delivery.form_id);
        const task = form?.form.tasks.find((t) => t.id === delivery.task_id && t.type === delivery.task_type);
        const response = await store().responses.get(delivery.response_id);
        let outcome: DeliveryOutcome;
        if (!form || !task || !response) {
          outcome = {
            outcome: 'permanent',
            error: !form ? 'the form was deleted' : !task ? 'the task was removed from the form' : 'the response is gone',
          };
        } else {
          try {
            outcome = await deliverer.deliver({ delivery, response, form: form.form, task, secrets: form.secrets, log });
          } catch (err) {
            log.error(`delivery ${delivery.id} failed unexpectedly`, { error: err as Error });
            outcome = { outcome: 'retry', error: (err as Error).message };
          }
        }
        await finish(store().deliveries, delivery, outcome, log);
        if (outcome.outcome === 'retry') {
          sendProblem(
            res,
            new HttpError('unavailable', `Delivery ${delivery.id} not done yet: ${outcome.error}`, { headers: { 'Retry-After': '10' } }),
          );
        } else {
          res.status(204).end();
        }
      },
    },
  ]);
}

async function finish(deliveries: DeliveryStore, delivery: Delivery, outcome: DeliveryOutcome, log: Logger): Promise<void> {
  const at = new Date().toISOString();
  const fields = {
    delivery_id: delivery.id,
    form_id: delivery.form_id,
    response_id: delivery.response_id,
    task_id: delivery.task_id,
    task_type: delivery.task_type,
  };
  if (outcome.outcome === 'delivered') {
    if (!outcome.recorded) await deliveries.record([delivery.id], attempt(at, 'delivered', outcome.status, null), 'delivered');
    log.info(`delivery ${delivery.id} delivered`, { event: 'delivery_delivered', ...fields });
  } else if (outcome.outcome === 'retry') {
    if (!outcome.recorded) await deliveries.record([delivery.id], attempt(at, 'failed', outcome.status, outcome.error), 'failed');
    log.warn(`delivery ${delivery.id} failed, will be retried: ${outcome.error}`, {
      event: 'delivery_failed',
      ...fields,
      status: outcome.status ?? null,
    });
  } else {
    await deliveries.record([delivery.id], attempt(at, 'dead', outcome.status, outcome.error), 'dead');
    logDead(log, delivery, outcome.error);
  }
}

export function attempt(at: string, outcome: Attempt['outcome'], status: number | null | undefined, error: string | null): Attempt {
  return { at, outcome, status: status ?? null, error };
}

/** The ERROR line the log-based metric `form_deliveries_dead` counts (infra/forms.tf): keep `event` in step. */
export function logDead(log: Logger, delivery: Delivery, why: string): void {
  log.error(`delivery ${delivery.id} is dead: ${why}`, {
    event: 'delivery_dead',
    delivery_id: delivery.id,
    form_id: delivery.form_id,
    response_id: delivery.response_id,
    task_id: delivery.task_id,
    task_type: delivery.task_type,
  });
}
