import * as fs from 'node:fs';
import * as path from 'node:path';
import { optionalUrl } from '../shared/config';
import { httpFunction } from '../shared/http/httpFunction';
import { sendJson, type Route } from '../shared/http/router';
import { buildOpenApiDocument } from './openapiDocument';
import { SWAGGER_INITIALIZER, swaggerPage } from './swaggerPage';
import { SWAGGER_UI_FILES, swaggerUiDir } from './swaggerUiFiles';

/**
 * Built once per instance: the document is static for a deployment. Its server is the front door
 * (`PUBLIC_BASE_URL`: the `cloudfunctions.net` host deployed, the gateway locally), which is
 * where this page is served too, so "try it out" is same-origin.
 */
const document = buildOpenApiDocument(optionalUrl('PUBLIC_BASE_URL'));
const page = swaggerPage(`${(document.info as { title: string }).title} API`);
let yamlText: string | undefined;

const sendPage: Route['handle'] = ({ res }) => void res.status(200).type('html').setHeader('Cache-Control', 'no-cache').send(page);
const sendDocument: Route['handle'] = ({ res }) => sendJson(res, 200, document);
const sendYaml: Route['handle'] = ({ res }) => {
  // Loaded on the first request for it: the page and the JSON never need the YAML library.
  yamlText ??= (require('yaml') as typeof import('yaml')).stringify(document, { lineWidth: 0 });
  res.status(200).type('application/yaml; charset=utf-8').send(yamlText);
};
const sendInitializer: Route['handle'] = ({ res }) =>
  void res.status(200).type('text/javascript; charset=utf-8').setHeader('Cache-Control', 'no-cache').send(SWAGGER_INITIALIZER);

/** Swagger UI's own files, read on first request and kept: they never change within a deployment. */
const assetCache = new Map<string, Buffer>();
function sendAsset(file: string, contentType: string): Route['handle'] {
  return ({ res }) => {
    let bytes = assetCache.get(file);
    if (!bytes) {
      bytes = fs.readFileSync(path.join(swaggerUiDir(__dirname), file));
      assetCache.set(file, bytes);
    }
    res.status(200).type(contentType).setHeader('Cache-Control', 'public, max-age=3600').send(bytes);
  };
}

/** Each route at `/x` (the function's URL, or `<front door>/docs/x`) and at `/docs/x` (where `/docs/openapi.yaml` lives on the seed). */
function atBoth(method: Route['method'], file: string, handle: Route['handle']): Route[] {
  return [
    { method, path: `/${file}`, handle },
    { method, path: `/docs/${file}`, handle },
  ];
}

/**
 * The docs page (Swagger UI), the document as JSON and as YAML, and the page's scripts and styles,
 * all from this function: nothing is loaded from anywhere else.
 */
export const docs = httpFunction('docs', [
  ...atBoth('GET', '', sendPage),
  ...atBoth('GET', 'openapi.json', sendDocument),
  ...atBoth('GET', 'openapi.yaml', sendYaml),
  ...atBoth('GET', 'swagger-initializer.js', sendInitializer),
  ...Object.entries(SWAGGER_UI_FILES.served).flatMap(([file, type]) => atBoth('GET', file, sendAsset(file, type))),
]);
