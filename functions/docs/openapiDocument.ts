import { problemSchema, type OpenApiFragment, type OpenApiObject } from '../shared/openapi/fragments';
import { problemResponses } from '../shared/openapi/fragments';
import { pipelineOpenApi } from '../pipeline/openapi';
import { tagsOpenApi } from '../tags/openapi';
import { accountsOpenApi } from '../accounts/openapi';
import { audiosOpenApi } from '../audios/openapi';
import { groupsOpenApi } from '../groups/openapi';
import { formsOpenApi } from '../forms/openapi';

/** Each system's fragment; a new system adds one line here. */
const FRAGMENTS: OpenApiFragment[] = [pipelineOpenApi, tagsOpenApi, accountsOpenApi, audiosOpenApi, groupsOpenApi, formsOpenApi];

const docsPaths: Record<string, OpenApiObject> = {
  '/docs': {
    get: {
      operationId: 'docs',
      tags: ['Documentation'],
      summary: 'This document, as a readable page',
      description: 'An HTML page rendering this document. `/docs/openapi.json` serves the document itself.',
      responses: {
        '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
        ...problemResponses([404, 405]),
      },
    },
  },
  '/docs/openapi.json': {
    get: {
      operationId: 'openapiDocument',
      tags: ['Documentation'],
      summary: 'This document, as JSON',
      description:
        "The OpenAPI 3.1 document of the whole collection, built from the schemas the functions validate with. Served at `/openapi.json` (where the page's relative link lands when deployed) and at `/docs/openapi.json`.",
      responses: {
        '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } },
        ...problemResponses([405]),
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the whole collection. Each function is its own deployment, so
 * paths are written as the function's URL under the project's `cloudfunctions.net` host, where
 * the first path segment is the function's name; locally each function has its own base URL.
 */
export function buildOpenApiDocument(serverUrl?: string): OpenApiObject {
  const schemas: Record<string, unknown> = { Problem: problemSchema };
  const paths: Record<string, unknown> = {};
  for (const fragment of FRAGMENTS) {
    Object.assign(schemas, fragment.schemas);
    Object.assign(paths, fragment.paths);
  }
  Object.assign(paths, docsPaths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'GCF backend kit',
      version: '0.1.0',
      description:
        'Five backend systems as Google Cloud Functions (2nd gen). Every endpoint is its own function with its own URL and service account. ' +
        'Errors are always `application/problem+json` (RFC 9457), never HTML. Requests may carry `traceparent` or `X-Cloud-Trace-Context`; the trace is on every log line of the request.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      serverUrl
        ? { url: serverUrl, description: 'This deployment' }
        : {
            url: 'https://{region}-{project}.cloudfunctions.net',
            description: 'A deployment: the first path segment is the function name.',
            variables: { region: { default: 'us-central1' }, project: { default: 'my-project' } },
          },
    ],
    tags: [
      ...FRAGMENTS.map((f) => f.tag),
      ...FRAGMENTS.flatMap((f) => f.extraTags ?? []),
      { name: 'Documentation', description: 'This document.' },
    ],
    paths,
    components: { schemas },
  };
}
