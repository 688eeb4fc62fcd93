import { httpFunction } from '../shared/http/httpFunction';
import { sendJson, type Route } from '../shared/http/router';
import { buildOpenApiDocument } from './openapiDocument';
import { renderHtml } from './renderHtml';

/** Built once per instance: the document is static for a deployment. */
const document = buildOpenApiDocument(process.env.PUBLIC_BASE_URL || undefined);
const page = renderHtml(document);

const sendPage: Route['handle'] = ({ res }) => void res.status(200).type('html').send(page);
const sendDocument: Route['handle'] = ({ res }) => sendJson(res, 200, document);

/**
 * The readable page and the JSON document. Deployed, the function's URL ends in `/docs` and the
 * page's relative link `docs/openapi.json` arrives as `/openapi.json`; on a local base URL it
 * arrives as `/docs/openapi.json`. Both are routed, so the link works in either place.
 */
export const docs = httpFunction('docs', [
  { method: 'GET', path: '/', handle: sendPage },
  { method: 'GET', path: '/docs', handle: sendPage },
  { method: 'GET', path: '/openapi.json', handle: sendDocument },
  { method: 'GET', path: '/docs/openapi.json', handle: sendDocument },
]);
