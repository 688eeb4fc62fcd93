import { problemType } from '../http/problem';
import { DEFAULT_PAGE_LIMITS } from '../http/paging';
import type { JsonSchema } from '../validation';

/**
 * Building blocks for each system's OpenAPI paths. Each system describes its own endpoints in
 * `functions/<system>/openapi.ts` from the same schema objects its handlers validate with; the
 * `docs` function assembles them (`functions/docs/openapiDocument.ts`).
 */
export type OpenApiObject = Record<string, unknown>;

/** A system's contribution to the document. */
export interface OpenApiFragment {
  tag: { name: string; description: string };
  /** More tags the fragment's operations use (a system's private endpoints, say). */
  extraTags?: { name: string; description: string }[];
  paths: Record<string, OpenApiObject>;
  schemas: Record<string, JsonSchema>;
}

/** Schemas are shared with ajv, which wants `$id`; in the document they are named by their component key instead. */
export function componentSchema(schema: JsonSchema): JsonSchema {
  const { $id: _id, ...rest } = schema;
  void _id;
  return rest;
}

export const problemSchema: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem: every error this API returns has this body, with Content-Type application/problem+json.',
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      description:
        'Identifies the kind of problem: a link to its section under "Problem types" on this page, or `about:blank` where a function runs without a front door.',
      examples: [problemType('validation_failed', 'https://us-central1-my-project.cloudfunctions.net')],
    },
    title: { type: 'string', description: 'Short summary of the kind of problem.', examples: ['The request is not valid'] },
    status: { type: 'integer', description: 'The HTTP status code.', examples: [400] },
    detail: {
      type: 'string',
      description: 'What went wrong with this request.',
      examples: ['The body is not valid: name: must match ^[a-z_]{3,15}$.'],
    },
    errors: {
      type: 'array',
      description: 'Field-level problems, when the request failed validation.',
      items: {
        type: 'object',
        properties: {
          pointer: { type: 'string', description: 'JSON Pointer (as a URI fragment) to the offending field.', examples: ['#/name'] },
          detail: { type: 'string', description: 'What is wrong with that field.', examples: ['must match ^[a-z_]{3,15}$'] },
        },
        required: ['pointer', 'detail'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

const STANDARD_PROBLEMS: Record<number, string> = {
  400: 'The request is malformed or fails validation: a missing body, malformed JSON, a body that is not a JSON object, or a field out of range. `errors` lists each offending field.',
  404: 'Nothing exists at this path, or the resource does not exist.',
  405: 'The path exists but does not take this method; the `Allow` header lists the ones it takes.',
  409: 'The request conflicts with the current state of the resource.',
  413: 'The request body is larger than this endpoint accepts.',
  415: 'The request body is not declared as `application/json`.',
  500: "An unexpected failure. It has been logged with the request's trace id; the body never contains internals.",
  502: 'A service this function depends on failed.',
  503: 'A service this function depends on is busy or briefly unavailable (contention, quota, a deadline); `Retry-After` says when to retry. A write may have been applied before the failure: retry it with the same `Idempotency-Key` where the endpoint takes one.',
};

/** Responses for the given error statuses, each with the problem body and an example. */
export function problemResponses(statuses: number[], overrides: Record<number, string> = {}): Record<string, OpenApiObject> {
  const out: Record<string, OpenApiObject> = {};
  // Any operation that can fail unexpectedly (500) can also meet a busy backend: httpFunction
  // answers that 503 for every function, so it is documented wherever 500 is.
  const all = statuses.includes(500) && !statuses.includes(503) ? [...statuses, 503] : statuses;
  for (const status of all) {
    const response: OpenApiObject = {
      description: overrides[status] ?? STANDARD_PROBLEMS[status] ?? 'An error.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    if (status === 405)
      response.headers = { Allow: { description: 'The methods this path takes.', schema: { type: 'string' }, example: 'GET, HEAD' } };
    if (status === 503)
      response.headers = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' }, example: 1 } };
    out[String(status)] = response;
  }
  return out;
}

/** A JSON request body referring to a component schema. */
export function jsonBody(schemaName: string, description: string, example: unknown): OpenApiObject {
  return {
    required: true,
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` }, example } },
  };
}

/** A JSON response referring to a component schema. */
export function jsonResponse(schemaName: string, description: string, example: unknown, headers?: OpenApiObject): OpenApiObject {
  const response: OpenApiObject = {
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` }, example } },
  };
  if (headers) response.headers = headers;
  return response;
}

/** `?limit=` and `?page_token=` of a paged list (`shared/http/paging.ts`). */
export function pageParameters(maxLimit = DEFAULT_PAGE_LIMITS.maxLimit, defaultLimit = DEFAULT_PAGE_LIMITS.defaultLimit): OpenApiObject[] {
  return [
    {
      name: 'limit',
      in: 'query',
      required: false,
      description: `Most items on this page (default ${defaultLimit}).`,
      schema: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
      example: 20,
    },
    {
      name: 'page_token',
      in: 'query',
      required: false,
      description: 'Where the previous page ended: copy it from that page\'s `Link: <…>; rel="next"`, never build it.',
      schema: { type: 'string' },
    },
  ];
}

/** The `Link` header of a paged list's page. */
export const nextPageLinkHeader: OpenApiObject = {
  Link: {
    description:
      'Present when more items follow: `<?…&page_token=…>; rel="next"`, a query-only reference to the next page (resolve it against the request URL); the filters are kept.',
    schema: { type: 'string' },
    example: '<?limit=20&page_token=Zx81wq0sJmV3l4QfTn2a>; rel="next"',
  },
};
