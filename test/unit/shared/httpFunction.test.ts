import * as assert from 'node:assert/strict';
import { HttpError } from '../../../functions/shared/errors';
import { readJsonObject } from '../../../functions/shared/http/body';
import { frameworkContext } from '../../../functions/shared/http/frameworkContext';
import { activeDomain } from '../../../functions/shared/http/frameworkDomain';
import { httpFunction } from '../../../functions/shared/http/httpFunction';
import { sendJson } from '../../../functions/shared/http/router';
import { validator } from '../../../functions/shared/validation';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';

const validate = validator<{ n: number }>({
  type: 'object',
  properties: { n: { type: 'integer' }, x: { type: 'number' } },
  required: ['n'],
  additionalProperties: false,
});

httpFunction('conventionsUnderTest', [
  { method: 'POST', path: '/echo', handle: ({ req, res }) => sendJson(res, 200, validate(readJsonObject(req))) },
  {
    method: 'GET',
    path: '/boom',
    handle: () => {
      throw new Error('secret internal detail');
    },
  },
  {
    method: 'GET',
    path: '/domain',
    handle: async ({ res }) => {
      const atStart = activeDomain() !== undefined;
      await new Promise((resolve) => setImmediate(resolve));
      sendJson(res, 200, { atStart, afterAwait: activeDomain() !== undefined, frameworkContext: frameworkContext() ?? null });
    },
  },
  {
    method: 'GET',
    path: '/teapot',
    handle: () => {
      throw new HttpError('conflict', 'already there');
    },
  },
  {
    method: 'GET',
    path: '/grpc/{code}',
    handle: ({ params }) => {
      throw Object.assign(new Error('secret backend detail'), { code: Number(params.code) });
    },
  },
  {
    method: 'GET',
    path: '/rest/{status}',
    handle: ({ params }) => {
      throw Object.assign(new Error('secret backend detail'), { response: { status: Number(params.status) } });
    },
  },
]);

