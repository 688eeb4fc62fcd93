import * as path from 'node:path';
import { deployName, openApiModules } from '../../manifest/manifest';
import { problemSchema, type OpenApiFragment, type OpenApiObject } from '../shared/openapi/fragments';
import { problemResponses } from '../shared/openapi/fragments';
import { problemTypesMarkdown } from './problemTypes';

/**
 * Each fragment the manifest names (a function's `openapi` module, exporting `openApiFragment`),
 * once, in manifest order: a new system's fragment needs no line here. Loaded by path from the
 * compiled tree; the docs entry `ships` them, so packaging puts their closures in its package
 * (scripts/packageFunctions.ts).
 */
function loadFragments(): OpenApiFragment[] {
  // Compiled, this file is <root>/functions/docs/openapiDocument.js, and a module `functions/x/y` is <root>/functions/x/y.js.
  const root = path.join(__dirname, '..', '..');
  return openApiModules().map((module) => (require(path.join(root, module)) as { openApiFragment: OpenApiFragment }).openApiFragment);
}

const FRAGMENTS = loadFragments();

const docsPaths: Record<string, OpenApiObject> = {
  '/docs': {
    get: {
      operationId: 'docs',
      tags: ['Documentation'],
      summary: 'This document, as a readable page',
      description:
        'Swagger UI over this document, served by the `docs` function from its own files (nothing is loaded from a CDN). "Try it out" sends requests to the server above, the same origin as the page. `/docs/openapi.json` and `/docs/openapi.yaml` serve the document itself.',
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
        'The OpenAPI 3.1 document of the whole collection, built from the schemas the functions validate with. The docs function also answers it at `/docs/docs/openapi.json`, so a link written relative to the page lands either way.',
      responses: {
        '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } },
        ...problemResponses([405]),
      },
    },
  },
  '/docs/openapi.yaml': {
    get: {
      operationId: 'openapiDocumentYaml',
      tags: ['Documentation'],
      summary: 'This document, as YAML',
      description:
        'The same document as `/docs/openapi.json`, in YAML, where the System D seed project serves its own (`/docs/openapi.yaml`).',
      responses: {
        '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/yaml': { schema: { type: 'string' } } } },
        ...problemResponses([405]),
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the whole collection. Each function is its own deployment, and
 * every one also answers under the front door, `https://REGION-PROJECT.cloudfunctions.net/<name>/...`
 * deployed and `<gateway>/<name>/...` locally, where `<name>` is the deployed (kebab-case) name.
 * So that front door is the one server, and each path starts with its function's deployed name:
 * fragments write their paths with the entry point (`/incrementTag`), as their handlers know it,
 * and it is renamed here (`/increment-tag`).
 */
export function buildOpenApiDocument(serverUrl?: string): OpenApiObject {
  const schemas: Record<string, unknown> = { Problem: problemSchema };
  const paths: Record<string, unknown> = {};
  for (const fragment of FRAGMENTS) {
    Object.assign(schemas, fragment.schemas);
    for (const [path, item] of Object.entries(fragment.paths)) paths[underFrontDoor(path)] = item;
  }
  Object.assign(paths, docsPaths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'GCF backend kit',
      version: '0.1.0',
      description:
        'Five backend systems as Google Cloud Functions (2nd gen). Every endpoint is its own function with its own URL and service account. ' +
        'Errors are always `application/problem+json` (RFC 9457), never HTML. Requests may carry `traceparent` or `X-Cloud-Trace-Context`; the trace is on every log line of the request.\n\n' +
        problemTypesMarkdown(),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      serverUrl
        ? { url: serverUrl, description: 'This deployment: the first path segment is the function.' }
        : {
            url: 'https://{region}-{project}.cloudfunctions.net',
            description: 'A deployment: the first path segment is the function.',
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

/** `/incrementTag/{id}` → `/increment-tag/{id}`: the first segment is the function's deployed name. */
function underFrontDoor(path: string): string {
  const [, first, rest] = /^\/([^/]+)(.*)$/.exec(path)!;
  return `/${deployName(first)}${rest}`;
}
