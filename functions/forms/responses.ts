import type { Request } from '@google-cloud/functions-framework';
import { firestore } from '../shared/clients/firestore';
import { integer } from '../shared/config';
import { HttpError } from '../shared/errors';
import { decimalLiteralPointers, readJsonObject } from '../shared/http/body';
import { bodyKind } from '../shared/http/bodyKind';
import { httpFunction } from '../shared/http/httpFunction';
import { queryValues } from '../shared/http/query';
import { sendJson, type Route } from '../shared/http/router';
import { parseTraceContext } from '../shared/trace';
import { validator } from '../shared/validation';
import { adminCheck } from './adminAuth';
import { checkAnswers } from './answers';
import { readAdminAuth, readCollections, readDeliveryTopics } from './config';
import { DeliveryStore } from './deliveryStore';
import { FormStore } from './formStore';
import { storedId } from '../shared/storedIds';
import { deliveryId, type Delivery, type StoredResponse } from './model';
import { newSubmission } from './submission';
import { pluginRegistry } from './plugins/registry';
import { DeliveryPublisher } from './publisher';
import { BadPageTokenError, ResponseStore } from './responseStore';
import { submissionSchema } from './schemas';

const collections = readCollections();
const requireAdmin = adminCheck(readAdminAuth());
const publisher = new DeliveryPublisher(readDeliveryTopics(), integer('PUBLISH_TIMEOUT_MS', { default: 5000, min: 100, max: 60_000 }));
const plugins = pluginRegistry();
const validateSubmission = validator<{ answers: Record<string, unknown> }>(submissionSchema);
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

let stores: { forms: FormStore; responses: ResponseStore; deliveries: DeliveryStore } | undefined;
function store() {
  stores ??= {
    forms: new FormStore(firestore(), collections.forms),
    responses: new ResponseStore(firestore(), collections),
    deliveries: new DeliveryStore(firestore(), collections.deliveries),
  };
  return stores;
}

const formNotFound = (id: string): HttpError => new HttpError('not_found', `No form with id ${id}.`);
const responseNotFound = (id: string): HttpError => new HttpError('not_found', `No response with id ${id} in this form.`);
const badPageToken = (): HttpError =>
  new HttpError('validation_failed', 'page_token is not one this list returned.', {
    errors: [{ pointer: '#/query/page_token', detail: 'is not a page token of this form' }],
  });

/** The submission's trace as a W3C traceparent, handed to the workers through the message. */
function traceparentOf(req: Request): string | null {
  const trace = parseTraceContext(req.headers);
  if (!trace) return null;
  return `00-${trace.traceId}-${trace.spanId ?? '0000000000000001'}-${trace.sampled === false ? '00' : '01'}`;
}

export function responseResource(response: StoredResponse, deliveries: Delivery[]): Record<string, unknown> {
  const byTask = new Map(deliveries.map((d) => [d.task_id, d]));
  return {
    id: response.id,
    form_id: response.form_id,
    answers: response.answers,
    submitted_at: response.submitted_at,
    results: response.results,
    deliveries: Object.fromEntries(
      response.async_tasks.map((taskId) => {
        const d = byTask.get(taskId);
        return [taskId, { state: d?.state ?? 'pending', attempts: d?.attempts ?? [] }];
      }),
    ),
  };
}

async function readResponse(formId: string, responseId: string): Promise<{ response: StoredResponse; deliveries: Delivery[] }> {
  const response = await store().responses.get(storedId(responseId, responseNotFound));
  if (!response || response.form_id !== formId) throw responseNotFound(responseId);
  const deliveries = await store().deliveries.getAll(response.async_tasks.map((t) => deliveryId(response.id, t)));
  return { response, deliveries };
}

