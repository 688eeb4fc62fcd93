import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SWAGGER_UI_FILES } from '../../../functions/docs/swaggerUiFiles';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';

/** The docs function over HTTP, through the real Functions Framework: the page, the document, Swagger UI's files, its errors. */
describe('docs function', () => {
  let server: Awaited<ReturnType<typeof serveFunction>>;
  before(async () => {
    require('../../../functions/docs/docs');
    server = await serveFunction('docs');
  });
  after(() => server.close());

  for (const at of ['/', '/docs', '/docs/']) {
    it(`serves the Swagger UI page at ${at}, every script and style from itself`, async () => {
      const res = await request(`${server.url}${at}`);
      assert.equal(res.status, 200);
      assert.match(res.contentType, /^text\/html/);
      const sources = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(sources.includes('swagger-ui-bundle.js') && sources.includes('swagger-ui.css'), sources.join(' '));
      for (const source of sources) assert.doesNotMatch(source, /^(https?:)?\/\//, `${source} is loaded from elsewhere`);
    });
  }

  for (const at of ['', '/docs']) {
    it(`serves the OpenAPI 3.1 document as JSON and the same as YAML under ${at || '/'}`, async () => {
      const json = await request(`${server.url}${at}/openapi.json`);
      assert.equal(json.status, 200);
      assert.match(json.contentType, /^application\/json/);
      assert.match(json.body.openapi, /^3\.1\./);
      assert.ok(json.body.paths['/increment-tag'], 'the document describes the collection');
      const yaml = await request(`${server.url}${at}/openapi.yaml`);
      assert.equal(yaml.status, 200);
      assert.match(yaml.contentType, /^application\/yaml/);
      assert.deepEqual(parse(yaml.text), json.body);
    });
  }

  it("serves swagger-ui-dist's own files, byte for byte, and the page's initializer", async () => {
    const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    for (const [file, type] of Object.entries(SWAGGER_UI_FILES.served)) {
      const res = await fetch(`${server.url}/${file}`);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers.get('content-type'), type);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(dir, file))), `${file} differs`);
    }
    const init = await request(`${server.url}/swagger-initializer.js`);
    assert.match(init.text, /SwaggerUIBundle\(/);
    assert.match(init.text, /validatorUrl: null/, 'the page never sends the document to validator.swagger.io');
  });

  it('answers a wrong method with a 405 problem and an unknown path with a 404 problem', async () => {
    assertProblem(await request(`${server.url}/openapi.json`, { method: 'POST' }), 405);
    assertProblem(await request(`${server.url}/nowhere`), 404);
    assertProblem(await request(`${server.url}/index.html`), 404);
  });
});
