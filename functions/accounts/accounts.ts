import { firestore } from '../shared/clients/firestore';
import { storage } from '../shared/clients/storage';
import { HttpError } from '../shared/errors';
import { readJsonObject } from '../shared/http/body';
import { bodyKind } from '../shared/http/bodyKind';
import { httpFunction } from '../shared/http/httpFunction';
import { readMultipart, singleFile } from '../shared/http/multipart';
import { PAGE_PARAMETERS, readPageRequest, sendPage } from '../shared/http/paging';
import { queryValues } from '../shared/http/query';
import { sendJson, type RequestContext, type Route } from '../shared/http/router';
import { isStoredId, storedId } from '../shared/storedIds';
import { validator } from '../shared/validation';
import { AccountNotFoundError, AccountStore, EmailTakenError, type Account } from './accountStore';
import { readAccountsConfig } from './config';
import { checkImage } from './image';
import { ACCOUNT_FILTERS, accountCreateSchema, accountReplaceSchema, type AccountFilter, type AccountInput } from './schemas';

const config = readAccountsConfig();
const validateCreate = validator<AccountInput>(accountCreateSchema);
const validateReplace = validator<AccountInput>(accountReplaceSchema);

let store: AccountStore | undefined;
/** The instance's store, built on first use over the shared clients (stubbed in unit tests). */
function accountStore(): AccountStore {
  store ??= new AccountStore(firestore(), storage().bucket(config.imagesBucket), config);
  return store;
}

/** The account resource as the API returns it. */
export function toResource(account: Account): Record<string, unknown> {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    address: account.address,
    image_hosted_link: account.image
      ? `${config.publicUrl}/${encodeURIComponent(account.id)}/image?v=${encodeURIComponent(account.image.generation)}`
      : null,
  };
}

function accountId(params: Record<string, string>): string {
  return storedId(params.id, (id) => new HttpError('not_found', `No account with id ${JSON.stringify(id)}.`));
}

function notFound(id: string): HttpError {
  return new HttpError('not_found', `No account with id ${id}.`);
}

function emailTaken(email: string): HttpError {
  return new HttpError('validation_failed', `An account with email ${email} already exists.`, {
    errors: [{ pointer: '#/email', detail: 'is already used by another account' }],
  });
}

/** Maps the store's domain errors to problems. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof EmailTakenError) throw emailTaken(err.email);
    if (err instanceof AccountNotFoundError) throw notFound(err.id);
    throw err;
  }
}

function readFilters(ctx: RequestContext): Partial<Record<AccountFilter, string>> {
  const url = new URL(ctx.req.originalUrl ?? ctx.req.url, 'http://query.invalid');
  const known: readonly string[] = [...ACCOUNT_FILTERS, ...PAGE_PARAMETERS];
  const unknown = [...new Set(url.searchParams.keys())].filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new HttpError(
      'validation_failed',
      `Unknown query parameter ${unknown.join(', ')}; the filters are ${ACCOUNT_FILTERS.join(', ')}.`,
      {
        errors: unknown.map((k) => ({ pointer: `#/query/${k}`, detail: 'is not a filter' })),
      },
    );
  }
  const filters: Partial<Record<AccountFilter, string>> = {};
  for (const name of ACCOUNT_FILTERS) {
    const values = queryValues(ctx.req, name);
    if (values.length > 1) {
      throw new HttpError('validation_failed', `Query parameter ${name} must be given once.`, {
        errors: [{ pointer: `#/query/${name}`, detail: 'must be given once' }],
      });
    }
    if (values.length === 1) filters[name] = values[0];
  }
  return filters;
}

const uploadImage = async ({ req, res, params }: RequestContext): Promise<void> => {
  const id = accountId(params);
  bodyKind(req, ['multipart']);
  const image = checkImage(singleFile(await readMultipart(req, { maxFileBytes: config.maxImageBytes, maxFiles: 1 }), 'image'));
  const account = await mapped(() => accountStore().setImage(id, image.data, image.contentType));
  sendJson(res, 200, toResource(account));
};

const routes: Route[] = [
  {
    method: 'GET',
    path: '/',
    async handle(ctx) {
      const filters = readFilters(ctx);
      const page = readPageRequest(ctx.req);
      if (page.pageToken !== undefined && !isStoredId(page.pageToken)) {
        throw new HttpError('validation_failed', 'Query parameter page_token is not one this list issued.', {
          errors: [{ pointer: '#/query/page_token', detail: 'must be the page_token of a Link: rel="next"' }],
        });
      }
      const found = await accountStore().list(filters, { limit: page.limit, after: page.pageToken });
      sendPage(ctx.req, ctx.res, { items: found.items.map(toResource), next: found.next }, page.limit);
    },
  },
  {
    method: 'POST',
    path: '/',
    async handle({ req, res }) {
      bodyKind(req, ['json']);
      const input = validateCreate(readJsonObject(req));
      const account = await mapped(() => accountStore().create(input));
      sendJson(res, 201, toResource(account), { Location: `${config.publicUrl}/${account.id}` });
    },
  },
  {
    method: 'GET',
    path: '/{id}',
    async handle({ res, params }) {
      const id = accountId(params);
      const account = await accountStore().get(id);
      if (!account) throw notFound(id);
      sendJson(res, 200, toResource(account));
    },
  },
  {
    method: 'PUT',
    path: '/{id}',
    async handle({ req, res, params }) {
      const id = accountId(params);
      bodyKind(req, ['json']);
      const input = validateReplace(readJsonObject(req));
      if (input.id !== undefined && input.id !== id) {
        throw new HttpError('validation_failed', `The body's id ${JSON.stringify(input.id)} differs from the path's ${id}.`, {
          errors: [{ pointer: '#/id', detail: 'must equal the id in the path' }],
        });
      }
      const account = await mapped(() => accountStore().replace(id, input));
      sendJson(res, 200, toResource(account));
    },
  },
  {
    method: 'DELETE',
    path: '/{id}',
    async handle({ res, params, log }) {
      // Deleting what is not there is success: the outcome the client asked for holds.
      const id = params.id;
      const existed = isStoredId(id) ? await accountStore().delete(id) : false;
      if (existed) log.info(`account ${id} deleted`, { account_id: id });
      sendJson(res, 200, { id, deleted: existed });
    },
  },
  { method: 'POST', path: '/{id}/upload-image', handle: uploadImage },
  // The seed's spelling, kept so its clients work unchanged.
  { method: 'POST', path: '/{id}/upload_image', handle: uploadImage },
  {
    method: 'GET',
    path: '/{id}/image',
    async handle({ res, params }) {
      const id = accountId(params);
      const image = await accountStore().readImage(id);
      if (!image) throw new HttpError('not_found', `Account ${id} does not exist or has no image.`);
      res.status(200);
      res.setHeader('Content-Type', image.contentType);
      res.setHeader('Content-Length', String(image.data.length));
      // Served from a private bucket on every request, so a replaced or deleted image is gone at once.
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Disposition', 'inline');
      // The bytes are a client's upload, served from the origin every function shares: should a
      // file that starts like a PNG carry HTML, a browser opening it runs nothing and may not
      // embed it elsewhere.
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      res.end(image.data);
    },
  },
];

/**
 * The accounts resource (System D): `/accounts` lists (with exact-match filters) and creates,
 * `/accounts/{id}` reads, replaces and deletes, `/accounts/{id}/upload-image` stores an image in
 * a private bucket, and `/accounts/{id}/image` serves it back (the account's `image_hosted_link`).
 */
export const accounts = httpFunction('accounts', routes);