describe('httpFunction conventions (through the real Functions Framework)', () => {
  let server: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  before(async () => {
    server = await serveFunction('conventionsUnderTest');
  });
  after(() => server.close());
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  const problemCases: { name: string; send: () => Promise<import('../../support/http').ReadResponse>; status: number; detail: RegExp }[] = [
    { name: 'malformed JSON', send: () => postRaw(`${server.url}/echo`, '{"n": 1,'), status: 400, detail: /not valid JSON/ },
    { name: 'a bare JSON value (true)', send: () => postRaw(`${server.url}/echo`, 'true'), status: 400, detail: /must be a JSON object/ },
    { name: 'a JSON array', send: () => postRaw(`${server.url}/echo`, '[1]'), status: 400, detail: /must be a JSON object, got an array/ },
    { name: 'no body', send: () => request(`${server.url}/echo`, { method: 'POST' }), status: 400, detail: /body is required/ },
    { name: 'a text body', send: () => postRaw(`${server.url}/echo`, 'n=1', 'text/plain'), status: 415, detail: /application\/json/ },
    {
      name: 'an oversize body',
      send: () => postRaw(`${server.url}/echo`, JSON.stringify({ n: 1, pad: 'x'.repeat(70_000) })),
      status: 413,
      detail: /at most/,
    },
    {
      name: 'a decimal literal for an integer',
      send: () => postRaw(`${server.url}/echo`, '{"n": 4.0}'),
      status: 400,
      detail: /n: must be an integer/,
    },
    { name: 'an unknown path', send: () => request(`${server.url}/nowhere`), status: 404, detail: /No resource/ },
    { name: 'a wrong method', send: () => request(`${server.url}/echo`), status: 405, detail: /GET is not allowed/ },
    { name: 'an HttpError', send: () => request(`${server.url}/teapot`), status: 409, detail: /already there/ },
  ];
  for (const c of problemCases) {
    it(`answers ${c.name} with a ${c.status} problem+json body`, async () => {
      const res = await c.send();
      assert.equal(res.status, c.status);
      assert.match(res.contentType, /^application\/problem\+json/);
      assert.equal(res.body.status, c.status);
      assert.match(res.body.detail, c.detail);
      assert.ok(res.body.type && res.body.title);
    });
  }

  it('accepts a valid body, including a decimal literal where a number is allowed', async () => {
    const res = await postRaw(`${server.url}/echo`, '{"n": 4, "x": 4.0}');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { n: 4, x: 4 });
  });

  it('lists every invalid field in errors[] with a JSON pointer', async () => {
    const res = await request(`${server.url}/echo`, { method: 'POST', json: { n: 'one', extra: true } });
    assert.equal(res.status, 400);
    assert.deepEqual((res.body.errors as { pointer: string }[]).map((e) => e.pointer).sort(), ['#/extra', '#/n']);
  });

  it('sets Allow on a 405', async () => {
    const res = await request(`${server.url}/boom`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  it('answers an unexpected failure with a 500 problem that hides the error, and logs it with the trace and stack', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await request(`${server.url}/boom`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    assert.equal(res.status, 500);
    assert.match(res.contentType, /problem\+json/);
    assert.doesNotMatch(res.text, /secret internal detail|at .*\.js/);
    const error = logs.entries.find((e) => e.severity === 'ERROR' && e.message === 'unhandled error');
    assert.ok(error, 'an ERROR line is logged');
    assert.equal(error['logging.googleapis.com/trace'], `projects/${process.env.GOOGLE_CLOUD_PROJECT}/traces/${traceId}`);
    assert.equal(error['logging.googleapis.com/spanId'], '00f067aa0ba902b7');
    assert.match(String((error.error as { stack_trace: string }).stack_trace), /secret internal detail/);
  });

  const transient: [string, string][] = [
    ['DEADLINE_EXCEEDED', '/grpc/4'],
    ['RESOURCE_EXHAUSTED', '/grpc/8'],
    ['ABORTED (contention)', '/grpc/10'],
    ['UNAVAILABLE', '/grpc/14'],
    ['an HTTP 429 from a REST API', '/rest/429'],
    ['an HTTP 503 from a REST API', '/rest/503'],
  ];
  for (const [name, path] of transient) {
    it(`answers a Google API failure another attempt may not meet (${name}) with a 503 and Retry-After, logged at ERROR`, async () => {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.status, 503);
      assert.match(res.contentType, /^application\/problem\+json/);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(res.body.status, 503);
      assert.match(res.body.detail, /retry/i);
      assert.doesNotMatch(res.text, /secret backend detail/);
      assert.ok(logs.entries.some((e) => e.severity === 'ERROR' && e.message === 'unhandled error'));
    });
  }

  for (const [name, path] of [
    ['INTERNAL', '/grpc/13'],
    ['PERMISSION_DENIED', '/grpc/7'],
    ['an HTTP 500 from a REST API', '/rest/500'],
  ]) {
    it(`answers a Google API failure a retry would not fix (${name}) with a 500 and no Retry-After`, async () => {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('retry-after'), null);
      assert.doesNotMatch(res.text, /secret backend detail/);
    });
  }

  it("calls handlers with no framework domain or AsyncLocalStorage around them (one doubled a streamed query's CPU), before and after an await", async () => {
    const res = await request(`${server.url}/domain`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { atStart: false, afterAwait: false, frameworkContext: null });
  });

  it('labels every line of a request with its execution id itself, the framework keeping no per-request context', async () => {
    await request(`${server.url}/teapot`, { headers: { 'function-execution-id': 'exec-0123abc' } });
    await new Promise((r) => setTimeout(r, 20));
    const line = logs.entries.find((e) => e.httpRequest);
    assert.deepEqual(line?.['logging.googleapis.com/labels'], { execution_id: 'exec-0123abc' });
  });

  it('logs one httpRequest line per request, carrying the trace', async () => {
    await request(`${server.url}/teapot`, { headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' } });
    await new Promise((r) => setTimeout(r, 20));
    const lines = logs.entries.filter((e) => e.httpRequest);
    assert.equal(lines.length, 1);
    const http = lines[0].httpRequest as Record<string, unknown>;
    assert.equal(http.requestMethod, 'GET');
    assert.equal(http.status, 409);
    assert.match(String(http.latency), /^\d+\.\d+s$/);
    assert.equal(lines[0].severity, 'WARNING');
    assert.match(String(lines[0]['logging.googleapis.com/trace']), /traces\/105445aa7843bc8bf206b12000100000$/);
  });
});
