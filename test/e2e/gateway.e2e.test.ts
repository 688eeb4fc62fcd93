import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { clearFaults, injectFault, localEndpoints } from '../support/endpoints';
import { request } from '../support/http';
import { assertProblem } from '../support/problems';

/** A PNG signature and header chunk, then padding: passes the accounts function's leading-bytes check. */
function pngOf(bytes: number): Buffer {
  const head = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ', 'base64');
  return Buffer.concat([head, Buffer.alloc(bytes - head.length, 7)]);
}

/**
 * The local cloud's front door against the real functions: `<gateway>/<function>/<path>` as the
 * `cloudfunctions.net` host answers deployed, with the fault proxies still in front.
 */
describe('gateway end to end', function () {
  this.timeout(60_000);
  const gateway = (): string => localEndpoints().gateway;
  afterEach(() => clearFaults());

  it('answers as the function itself does, with the query string passed on', async () => {
    const direct = await request(localEndpoints().functions.tagStats);
    const through = await request(`${gateway()}/tag-stats`);
    assert.equal(through.status, 200);
    assert.deepEqual(Object.keys(through.body), Object.keys(direct.body));
    assert.equal((await request(`${gateway()}/is-valid-input?x=hello`)).body, 'Success');
    assert.equal((await request(`${gateway()}/is-valid-input/?x=Hello`)).body, 'Fail');
  });

  it('passes problems through, with a type that resolves to the docs page on the gateway', async () => {
    const res = await request(`${gateway()}/is-valid-input?x=42`);
    assertProblem(res, 400);
    assert.equal(res.body.detail, '"int" is not allowed');
    assert.equal(res.body.type, `${gateway()}/docs/#problem-bad-request`);
    const page = await request(res.body.type);
    assert.equal(page.status, 200);
    assert.match(page.contentType, /^text\/html/);
  });

  it('keeps the fault proxy in front of each function', async () => {
    await injectFault({ function: 'tagStats', status: 429, times: 1 });
    assertProblem(await request(`${gateway()}/tag-stats`), 429);
    assert.equal((await request(`${gateway()}/tag-stats`)).status, 200);
  });

  it('takes every method: POST, GET, PUT, DELETE, HEAD, and a 405 with its Allow header', async () => {
    const email = `gateway.${Date.now()}@example.com`;
    const account = { name: 'Gate Way', email, address: '1 Front Door' };
    const created = await request(`${gateway()}/accounts`, { method: 'POST', json: account });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    const replaced = await request(`${gateway()}/accounts/${id}`, { method: 'PUT', json: { ...account, name: 'Gate Keeper' } });
    assert.equal(replaced.body.name, 'Gate Keeper');
    assert.equal((await request(`${gateway()}/accounts?email=${encodeURIComponent(email)}`)).body.length, 1);
    const head = await fetch(`${gateway()}/accounts/${id}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /json/);
    const patch = await request(`${gateway()}/accounts/${id}`, { method: 'PATCH', json: {} });
    assertProblem(patch, 405);
    assert.match(patch.headers.get('allow') ?? '', /PUT/);
    assert.equal((await request(`${gateway()}/accounts/${id}`, { method: 'DELETE' })).status, 200);
    assertProblem(await request(`${gateway()}/accounts/${id}`), 404);
  });

  it('streams a multi-MiB multipart upload to the function and the image back, byte for byte', async () => {
    const created = await request(`${gateway()}/accounts`, {
      method: 'POST',
      json: { name: 'Big Picture', email: `big.${Date.now()}@example.com`, address: '5 MiB Road' },
    });
    const id = created.body.id as string;
    const image = pngOf(4.5 * 1024 * 1024);
    const form = new FormData();
    form.append('image', new Blob([image], { type: 'image/png' }), 'big.png');
    const uploaded = await request(`${gateway()}/accounts/${id}/upload-image`, { method: 'POST', body: form });
    assert.equal(uploaded.status, 200, uploaded.text);
    const served = await fetch(`${gateway()}/accounts/${id}/image`);
    assert.equal(served.status, 200);
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(image), 'the image came back changed');
  });

  it('serves the docs page and the document, whose server is the gateway, as JSON and YAML', async () => {
    const page = await request(`${gateway()}/docs/`);
    assert.match(page.text, /swagger-ui-bundle\.js/);
    const json = await request(`${gateway()}/docs/openapi.json`);
    assert.deepEqual(
      json.body.servers.map((s: { url: string }) => s.url),
      [gateway()],
    );
    const yaml = await request(`${gateway()}/docs/openapi.yaml`);
    assert.deepEqual(parse(yaml.text), json.body);
  });

  it("refuses a function's entry point where its deployed name belongs, as the cloud does, naming the right path", async () => {
    const res = await request(`${gateway()}/tagStats`);
    assertProblem(res, 404);
    assert.match(res.body.detail, /\/tag-stats\//);
  });
});
