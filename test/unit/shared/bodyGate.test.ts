import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { declaredMaxBodyBytes, DEFAULT_MAX_BODY_BYTES } from '../../../functions/shared/http/bodyLimit';
import { httpFunction } from '../../../functions/shared/http/httpFunction';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../../functions/shared/http/jsonDepth';
import { sendJson } from '../../../functions/shared/http/router';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { unfinishedRequest } from '../../support/unfinishedRequest';

httpFunction('bodyGateUnderTest', [
  { method: 'GET', path: '/', handle: ({ res }) => sendJson(res, 200, 'read') },
  { method: 'POST', path: '/', handle: ({ req, res }) => sendJson(res, 200, { bytes: req.rawBody?.length ?? 0 }) },
]);

const MiB = 1024 * 1024;

describe('body gate: bodies refused before they are read (through the real Functions Framework)', () => {
  let server: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  before(async () => {
    server = await serveFunction('bodyGateUnderTest');
  });
  after(() => server.close());
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('answers 413 to a request announcing 30 MiB that sends only its first bytes, and closes the connection', async () => {
    const res = await unfinishedRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(30 * MiB) },
      chunks: [Buffer.from('{"pad": "' + 'x'.repeat(1000))],
    });
    assert.equal(res.status, 413);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.match(res.body.detail, new RegExp(`announces ${30 * MiB} bytes; at most ${DEFAULT_MAX_BODY_BYTES}`));
    assert.equal(res.headers.connection, 'close');
  });

  it('answers 413 to a chunked body as soon as it passes the limit, without waiting for its end', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const res = await unfinishedRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: DEFAULT_MAX_BODY_BYTES / chunk.length + 1 }, () => chunk),
    });
    assert.equal(res.status, 413);
    assert.match(res.body.detail, /is over 65536 bytes/);
  });

  it('accepts a chunked body within the limit', async () => {
    const res = await request(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Blob([Buffer.alloc(DEFAULT_MAX_BODY_BYTES, 'x')]).stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { bytes: DEFAULT_MAX_BODY_BYTES });
  });

  it('answers 400 to a body on a GET, whatever its size, before reading it', async () => {
    const res = await unfinishedRequest(server.url, {
      method: 'GET',
      headers: { 'content-type': 'application/json', 'content-length': String(30 * MiB) },
      chunks: [Buffer.from('{')],
    });
    assert.equal(res.status, 400);
    assert.match(res.body.detail, /GET request takes no body/);
  });

  it('answers 405 with Allow to a body on a method the function does not route', async () => {
    const res = await request(server.url, { method: 'PUT', json: { a: 1 } });
    assertProblem(res, 405);
    assert.equal(res.headers.get('allow'), 'GET, POST, HEAD');
  });

  it('answers 415 to a compressed body (body-parser would inflate it past any limit)', async () => {
    const res = await request(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ pad: 'x'.repeat(MiB) })),
    });
    assertProblem(res, 415);
    assert.match(res.body.detail, /Content-Encoding gzip/);
  });

  it('answers 400 to JSON nested deeper than the cap, before it is parsed', async () => {
    const res = await request(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}',
    });
    assertProblem(res, 400);
    assert.match(res.body.detail, new RegExp(`nests deeper than ${MAX_JSON_DEPTH}`));
  });

  it('parses JSON nested up to the cap', async () => {
    const depth = MAX_JSON_DEPTH - 1;
    const res = await request(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":' + '['.repeat(depth) + ']'.repeat(depth) + '}',
    });
    assert.equal(res.status, 200);
  });

  it('takes each limit from the function declaration: 64 KiB unless an upload needs more', () => {
    assert.equal(declaredMaxBodyBytes('incrementTag'), DEFAULT_MAX_BODY_BYTES);
    assert.equal(declaredMaxBodyBytes('bodyGateUnderTest'), DEFAULT_MAX_BODY_BYTES);
    assert.ok(declaredMaxBodyBytes('accounts') > 5 * MiB);
    assert.ok(declaredMaxBodyBytes('audios') > DEFAULT_MAX_BODY_BYTES);
  });
});

describe('jsonNestsDeeperThan', () => {
  const cases: [string, string, number, boolean][] = [
    ['a flat object', '{"a": 1, "b": [1, 2]}', 2, false],
    ['depth exactly at the cap', '[[[]]]', 3, false],
    ['one level over the cap', '[[[[]]]]', 3, true],
    ['brackets inside strings', '{"a": "[[[[[[[[[[[[", "b": 1}', 3, false],
    ['an escaped quote inside a string', '{"a": "\\"[[[[[[[[[[", "b": 1}', 3, false],
    ['siblings, not nesting', '[[],[],[],[],[],[],[],[]]', 2, false],
  ];
  for (const [name, text, max, expected] of cases) {
    it(`${name}: ${expected ? 'too deep' : 'accepted'}`, () => {
      assert.equal(jsonNestsDeeperThan(Buffer.from(text), max), expected);
    });
  }
});
