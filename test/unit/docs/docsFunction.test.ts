import * as assert from 'node:assert/strict';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';

/** The docs function over HTTP, through the real Functions Framework: its four routes and its errors. */
describe('docs function', () => {
  let server: Awaited<ReturnType<typeof serveFunction>>;
  before(async () => {
    require('../../../functions/docs/docs');
    server = await serveFunction('docs');
  });
  after(() => server.close());

  for (const path of ['/', '/docs', '/docs/']) {
    it(`serves the readable page at ${path}, linking the JSON document`, async () => {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.status, 200);
      assert.match(res.contentType, /^text\/html/);
      assert.match(res.text, /incrementTag/);
      assert.match(res.text, /openapi\.json/);
    });
  }

  for (const path of ['/openapi.json', '/docs/openapi.json']) {
    it(`serves the OpenAPI 3.1 document at ${path} (where the page's link lands, deployed or local)`, async () => {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.status, 200);
      assert.match(res.contentType, /^application\/json/);
      assert.match(res.body.openapi, /^3\.1\./);
      assert.ok(res.body.paths['/incrementTag'], 'the document describes the collection');
    });
  }

  it('answers a wrong method with a 405 problem and an unknown path with a 404 problem', async () => {
    assertProblem(await request(`${server.url}/openapi.json`, { method: 'POST' }), 405);
    assertProblem(await request(`${server.url}/nowhere`), 404);
  });
});
