import * as assert from 'node:assert/strict';
import { clearFaults, injectFault, localEndpoints } from '../support/endpoints';
import { postRaw, request, type ReadResponse } from '../support/http';
import { assertProblem } from '../support/problems';

/**
 * System B over HTTP against the local cloud's URLs, as a user would call it. Each test uses
 * tag names no other test uses, so the suite does not depend on a reset.
 */
describe('tag counter end to end', function () {
  this.timeout(60_000);
  const incrementUrl = (): string => localEndpoints().functions.incrementTag;
  const statsUrl = (): string => localEndpoints().functions.tagStats;
  const run = Math.random()
    .toString(36)
    .replace(/[^a-z]/g, '')
    .slice(0, 4)
    .padEnd(4, 'q');
  const post = (body: unknown): Promise<ReadResponse> => request(incrementUrl(), { method: 'POST', json: body });

  describe('validation matrix', () => {
    const accepted: [string, unknown][] = [
      ['3 characters', { name: `${run.slice(0, 3)}`, value: 1 }],
      ['15 characters', { name: `${run}abcdefghijk`, value: 9 }],
      ['underscores', { name: `_${run}_`, value: 5 }],
    ];
    for (const [name, body] of accepted) {
      it(`accepts a name of ${name}`, async () => {
        const res = await post(body);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, body);
      });
    }

    const refused: [string, unknown][] = [
      ['a 2-character name', { name: 'ab', value: 1 }],
      ['a 16-character name', { name: 'abcdefghijklmnop', value: 1 }],
      ['an upper-case name', { name: 'Foo', value: 1 }],
      ['digits in the name', { name: 'foo1', value: 1 }],
      ['a hyphen in the name', { name: 'foo-bar', value: 1 }],
      ['a non-string name', { name: 123, value: 1 }],
      ['value 0', { name: 'foo', value: 0 }],
      ['value 10', { name: 'foo', value: 10 }],
      ['value -1', { name: 'foo', value: -1 }],
      ['value 1.5', { name: 'foo', value: 1.5 }],
      ['value "4"', { name: 'foo', value: '4' }],
      ['value true', { name: 'foo', value: true }],
      ['value null', { name: 'foo', value: null }],
      ['an extra key', { name: 'foo', value: 1, extra: 1 }],
      ['a missing value', { name: 'foo' }],
      ['a missing name', { value: 1 }],
    ];
    for (const [name, body] of refused) {
      it(`refuses ${name} with a 400 problem`, async () => assertProblem(await post(body), 400));
    }

    it('refuses value 4.0 (a decimal literal) with a 400 problem pointing at value', async () => {
      const res = await postRaw(incrementUrl(), '{"name": "foo", "value": 4.0}');
      assertProblem(res, 400);
      assert.equal(res.body.errors[0].pointer, '#/value');
    });

    const malformed: [string, () => Promise<ReadResponse>, number][] = [
      ['a missing body', () => request(incrementUrl(), { method: 'POST' }), 400],
      ['malformed JSON', () => postRaw(incrementUrl(), '{"name": "foo", "value": '), 400],
      ['a bare JSON true', () => postRaw(incrementUrl(), 'true'), 400],
      ['a JSON array', () => postRaw(incrementUrl(), '[{"name": "foo", "value": 1}]'), 400],
      ['a form body', () => postRaw(incrementUrl(), 'name=foo&value=1', 'application/x-www-form-urlencoded'), 415],
      ['an oversize body', () => postRaw(incrementUrl(), JSON.stringify({ name: 'foo', value: 1, pad: 'x'.repeat(100_000) })), 413],
      ['a wrong method', () => request(incrementUrl(), { method: 'GET' }), 405],
      ['an unknown path', () => request(`${incrementUrl()}/nope`, { method: 'POST' }), 404],
      ['a wrong method on tagStats', () => request(statsUrl(), { method: 'POST' }), 405],
      ['an unknown path on tagStats', () => request(`${statsUrl()}/nope`), 404],
    ];
    for (const [name, send, status] of malformed) {
      it(`answers ${name} with a ${status} problem`, async () => assertProblem(await send(), status));
    }

    it('sends Allow with a 405', async () => {
      const res = await request(incrementUrl(), { method: 'DELETE' });
      assert.equal(res.headers.get('allow'), 'POST');
    });
  });

  it('treats /x and /x/ as the same path', async () => {
    const res = await request(`${incrementUrl()}/`, { method: 'POST', json: { name: `${run}slash`, value: 2 } });
    assert.equal(res.status, 200);
  });

  it('sums increments per tag in tagStats, keys sorted, __foo__-style names included', async () => {
    const a = `${run}_zed`;
    const b = `__${run}__`;
    for (const [name, value] of [
      [a, 4],
      [b, 9],
      [a, 5],
      [b, 1],
    ] as const)
      assert.equal((await post({ name, value })).status, 200);
    const res = await request(statsUrl());
    assert.equal(res.status, 200);
    assert.equal(res.body[a], 9);
    assert.equal(res.body[b], 10);
    const keys = Object.keys(res.body);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('counts 200 concurrent HTTP increments exactly', async () => {
    const tag = `${run}_conc`;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => post({ name: tag, value: (i % 9) + 1 })));
    assert.ok(results.every((r) => r.status === 200));
    const expected = Array.from({ length: 200 }, (_, i) => (i % 9) + 1).reduce((a, b) => a + b, 0);
    assert.equal((await request(statsUrl())).body[tag], expected);
  });

  it('does not count a retried request with the same Idempotency-Key twice', async () => {
    const tag = `${run}_idem`;
    const headers = { 'idempotency-key': `idem-${run}-0001` };
    for (let i = 0; i < 3; i++)
      assert.equal((await request(incrementUrl(), { method: 'POST', json: { name: tag, value: 7 }, headers })).status, 200);
    assert.equal((await request(statsUrl())).body[tag], 7);
  });

  describe('with faults injected by the local cloud', () => {
    afterEach(() => clearFaults());
    it('answers an injected 429 then recovers', async () => {
      await injectFault({ function: 'tagStats', status: 429, times: 1 });
      assert.equal((await request(statsUrl())).status, 429);
      assert.equal((await request(statsUrl())).status, 200);
    });

    it('holds a request for an injected delay, then passes it on', async () => {
      await injectFault({ function: 'tagStats', delay_ms: 300, times: 1 });
      const started = Date.now();
      assert.equal((await request(statsUrl())).status, 200);
      // A lower bound only: the delay cannot be shorter than asked (no upper bound can flake).
      assert.ok(Date.now() - started >= 290, 'the request was held');
    });

    it('disarms every fault on DELETE /faults, and refuses a fault it cannot apply', async () => {
      const control = localEndpoints().control;
      await injectFault({ function: 'tagStats', status: 503, times: 5 });
      assert.equal(((await request(`${control}/faults`)).body.faults as unknown[]).length, 1);
      await clearFaults();
      assert.deepEqual((await request(`${control}/faults`)).body.faults, []);
      assert.equal((await request(statsUrl())).status, 200, 'no fault is left armed');
      const bad = await request(`${control}/faults`, { method: 'POST', json: { function: 'noSuchFunction', status: 429 } });
      assert.equal(bad.status, 400, bad.text);
    });
  });
});
