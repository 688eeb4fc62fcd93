import {
  componentSchema,
  jsonBody,
  jsonResponse,
  nextPageLinkHeader,
  pageParameters,
  problemResponses,
  type OpenApiFragment,
  type OpenApiObject,
} from '../shared/openapi/fragments';
import { accountCreateSchema, accountListSchema, accountReplaceSchema, accountSchema } from './schemas';

const TAG = 'Accounts';
const example = {
  id: '3fJq0X2yYbO8p1kVtWc9',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  address: "12 St James's Square, London",
  image_hosted_link: null,
};
const withImage = {
  ...example,
  image_hosted_link: 'https://europe-west1-my-project.cloudfunctions.net/accounts/3fJq0X2yYbO8p1kVtWc9/image?v=1732365600123456',
};
const idParameter: OpenApiObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The account id returned at creation.',
  schema: { type: 'string' },
  example: example.id,
};
const badBody =
  'An empty body, a body that is not JSON, malformed JSON, a body that is not an object, a missing or blank field, an email without exactly one `@`, any other key, or an email another account already has (after normalisation). `errors` points at each field.';

const uploadImage = (operationId: string, summary: string, deprecated = false): OpenApiObject => ({
  post: {
    operationId,
    tags: [TAG],
    summary,
    deprecated,
    description:
      "Stores the image sent as the multipart/form-data part `image` as the account's image, replacing any previous one, and answers the account with its new `image_hosted_link`. " +
      "The file name must end in `.jpeg`, `.jpg` or `.png`, the part's type must be `image/jpeg` or `image/png`, and the content must really be that type. " +
      'Images live in a private bucket (uniform access, public access prevention enforced); the link points at `GET /accounts/{id}/image`, served by this function.',
    parameters: [idParameter],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              image: {
                type: 'string',
                format: 'binary',
                description: 'A JPEG or PNG file, at most ACCOUNT_IMAGE_MAX_BYTES (5 MiB by default).',
              },
            },
            required: ['image'],
          },
          encoding: { image: { contentType: 'image/jpeg, image/png' } },
        },
      },
    },
    responses: {
      '200': jsonResponse('Account', 'The account with its image link.', withImage),
      ...problemResponses([400, 404, 405, 413, 500], {
        400: 'No body, a body that is not multipart/form-data, no `image` part, a file name or type other than JPEG/PNG, or content that is not that type.',
        404: 'No account with this id.',
        413: 'The image is larger than the limit.',
      }),
    },
  },
});

