import { firestore } from '../shared/clients/firestore';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { bodyKind } from '../shared/http/bodyKind';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson, type Route } from '../shared/http/router';
import { validator } from '../shared/validation';
import { readCollections, readSheetsWriter, readWebhookConfig } from './config';
import { formResource, prepareForm } from './formInput';
import { FormChangedError, FormStore } from './formStore';
import { pluginRegistry } from './plugins/registry';
import { formInputSchema, type FormInput } from './schemas';
import { createSpreadsheet } from './spreadsheets';
import { storedId } from '../shared/storedIds';

const collections = readCollections();
const plugins = pluginRegistry({ allowLoopback: readWebhookConfig().allowLoopback, createSpreadsheet, sheetsWriter: readSheetsWriter() });
const validateInput = validator<FormInput>(formInputSchema);
/** More forms than this is an organisation for a paginated API; a form list is read whole. */
const MAX_FORMS = 1000;

let store: FormStore | undefined;
function formStore(): FormStore {
  store ??= new FormStore(firestore(), collections.forms);
  return store;
}

function notFound(id: string): HttpError {
  return new HttpError('not_found', `No form with id ${id}.`);
}

const routes: Route[] = [
  {
    method: 'GET',
    path: '/',
    async handle({ res }) {
      const forms = await formStore().list(MAX_FORMS);
      sendJson(res, 200, { items: forms.map((f) => formResource(f)) });
    },
  },
  {
    method: 'POST',
    path: '/',
    async handle({ req, res, log }) {
      bodyKind(req, ['json']);
      const input = validateInput(readJsonObject(req));
      const prepared = await prepareForm(input, plugins);
      const form = await formStore().create(prepared.fields, prepared.secrets);
      log.info(`form ${form.id} created`, { event: 'form_created', form_id: form.id, tasks: form.tasks.map((t) => t.type) });
      sendJson(res, 201, formResource(form, prepared.newSecrets));
    },
  },
  {
    method: 'GET',
    path: '/{id}',
    async handle({ res, params }) {
      const stored = await formStore().get(storedId(params.id, notFound));
      if (!stored) throw notFound(params.id);
      sendJson(res, 200, formResource(stored.form));
    },
  },
  {
    method: 'PUT',
    path: '/{id}',
    async handle({ req, res, params, log }) {
      const id = storedId(params.id, notFound);
      bodyKind(req, ['json']);
      const input = validateInput(readJsonObject(req));
      const existing = await formStore().get(id);
      if (!existing) throw notFound(id);
      const prepared = await prepareForm(input, plugins, existing);
      try {
        const form = await formStore().replace(id, existing.version, prepared.fields, prepared.secrets);
        log.info(`form ${id} replaced`, { event: 'form_replaced', form_id: id });
        sendJson(res, 200, formResource(form, prepared.newSecrets));
      } catch (err) {
        if (err instanceof FormChangedError)
          throw new HttpError('conflict', `Form ${id} changed while this replace was checked; read it again and retry.`);
        throw err;
      }
    },
  },
  {
    method: 'DELETE',
    path: '/{id}',
    async handle({ res, params, log }) {
      const id = params.id;
      const existed = await formStore().delete(storedId(id, notFound));
      if (existed) log.info(`form ${id} deleted`, { event: 'form_deleted', form_id: id });
      sendJson(res, 200, { id, deleted: existed });
    },
  },
];

/**
 * The forms resource (System E), for form admins only (a private function: callers need
 * `run.invoker`). `POST /` creates a form with its questions and tasks, `GET /` lists, `/{id}`
 * reads, replaces (questions may be added at the end) and deletes.
 */
export const forms = httpFunction('forms', routes);