const routes: Route[] = [
  {
    method: 'POST',
    path: '/{form_id}',
    async handle({ req, res, params, log }) {
      const formId = storedId(params.form_id, formNotFound);
      bodyKind(req, ['json']);
      const body = readJsonObject(req);
      const submission = validateSubmission(body);
      const stored = await store().forms.get(formId);
      if (!stored) throw formNotFound(formId);
      const { form } = stored;
      const answers = checkAnswers(form.questions, submission.answers, decimalLiteralPointers(body));

      const results: Record<string, unknown> = {};
      const rejected: Record<string, unknown> = {};
      for (const task of form.tasks) {
        const plugin = plugins[task.type];
        if (plugin.kind !== 'sync') continue;
        const outcome = plugin.run(task.config, answers, form);
        results[task.id] = outcome.result;
        if (outcome.reject) rejected[task.id] = outcome.result;
      }
      if (Object.keys(rejected).length > 0) {
        throw new HttpError(
          'unprocessable',
          `The answers were refused by ${Object.keys(rejected).join(', ')}; fix them and submit again.`,
          {
            extensions: { results: rejected },
          },
        );
      }

      const at = new Date();
      const id = store().responses.newId();
      const { response, deliveries } = newSubmission({ id, form, answers, results, traceparent: traceparentOf(req), at });
      await store().responses.submit(response, deliveries, at);
      log.info(`response ${id} to form ${formId} stored`, { event: 'response_stored', form_id: formId, response_id: id });
      await publisher.publish(deliveries, log);
      sendJson(res, 201, responseResource(response, deliveries));
    },
  },
  {
    method: 'GET',
    path: '/{form_id}',
    async handle({ req, res, params }) {
      await requireAdmin(req);
      const formId = storedId(params.form_id, formNotFound);
      if (!(await store().forms.get(formId))) throw formNotFound(formId);
      const pageSize = pageSizeOf(req);
      const token = queryValues(req, 'page_token')[0] || undefined;
      let page;
      try {
        page = await store().responses.list(formId, pageSize, token);
      } catch (err) {
        if (err instanceof BadPageTokenError) throw badPageToken();
        throw err;
      }
      const ids = page.items.flatMap((r) => r.async_tasks.map((t) => deliveryId(r.id, t)));
      const deliveries = await store().deliveries.getAll(ids);
      const items = page.items.map((r) =>
        responseResource(
          r,
          deliveries.filter((d) => d.response_id === r.id),
        ),
      );
      sendJson(res, 200, { items, next_page_token: page.nextPageToken });
    },
  },
  {
    method: 'GET',
    path: '/{form_id}/{response_id}',
    async handle({ req, res, params }) {
      await requireAdmin(req);
      const { response, deliveries } = await readResponse(params.form_id, params.response_id);
      sendJson(res, 200, responseResource(response, deliveries));
    },
  },
  {
    method: 'POST',
    path: '/{form_id}/{response_id}/deliveries/{task_id}/replay',
    async handle({ req, res, params, log }) {
      await requireAdmin(req);
      const { response } = await readResponse(params.form_id, params.response_id);
      if (!response.async_tasks.includes(params.task_id)) {
        throw new HttpError('not_found', `Response ${response.id} has no delivery for task ${params.task_id}.`);
      }
      const delivery = await store().deliveries.replay(deliveryId(response.id, params.task_id), new Date());
      if (!delivery) throw new HttpError('not_found', `The delivery of task ${params.task_id} is gone.`);
      log.info(`delivery ${delivery.id} replayed`, { event: 'delivery_replayed', delivery_id: delivery.id });
      // Published at once; if that fails the sweeper publishes it, the state being pending again.
      await publisher.publish([delivery], log);
      sendJson(res, 202, { state: delivery.state, attempts: delivery.attempts });
    },
  },
];

function pageSizeOf(req: Request): number {
  const values = queryValues(req, 'page_size');
  if (values.length === 0) return DEFAULT_PAGE_SIZE;
  const n = Number(values[0]);
  if (values.length > 1 || !/^\d+$/.test(values[0]) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new HttpError('validation_failed', `page_size must be one integer from 1 to ${MAX_PAGE_SIZE}.`, {
      errors: [{ pointer: '#/query/page_size', detail: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }],
    });
  }
  return n;
}

/**
 * Responses to forms (System E). `POST /{form_id}` is public: anyone may answer. It checks the
 * answers, runs the sync plug-ins, writes the response and its deliveries in one commit, and
 * publishes the deliveries. Reading responses and replaying deliveries are for form admins.
 */
export const responses = httpFunction('responses', routes);
