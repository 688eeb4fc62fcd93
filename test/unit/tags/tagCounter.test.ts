import * as assert from 'node:assert/strict';
import { FieldValue, type Firestore } from '@google-cloud/firestore';
import { IdempotencyConflictError, TagCounter } from '../../../functions/tags/tagCounter';
import { fakeFirestore } from '../../support/fakeFirestore';

const options = { shardsCollection: 'shards', markersCollection: 'markers', shards: 16, markerTtlHours: 24 };

describe('TagCounter (Firestore stubbed)', () => {
  it('commits the marker create and a server-side increment of one shard in one batch', async () => {
    const fake = fakeFirestore();
    const counter = new TagCounter(fake.db as unknown as Firestore, { ...options, random: () => 0.5 });
    assert.equal(await counter.increment('__foo__', 4, 'r-1'), 'applied');
    assert.equal(fake.batches.length, 1);
    const [batch] = fake.batches;
    const [markerRef, marker] = batch.create.firstCall.args;
    assert.equal(markerRef.path, 'markers/r-1');
    assert.equal(marker.tag, '__foo__');
    assert.equal(marker.value, 4);
    assert.ok(marker.expires_at.toMillis() > Date.now() + 23 * 3600_000);
    const [shardRef, data, setOptions] = batch.set.firstCall.args;
    assert.equal(shardRef.path, 'shards/__foo__.8', 'a valid document id even for a reserved-looking tag');
    assert.equal(data.tag, '__foo__');
    assert.ok(data.count.isEqual(FieldValue.increment(4)));
    assert.deepEqual(setOptions, { merge: true });
    assert.equal(fake.commit.callCount, 1);
  });

  it('spreads writes over the configured shards', async () => {
    const fake = fakeFirestore();
    let next = 0;
    const counter = new TagCounter(fake.db as unknown as Firestore, { ...options, shards: 4, random: () => (next++ % 4) / 4 + 0.01 });
    for (let i = 0; i < 8; i++) await counter.increment('foo', 1, `r-${i}`);
    const ids = new Set(fake.batches.map((b) => b.set.firstCall.args[0].id));
    assert.deepEqual([...ids].sort(), ['foo.0', 'foo.1', 'foo.2', 'foo.3']);
  });

  it('does not count again when the marker already exists for the same increment (a retried commit)', async () => {
    const fake = fakeFirestore();
    fake.commit.rejects(Object.assign(new Error('ALREADY_EXISTS'), { code: 6 }));
    fake.markerGet.resolves({ data: () => ({ tag: 'foo', value: 3 }) });
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    assert.equal(await counter.increment('foo', 3, 'k-abc'), 'replayed');
  });

  it('refuses a key reused for a different increment', async () => {
    const fake = fakeFirestore();
    fake.commit.rejects(Object.assign(new Error('ALREADY_EXISTS'), { code: 6 }));
    fake.markerGet.resolves({ data: () => ({ tag: 'foo', value: 3 }) });
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    await assert.rejects(counter.increment('foo', 4, 'k-abc'), IdempotencyConflictError);
  });

  it('passes any other Firestore failure through', async () => {
    const fake = fakeFirestore();
    fake.commit.rejects(Object.assign(new Error('UNAVAILABLE'), { code: 14 }));
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    await assert.rejects(counter.increment('foo', 4, 'r-1'), /UNAVAILABLE/);
  });

  it('sums shards per tag from one streamed query ordered by tag', async () => {
    const fake = fakeFirestore();
    fake.queryPages.push(
      [
        { tag: '__foo__', count: 2 },
        { tag: 'bar', count: 1 },
      ],
      [
        { tag: 'bar', count: 5 },
        { tag: 'foo', count: 3 },
      ],
      [{ tag: 'foo', count: 4 }],
    );
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    const totals: [string, number][] = [];
    for await (const entry of counter.totals()) totals.push(entry);
    assert.deepEqual(totals, [
      ['__foo__', 2],
      ['bar', 6],
      ['foo', 7],
    ]);
    assert.equal(fake.queryCalls.length, 1);
    assert.equal(fake.queryCalls[0].orderBy, 'tag');
    assert.deepEqual(fake.queryCalls[0].select, ['tag', 'count']);
  });

  it('passes a failure of the stream through', async () => {
    const fake = fakeFirestore();
    fake.failures.query = new Error('DEADLINE_EXCEEDED');
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    await assert.rejects(async () => {
      for await (const entry of counter.totals()) void entry;
    }, /DEADLINE_EXCEEDED/);
  });

  it('yields nothing when no tag was ever incremented', async () => {
    const fake = fakeFirestore();
    const counter = new TagCounter(fake.db as unknown as Firestore, options);
    const totals: unknown[] = [];
    for await (const entry of counter.totals()) totals.push(entry);
    assert.deepEqual(totals, []);
  });
});