/** System D, accounts: one function, one REST resource, from the schemas the handlers validate with. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: TAG,
    description:
      "User accounts (`/accounts`, one function). Records in Firestore; each account's image in a private Cloud Storage bucket, served back by the function. Emails are unique after normalisation (trimmed, domain lower-cased), also under concurrent requests. `/accounts` and `/accounts/` are the same path.",
  },
  schemas: {
    AccountCreate: componentSchema(accountCreateSchema),
    AccountReplace: componentSchema(accountReplaceSchema),
    Account: componentSchema(accountSchema),
    AccountList: componentSchema(accountListSchema),
  },
  paths: {
    '/accounts': {
      get: {
        operationId: 'listAccounts',
        tags: [TAG],
        summary: 'List accounts, optionally filtered',
        description:
          'The accounts as a bare JSON array, one page at a time in id order: at most `limit` (100 by default), and a `Link: <…>; rel="next"` header while more follow. `name`, `email` and `address` filter by exact match and combine with AND; the `email` filter is normalised like stored emails. Filter values are only ever compared as values, so they cannot alter the query.',
        parameters: [
          ...['name', 'email', 'address'].map((name) => ({
            name,
            in: 'query',
            required: false,
            description: `Only accounts whose ${name} equals this exactly${name === 'email' ? ' (after normalisation)' : ''}.`,
            schema: { type: 'string' },
          })),
          ...pageParameters(),
        ],
        responses: {
          '200': jsonResponse('AccountList', 'The matching accounts on this page; `[]` when none.', [example], nextPageLinkHeader),
          ...problemResponses([400, 405, 500], {
            400: 'An unknown query parameter, a filter given twice, a limit out of range, or a page_token this list did not issue.',
          }),
        },
      },
      post: {
        operationId: 'createAccount',
        tags: [TAG],
        summary: 'Create an account',
        description:
          'Creates an account from `{name, email, address}`. The email is trimmed and its domain lower-cased; a second account with the same normalised email is a 400 at `#/email`, also when two requests race. `image_hosted_link` is null until an image is uploaded.',
        requestBody: jsonBody('AccountCreate', 'The new account.', {
          name: 'Ada Lovelace',
          email: 'Ada@Example.COM',
          address: "12 St James's Square, London",
        }),
        responses: {
          '201': jsonResponse(
            'Account',
            'Created; `Location` is its URL. The email is returned normalised.',
            { ...example, email: 'Ada@example.com' },
            {
              Location: { description: 'URL of the new account.', schema: { type: 'string', format: 'uri' } },
            },
          ),
          ...problemResponses([400, 405, 413, 500], { 400: badBody }),
        },
      },
    },
    '/accounts/{id}': {
      get: {
        operationId: 'getAccount',
        tags: [TAG],
        summary: 'Read an account',
        description:
          "The account with this id, with `image_hosted_link` pointing at the function's own image route once an image has been uploaded.",
        parameters: [idParameter],
        responses: {
          '200': jsonResponse('Account', 'The account.', withImage),
          ...problemResponses([404, 405, 500], { 404: 'No account with this id.' }),
        },
      },
      put: {
        operationId: 'replaceAccount',
        tags: [TAG],
        summary: 'Replace an account',
        description:
          'Replaces name, email and address (all required). Sending the current values again succeeds. The image is kept; change it with upload-image.',
        parameters: [idParameter],
        requestBody: jsonBody('AccountReplace', 'The full new state.', {
          name: 'Ada King',
          email: 'ada@example.com',
          address: 'Ockham Park, Surrey',
        }),
        responses: {
          '200': jsonResponse('Account', 'The account as now stored.', { ...example, name: 'Ada King', address: 'Ockham Park, Surrey' }),
          ...problemResponses([400, 404, 405, 413, 500], {
            400: `${badBody} Also: an \`id\` differing from the path's.`,
            404: 'No account with this id.',
          }),
        },
      },
      delete: {
        operationId: 'deleteAccount',
        tags: [TAG],
        summary: 'Delete an account and its image',
        description:
          'Deletes the account, frees its email, and deletes its image from the bucket. Idempotent: deleting an absent account also answers 200, with `deleted: false`.',
        parameters: [idParameter],
        responses: {
          '200': {
            description: 'The account is gone.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    deleted: { type: 'boolean', description: 'Whether this request deleted it (false: it was already absent).' },
                  },
                  required: ['id', 'deleted'],
                },
                example: { id: example.id, deleted: true },
              },
            },
          },
          ...problemResponses([405, 500]),
        },
      },
    },
    '/accounts/{id}/upload-image': uploadImage('uploadAccountImage', "Upload the account's image"),
    '/accounts/{id}/upload_image': uploadImage(
      'uploadAccountImageSeedSpelling',
      "Upload the account's image (the seed's spelling of upload-image)",
      true,
    ),
    '/accounts/{id}/image': {
      get: {
        operationId: 'getAccountImage',
        tags: [TAG],
        summary: "The account's image (its image_hosted_link)",
        description:
          'Streams the image from the private bucket with its type. Proxied rather than a signed URL: signing needs a service account able to sign (a key or iam.serviceAccounts.signBlob), links would expire, and proxying keeps the bucket private and works the same locally. `Cache-Control: private, no-cache`, so a deleted or replaced image is not served from a cache.',
        parameters: [
          idParameter,
          {
            name: 'v',
            in: 'query',
            required: false,
            description: 'The upload generation, only there so each upload has a new link.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'The image.',
            content: {
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...problemResponses([404, 405, 500], { 404: 'No account with this id, or it has no image.' }),
        },
      },
    },
  },
};
