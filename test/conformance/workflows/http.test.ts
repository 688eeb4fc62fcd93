import * as assert from 'node:assert/strict';
import { LOCAL_AUTH_TOKEN } from '../../../local/workflows/stdlib/http';
import { closedPort, FakeServer, json, startFakeServer } from './fake-server';
import { failure, result, run } from './harness';

describe('workflows conformance: http.* (docs: workflows/docs/http-requests, stdlib/http/*)', () => {
  let srv: FakeServer;
  let failuresLeft = 0;
  let failStatus = 429;

  before(async () => {
    srv = await startFakeServer((req, res) => {
      switch (req.path) {
        case '/echo':
          return json(
            res,
            200,
            {
              method: req.method,
              query: req.query,
              body: req.body,
              auth: req.headers.authorization ?? null,
              ct: req.headers['content-type'] ?? null,
              custom: req.headers['x-custom'] ?? null,
            },
            { 'X-Reply': 'yes' },
          );
        case '/text':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return res.end('plain text');
        case '/flaky':
          if (failuresLeft > 0) {
            failuresLeft--;
            return json(res, failStatus, { error: 'try later' });
          }
          return json(res, 200, { ok: true });
        case '/missing':
          return json(res, 404, { error: 'nope' });
        case '/slow':
          setTimeout(() => json(res, 200, { late: true }), 300);
          return;
        case '/reset':
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
          res.write('{"partial":');
          setTimeout(() => res.socket?.destroy(), 10);
          return;
        default:
          return json(res, 500, { error: 'unexpected path' });
      }
    });
  });
  after(() => srv.close());
  beforeEach(() => {
    srv.seen.length = 0;
    failuresLeft = 0;
    failStatus = 429;
  });

  it('http.get: response {code, headers, body} with the JSON body decoded, query and headers sent', async () => {
    const r = (await result(
      `
- get:
    call: http.get
    args:
      url: \${sys.get_env("BASE") + "/echo"}
      query:
        q: "a b"
        n: 2
      headers:
        X-Custom: "hi"
    result: resp
- r:
    return: \${[resp.code, resp.headers["X-Reply"], resp.body]}
`,
      undefined,
      { env: { BASE: srv.url } },
    )) as [number, string, Record<string, unknown>];
    assert.equal(r[0], 200);
    assert.equal(r[1], 'yes');
    assert.deepEqual(r[2], { method: 'GET', query: { q: 'a b', n: '2' }, body: '', auth: null, ct: null, custom: 'hi' });
  });

  it('http.post with a map body sends JSON; http.put/patch/delete/request use their methods', async () => {
    const r = (await result(
      `
- post:
    call: http.post
    args:
      url: \${sys.get_env("BASE") + "/echo"}
      body:
        name: "x"
        n: 1
    result: p
- put:
    call: http.put
    args: {url: '\${sys.get_env("BASE") + "/echo"}', body: "raw text"}
    result: u
- patch:
    call: http.patch
    args: {url: '\${sys.get_env("BASE") + "/echo"}'}
    result: pa
- del:
    call: http.delete
    args: {url: '\${sys.get_env("BASE") + "/echo"}'}
    result: d
- req:
    call: http.request
    args: {method: "OPTIONS", url: '\${sys.get_env("BASE") + "/echo"}'}
    result: o
- r:
    return: \${[p.body, u.body.method, u.body.body, u.body.ct, pa.body.method, d.body.method, o.body.method]}
`,
      undefined,
      { env: { BASE: srv.url } },
    )) as unknown[];
    assert.deepEqual(r[0], { method: 'POST', query: {}, body: '{"name":"x","n":1}', auth: null, ct: 'application/json', custom: null });
    assert.deepEqual(r.slice(1), ['PUT', 'raw text', 'text/plain; charset=utf-8', 'PATCH', 'DELETE', 'OPTIONS']);
  });

  it('a text/plain body comes back as a string', async () => {
    assert.equal(
      await result(
        `
- get:
    call: http.get
    args: {url: '\${sys.get_env("BASE") + "/text"}'}
    result: r
- ret:
    return: \${r.body}
`,
        undefined,
        { env: { BASE: srv.url } },
      ),
      'plain text',
    );
  });

  it('auth OIDC and OAuth2 add the fixed local bearer token (locally there is nobody to mint a real one)', async () => {
    const r = await result(
      `
- a:
    call: http.get
    args:
      url: \${sys.get_env("BASE") + "/echo"}
      auth:
        type: OIDC
    result: x
- b:
    call: http.get
    args:
      url: \${sys.get_env("BASE") + "/echo"}
      auth:
        type: OAuth2
    result: y
- r:
    return: \${[x.body.auth, y.body.auth]}
`,
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.deepEqual(r, [`Bearer ${LOCAL_AUTH_TOKEN}`, `Bearer ${LOCAL_AUTH_TOKEN}`]);
  });

  it('status >= 400 raises HttpError with code, headers, body and tags (docs: reference/syntax/error-types#HttpError)', async () => {
    const e = await failure(
      `
- get:
    call: http.get
    args: {url: '\${sys.get_env("BASE") + "/missing"}'}
`,
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.deepEqual(e.tags, ['HttpError']);
    assert.equal(e.code, 404);
    assert.deepEqual(e.body, { error: 'nope' });
    assert.equal((e.headers as Record<string, string>)['Content-Type'], 'application/json');
    assert.equal(typeof e.message, 'string');
  });

  it('catching HTTP errors: the documented example routes 404 and connection problems (docs: workflows/docs/http-requests#catch-errors)', async () => {
    const src = `
- read_item:
    try:
      call: http.get
      args:
        url: \${sys.get_env("URL")}
      result: api_response
    except:
      as: e
      steps:
        - known_errors:
            switch:
              - condition: \${not("HttpError" in e.tags)}
                next: connection_problem
              - condition: \${e.code == 404}
                next: url_not_found
              - condition: \${e.code == 403}
                next: auth_problem
        - unhandled_exception:
            raise: \${e}
- url_found:
    return: \${api_response.body}
- connection_problem:
    return: "Connection problem; check URL"
- url_not_found:
    return: "Sorry, URL wasn't found."
- auth_problem:
    return: "Authentication error."
`;
    assert.equal(await result(src, undefined, { env: { URL: `${srv.url}/missing` } }), "Sorry, URL wasn't found.");
    assert.equal(
      await result(src, undefined, { env: { URL: `http://127.0.0.1:${await closedPort()}/x` } }),
      'Connection problem; check URL',
    );
    assert.deepEqual(await result(src, undefined, { env: { URL: `${srv.url}/flaky` } }), { ok: true });
  });

  it('no connection raises ConnectionFailedError; a connection broken mid-response raises ConnectionError', async () => {
    const failed = await failure(
      `
- get:
    call: http.get
    args: {url: '\${sys.get_env("URL")}'}
`,
      undefined,
      { env: { URL: `http://127.0.0.1:${await closedPort()}/` } },
    );
    assert.deepEqual(failed.tags, ['ConnectionFailedError']);
    const broken = await failure(
      `
- get:
    call: http.get
    args: {url: '\${sys.get_env("BASE") + "/reset"}'}
`,
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.deepEqual(broken.tags, ['ConnectionError']);
  });

  it('timeout raises TimeoutError (docs: stdlib/http/get, timeout argument)', async () => {
    const e = await failure(
      `
- get:
    call: http.get
    args:
      url: \${sys.get_env("BASE") + "/slow"}
      timeout: 0.05
`,
      undefined,
      { env: { BASE: srv.url }, speed: 1 },
    );
    assert.deepEqual(e.tags, ['TimeoutError']);
  });

  it('http calls are blocking: refused inside expressions at deploy', async () => {
    const o = await run('- r:\n    return: ${http.get("http://x")}\n').catch((e: Error) => e);
    assert.ok(o instanceof Error && /blocking call/.test(o.message));
  });
});

describe('workflows conformance: retry (docs: reference/syntax/retrying)', () => {
  let srv: FakeServer;
  let failuresLeft = 0;
  let status = 429;
  before(async () => {
    srv = await startFakeServer((req, res) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        return json(res, status, { error: 'busy' });
      }
      return json(res, 200, { ok: true });
    });
  });
  after(() => srv.close());

  const call = (retry: string): string => `
- read_item:
    try:
      call: http.get
      args:
        url: \${sys.get_env("BASE")}
      result: api_response
    retry: ${retry}
- last_step:
    return: \${api_response.body}
`;

  it('${http.default_retry}: 5 retries with the default back-off 1 s x1.25 up to 60 s', async () => {
    failuresLeft = 5;
    status = 503;
    const o = await run(call('${http.default_retry}'), undefined, { env: { BASE: srv.url } });
    assert.deepEqual(o.result, { ok: true });
    assert.deepEqual(o.clock.sleeps, [1000, 1250, 1562.5, 1953.125, 2441.40625]);
  });

  it('${http.default_retry}: gives up after max_retries with the last error', async () => {
    failuresLeft = 6;
    status = 429;
    const o = await run(call('${http.default_retry}'), undefined, { env: { BASE: srv.url } });
    assert.equal(o.state, 'FAILED');
    assert.equal(o.error?.code, 429);
    assert.equal(o.clock.sleeps.length, 5);
  });

  it('${http.default_retry} does not retry a 404; ${http.default_retry_non_idempotent} does not retry a 502', async () => {
    failuresLeft = 1;
    status = 404;
    const a = await run(call('${http.default_retry}'), undefined, { env: { BASE: srv.url } });
    assert.equal(a.error?.code, 404);
    assert.deepEqual(a.clock.sleeps, []);
    failuresLeft = 1;
    status = 502;
    const b = await run(call('${http.default_retry_non_idempotent}'), undefined, { env: { BASE: srv.url } });
    assert.equal(b.error?.code, 502);
    failuresLeft = 2;
    status = 503;
    const c = await run(call('${http.default_retry_non_idempotent}'), undefined, { env: { BASE: srv.url } });
    assert.deepEqual(c.result, { ok: true });
    assert.deepEqual(c.clock.sleeps, [1000, 1250]);
  });

  it('predicate ${http.default_retry_predicate} with a custom back-off (documented example: 2 s, x2, max 60 s)', async () => {
    failuresLeft = 5;
    status = 502;
    const o = await run(
      call(`
      predicate: \${http.default_retry_predicate}
      max_retries: 5
      backoff:
        initial_delay: 2
        max_delay: 60
        multiplier: 2`),
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.deepEqual(o.result, { ok: true });
    assert.deepEqual(o.clock.sleeps, [2000, 4000, 8000, 16000, 32000]);
  });

  it('max_delay caps the back-off', async () => {
    failuresLeft = 4;
    status = 503;
    const o = await run(
      call(`
      predicate: \${http.default_retry_predicate_non_idempotent}
      max_retries: 4
      backoff:
        initial_delay: 1
        max_delay: 5
        multiplier: 10`),
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.deepEqual(o.clock.sleeps, [1000, 5000, 5000, 5000]);
  });

  it('a custom predicate subworkflow decides (documented example: retry on 500 only)', async () => {
    const src = `
main:
  steps:
    - read_item:
        try:
          call: http.get
          args:
            url: \${sys.get_env("BASE")}
            auth:
              type: OIDC
          result: api_response
        retry:
          predicate: \${custom_predicate}
          max_retries: 5
          backoff:
            initial_delay: 2
            max_delay: 60
            multiplier: 2
    - last_step:
        return: "OK"

custom_predicate:
  params: [e]
  steps:
    - what_to_repeat:
        switch:
          - condition: \${e.code == 500}
            return: true
    - otherwise:
        return: false
`;
    failuresLeft = 2;
    status = 500;
    const ok = await run(src, undefined, { env: { BASE: srv.url } });
    assert.equal(ok.result, 'OK');
    assert.deepEqual(ok.clock.sleeps, [2000, 4000]);
    failuresLeft = 1;
    status = 503;
    const no = await run(src, undefined, { env: { BASE: srv.url } });
    assert.equal(no.error?.code, 503);
    assert.deepEqual(no.clock.sleeps, []);
  });

  it('retry and except together: except runs once retries are exhausted (docs: reference/syntax/retrying#try-retry-except)', async () => {
    failuresLeft = 10;
    status = 503;
    const o = await run(
      `
- read_item:
    try:
      call: http.get
      args:
        url: \${sys.get_env("BASE")}
      result: api_response
    retry:
      predicate: \${http.default_retry_predicate}
      max_retries: 2
      backoff:
        initial_delay: 1
        max_delay: 10
        multiplier: 2
    except:
      as: e
      steps:
        - handle:
            return: \${"gave up with " + string(e.code)}
`,
      undefined,
      { env: { BASE: srv.url } },
    );
    assert.equal(o.result, 'gave up with 503');
    assert.deepEqual(o.clock.sleeps, [1000, 2000]);
  });

  it('retrying steps re-runs the whole try block, including assignments (docs: reference/syntax/retrying)', async () => {
    failuresLeft = 0;
    const o = await run(`
main:
  steps:
    - init:
        assign:
          - attempts: 0
    - retry_block:
        try:
          steps:
            - count:
                assign:
                  - attempts: \${attempts + 1}
            - maybe_fail:
                switch:
                  - condition: \${attempts < 3}
                    raise: {"code": 503, "tags": ["HttpError"], "message": "synthetic"}
        retry: \${http.default_retry}
    - done:
        return: \${attempts}
`);
    assert.equal(o.result, 3);
    assert.deepEqual(o.clock.sleeps, [1000, 1250]);
  });
});
