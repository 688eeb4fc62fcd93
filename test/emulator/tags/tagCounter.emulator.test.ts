import * as assert from 'node:assert/strict';
import type * as sinon from 'sinon';
import { IdempotencyConflictError, TagCounter, type TagCounterOptions } from '../../../functions/tags/tagCounter';
import { aroundBatchCommits, appliedThenRetried } from '../../support/batchCommits';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';
import { tagName } from '../../support/tagNames';

async function collect(counter: TagCounter): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const entry of counter.totals()) out.push(entry);
  return out;
}

describe('TagCounter on the Firestore emulator', function () {
  this.timeout(120_000);
  let options: TagCounterOptions;
  let counter: TagCounter;

  beforeEach(() => {
    options = {
      shardsCollection: uniqueCollection('shards'),
      markersCollection: uniqueCollection('markers'),
      shards: 8,
      markerTtlHours: 1,
    };
    counter = new TagCounter(emulatorFirestore(), options);
  });
  let batches: sinon.SinonStub | undefined;
  afterEach(() => batches?.restore());
  const docs = async (collection: string) =>
    Object.fromEntries((await emulatorFirestore().collection(collection).get()).docs.map((d) => [d.id, d.data()]));

  it('writes the marker (with its expiry) and one shard, named <tag>.<shard> so even a reserved-looking tag is a valid id', async () => {
    const pinned = new TagCounter(emulatorFirestore(), { ...options, shards: 16, random: () => 0.5 });
    assert.equal(await pinned.increment('__foo__', 4, 'r-1'), 'applied');
    assert.deepEqual(await docs(options.shardsCollection), { '__foo__.8': { tag: '__foo__', count: 4 } });
    const { 'r-1': marker } = await docs(options.markersCollection);
    assert.deepEqual([marker.tag, marker.value], ['__foo__', 4]);
    const ttl = marker.expires_at.toMillis() - Date.now();
    assert.ok(ttl > 0.9 * 3600_000 && ttl <= 3600_000, `expires in markerTtlHours, not in ${ttl} ms`);
  });

  it('spreads writes over the configured shards', async () => {
    let next = 0;
    const spread = new TagCounter(emulatorFirestore(), { ...options, shards: 4, random: () => (next++ % 4) / 4 + 0.01 });
    for (let i = 0; i < 8; i++) await spread.increment('foo', 1, `r-${i}`);
    const shards = await docs(options.shardsCollection);
    assert.deepEqual(Object.keys(shards).sort(), ['foo.0', 'foo.1', 'foo.2', 'foo.3']);
    assert.deepEqual(await collect(counter), [['foo', 8]]);
  });

  it('does not count again when a retried commit finds its own marker (the first attempt was applied)', async () => {
    batches = aroundBatchCommits(emulatorFirestore(), appliedThenRetried);
    assert.equal(await counter.increment('foo', 3, 'r-lost'), 'replayed');
    assert.deepEqual(await collect(counter), [['foo', 3]]);
  });

  it('passes any other Firestore failure through', async () => {
    batches = aroundBatchCommits(emulatorFirestore(), async () => {
      throw Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    });
    await assert.rejects(counter.increment('foo', 4, 'r-1'), /UNAVAILABLE/);
  });

  it('counts 1,000 concurrent increments over a few tags exactly', async () => {
    const tags = ['alpha', 'beta', '__foo__', 'gamma_'];
    const expected = new Map<string, number>();
    const writes = Array.from({ length: 1000 }, (_, i) => {
      const tag = tags[i % tags.length];
      const value = (i % 9) + 1;
      expected.set(tag, (expected.get(tag) ?? 0) + value);
      return counter.increment(tag, value, `r-${i}`);
    });
    const outcomes = await Promise.all(writes);
    assert.ok(outcomes.every((o) => o === 'applied'));
    const totals = await collect(counter);
    assert.deepEqual(
      totals,
      [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  });

  it('stores a tag that is not a valid Firestore document id (__foo__) and reads it back', async () => {
    await counter.increment('__foo__', 5, 'r-a');
    await counter.increment('__foo__', 2, 'r-b');
    assert.deepEqual(await collect(counter), [['__foo__', 7]]);
  });

  it('counts a replayed request once', async () => {
    assert.equal(await counter.increment('foo', 3, 'k-same'), 'applied');
    assert.equal(await counter.increment('foo', 3, 'k-same'), 'replayed');
    await assert.rejects(counter.increment('foo', 4, 'k-same'), IdempotencyConflictError);
    assert.deepEqual(await collect(counter), [['foo', 3]]);
  });

  it('reads nothing from an empty collection', async () => {
    assert.deepEqual(await collect(counter), []);
  });

  it('totals 3,000 tags with two shards each, sorted, each exactly once', async () => {
    // Shard documents written directly (500 per batch) to keep the test quick; 100,000 tags are in `make bench`.
    const db = emulatorFirestore();
    const tagCount = 3000;
    const names = Array.from({ length: tagCount }, (_, i) => tagName(i));
    for (let start = 0; start < names.length; start += 500) {
      const batch = db.batch();
      for (const [offset, name] of names.slice(start, start + 500).entries()) {
        for (const shard of [0, 3]) {
          batch.set(db.collection(options.shardsCollection).doc(TagCounter.shardId(name, shard)), {
            tag: name,
            count: ((start + offset) % 9) + 1 + shard,
          });
        }
      }
      await batch.commit();
    }
    const totals = await collect(counter);
    assert.equal(totals.length, tagCount);
    const sorted = [...names].sort();
    assert.deepEqual(
      totals.map(([t]) => t),
      sorted,
    );
    const index = new Map(names.map((n, i) => [n, i]));
    for (const [tag, sum] of totals) assert.equal(sum, 2 * ((index.get(tag)! % 9) + 1) + 3, tag);
  });
});
