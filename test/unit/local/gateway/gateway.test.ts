import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayRoute } from '../../../../local/gateway/gatewayRoute';
import { GatewayServer } from '../../../../local/gateway/gatewayServer';
import { request } from '../../../support/http';
import { assertProblem } from '../../../support/problems';

const NAMES = new Map([
  ['increment-tag', 'incrementTag'],
  ['accounts', 'accounts'],
  ['docs', 'docs'],
]);

describe('local gateway: routing', () => {
  const cases: { url: string; expected: ReturnType<typeof gatewayRoute> }[] = [
    { url: '/accounts', expected: { kind: 'function', name: 'accounts', path: '/' } },
    { url: '/accounts/', expected: { kind: 'function', name: 'accounts', path: '/' } },
    { url: '/accounts?name=Foo%20Bar', expected: { kind: 'function', name: 'accounts', path: '/?name=Foo%20Bar' } },
    { url: '/accounts/abc/upload-image', expected: { kind: 'function', name: 'accounts', path: '/abc/upload-image' } },
    { url: '/accounts/a%2Fb?x=1&x=2', expected: { kind: 'function', name: 'accounts', path: '/a%2Fb?x=1&x=2' } },
    { url: '/increment-tag', expected: { kind: 'function', name: 'incrementTag', path: '/' } },
    { url: '/docs/openapi.yaml', expected: { kind: 'function', name: 'docs', path: '/openapi.yaml' } },
    { url: '/', expected: { kind: 'root' } },
    { url: '/?x=1', expected: { kind: 'root' } },
    { url: '/incrementTag', expected: { kind: 'unknown', segment: 'incrementTag', suggestion: 'increment-tag' } },
    { url: '/nothing/here', expected: { kind: 'unknown', segment: 'nothing', suggestion: undefined } },
  ];
  for (const { url, expected } of cases) {
    it(`${url} → ${JSON.stringify(expected)}`, () => assert.deepEqual(gatewayRoute(url, NAMES), expected));
  }
});

/** The gateway against a scripted upstream standing in for a function's fault proxy. */
describe('local gateway: forwarding', () => {
  let upstream: http.Server;
  let gateway: GatewayServer;
  let gatewayUrl: string;
  let onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void;

  before(async () => {
    upstream = http.createServer((req, res) => onRequest(req, res));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = new GatewayServer(NAMES, (name) => (name === 'docs' ? undefined : target));
    gatewayUrl = await gateway.listen(0);
  });
  after(async () => {
    await gateway.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    it(`passes ${method} on with the path under the function, the query, headers and body; the answer's status and headers back`, async () => {
      onRequest = (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.setHeader('Set-Cookie', ['a=1', 'b=2']);
          res.writeHead(299, 'Custom Reason', { 'X-Seen': `${req.method} ${req.url} ${req.headers['x-client']}` });
          res.end(Buffer.concat(chunks));
        });
      };
      const body = method === 'GET' || method === 'OPTIONS' ? undefined : `body of ${method}`;
      const res = await fetch(`${gatewayUrl}/accounts/x/y?q=1&q=2`, { method, body, headers: { 'X-Client': 'me' } });
      assert.equal(res.status, 299);
      assert.equal(res.statusText, 'Custom Reason');
      assert.equal(res.headers.get('x-seen'), `${method} /x/y?q=1&q=2 me`);
      assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.equal(await res.text(), body ?? '');
    });
  }

  it('streams a body: the function sees its first bytes before the client has sent the rest', async () => {
    let firstChunk: (chunk: string) => void = () => undefined;
    const seenFirst = new Promise<string>((resolve) => (firstChunk = resolve));
    onRequest = (req, res) => {
      let total = 0;
      req.once('data', (c: Buffer) => firstChunk(c.toString()));
      req.on('data', (c: Buffer) => (total += c.length));
      req.on('end', () => res.end(String(total)));
    };
    const answer = new Promise<string>((resolve, reject) => {
      const req = http.request(`${gatewayUrl}/accounts/upload`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('first');
      // The rest is sent only once the upstream has the first chunk: a buffering gateway would hang here.
      void seenFirst.then(() => req.end(Buffer.alloc(6 * 1024 * 1024, 1)));
    });
    assert.equal(await seenFirst, 'first');
    assert.equal(await answer, String(5 + 6 * 1024 * 1024));
  });

  it('streams an answer: the client reads its first bytes before the function has finished', async () => {
    let finish: () => void = () => undefined;
    onRequest = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('head ');
      finish = () => res.end('tail');
    };
    const res = await fetch(`${gatewayUrl}/accounts/stream`);
    const reader = res.body!.getReader();
    assert.equal(Buffer.from((await reader.read()).value!).toString(), 'head ');
    finish();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    assert.equal(rest, 'tail');
  });

  it('redirects the root to the docs page', async () => {
    const res = await fetch(`${gatewayUrl}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/docs/');
  });

  it('answers an unknown function with a 404 problem whose type links to the docs page, naming the deployed path for an entry point', async () => {
    const res = await request(`${gatewayUrl}/incrementTag`, { method: 'POST', json: { name: 'foo', value: 1 } });
    assertProblem(res, 404);
    assert.equal(res.body.type, `${gatewayUrl}/docs/#problem-not-found`);
    assert.match(res.body.detail, /\/increment-tag\//);
    assertProblem(await request(`${gatewayUrl}/nothing`), 404);
  });

  it('answers 503 for a function that has no URL yet, and 502 when its URL does not answer', async () => {
    assertProblem(await request(`${gatewayUrl}/docs/`), 503);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadTarget = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const dead = new GatewayServer(NAMES, () => deadTarget);
    const url = await dead.listen(0);
    try {
      assertProblem(await request(`${url}/accounts`), 502);
    } finally {
      await dead.close();
    }
  });

  it('cancels the request to the function when the client goes away', async () => {
    const controller = new AbortController();
    const upstreamClosed = new Promise<void>((resolve) => {
      onRequest = (req) => {
        req.socket.once('close', () => resolve());
        controller.abort();
      };
    });
    await fetch(`${gatewayUrl}/accounts/slow`, { signal: controller.signal }).catch(() => undefined);
    await upstreamClosed;
  });
});
