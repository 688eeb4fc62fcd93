import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import { INCREMENT_EVENT } from '../../../functions/tags/logEvents';
import { captureLogs } from '../../support/captureLogs';
import { fakeFirestore } from '../../support/fakeFirestore';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { useFunctionEnv } from '../../support/functionEnv';

describe('incrementTag and tagStats handlers (Firestore stubbed)', () => {
  const fake = fakeFirestore();
  let increment: Awaited<ReturnType<typeof serveFunction>>;
  let stats: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('incrementTag', 'tagStats');
    // The factory is stubbed before the modules create their counter on first use.
    sinon.stub(firestoreClient, 'firestore').returns(fake.db as never);
    require('../../../functions/tags/incrementTag');
    require('../../../functions/tags/tagStats');
    increment = await serveFunction('incrementTag');
    stats = await serveFunction('tagStats');
  });
  after(async () => {
    sinon.restore();
    restoreEnv();
    await increment.close();
    await stats.close();
  });
  beforeEach(() => {
    logs = captureLogs();
    fake.reset();
  });
  afterEach(() => logs.restore());

  it('counts an increment and writes exactly one log entry carrying tag, value and the request trace', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await request(increment.url, {
      method: 'POST',
      json: { name: 'foo', value: 4 },
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { name: 'foo', value: 4 });
    assert.equal(fake.commit.callCount, 1);
    const shards = fake.paths(process.env.TAG_SHARDS_COLLECTION);
    assert.equal(shards.length, 1);
    assert.deepEqual(fake.read(shards[0]), { tag: 'foo', count: 4 });
    const entries = logs.entries.filter((e) => e.event === INCREMENT_EVENT);
    assert.equal(entries.length, 1);
    assert.equal(entries[0].tag, 'foo');
    assert.equal(entries[0].value, 4);
    assert.equal(entries[0].severity, 'INFO');
    assert.equal(entries[0]['logging.googleapis.com/trace'], `projects/${process.env.GOOGLE_CLOUD_PROJECT}/traces/${traceId}`);
    assert.equal(entries[0]['logging.googleapis.com/spanId'], 'b7ad6b7169203331');
  });

  it('uses the Idempotency-Key as the marker id, so a retry cannot count twice', async () => {
    const send = () =>
      request(increment.url, { method: 'POST', json: { name: 'foo', value: 4 }, headers: { 'idempotency-key': 'retry-key-0001' } });
    assert.equal((await send()).status, 200);
    assert.deepEqual(fake.paths(process.env.TAG_MARKERS_COLLECTION), [`${process.env.TAG_MARKERS_COLLECTION}/k-retry-key-0001`]);
    assert.equal((await send()).status, 200, 'a retry is answered like the first request');
    const total = await request(stats.url);
    assert.deepEqual(total.body, { foo: 4 }, 'and counted once');
  });

  it('refuses a malformed Idempotency-Key without writing', async () => {
    const res = await request(increment.url, {
      method: 'POST',
      json: { name: 'foo', value: 4 },
      headers: { 'idempotency-key': 'bad key!' },
    });
    assert.equal(res.status, 400);
    assert.equal(fake.commit.callCount, 0);
  });

  it('writes nothing and logs no increment for an invalid body', async () => {
    const res = await postRaw(increment.url, '{"name": "foo", "value": 4.0}');
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].pointer, '#/value');
    assert.equal(fake.commit.callCount, 0);
    assert.equal(logs.entries.filter((e) => e.event === INCREMENT_EVENT).length, 0);
  });

  it('answers an unexpected Firestore failure with a 500 problem, logs it, and logs no increment', async () => {
    fake.commit.rejects(Object.assign(new Error('INTERNAL: backend down'), { code: 13 }));
    const res = await request(increment.url, { method: 'POST', json: { name: 'foo', value: 4 } });
    assertProblem(res, 500);
    assert.doesNotMatch(res.text, /backend down/);
    assert.equal(logs.entries.filter((e) => e.event === INCREMENT_EVENT).length, 0);
    assert.ok(logs.entries.some((e) => e.severity === 'ERROR'));
  });

  it('answers contention or an unavailable Firestore with a 503 and Retry-After, counting nothing', async () => {
    fake.commit.rejects(Object.assign(new Error('ABORTED: too much contention on these documents'), { code: 10 }));
    const res = await request(increment.url, {
      method: 'POST',
      json: { name: 'foo', value: 4 },
      headers: { 'idempotency-key': 'retry-me-0001' },
    });
    assertProblem(res, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.match(res.body.detail, /Idempotency-Key/);
    assert.doesNotMatch(res.text, /contention on these documents/);
    assert.equal(logs.entries.filter((e) => e.event === INCREMENT_EVENT).length, 0);
  });

  it('streams sorted totals', async () => {
    const shard = (id: string, tag: string, count: number) => fake.seed(`${process.env.TAG_SHARDS_COLLECTION}/${id}`, { tag, count });
    shard('foo.2', 'foo', 4);
    shard('bar.0', 'bar', 1);
    shard('__foo__.5', '__foo__', 9);
    shard('bar.7', 'bar', 2);
    const res = await request(stats.url);
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^application\/json/);
    assert.equal(res.text, '{"__foo__":9,"bar":3,"foo":4}');
  });

  it('answers {} when no tag exists', async () => {
    const res = await request(stats.url);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {});
  });

  it('answers a Firestore deadline on the first page with a 503 problem', async () => {
    fake.query.rejects(Object.assign(new Error('DEADLINE_EXCEEDED'), { code: 4 }));
    const res = await request(stats.url);
    assertProblem(res, 503);
  });
});
