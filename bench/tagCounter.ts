import { FirestoreEmulatorService } from '../local/firestore/emulatorService';
import { freePort } from '../local/ports';
import { localEnv } from '../local/wiring';
import { functionEntry } from '../manifest/manifest';
import { catalogSource, FunctionUnderTest } from './functionUnderTest';
import { printTable } from './report';
import { tagName } from '../test/support/tagNames';

/**
 * tagStats over 100,000 tags against the Firestore emulator: time to stream them all and the
 * function's peak memory, against 1,000 tags, to show memory does not grow with the number of
 * tags. (The tag counter's throughput is in `throughput.ts`, beside its limits.)
 */
const TAGS = Number(process.env.BENCH_TAGS ?? 100_000);

async function main(): Promise<void> {
  const project = 'bench-project';
  const emulator = new FirestoreEmulatorService();
  const started = await emulator.start({ projectId: project, location: 'us-central1', port: await freePort(), endpoints: {} });
  // tagStats's own environment from the manifest (its database and collections), as make dev gives it.
  const context = { projectId: project, location: 'us-central1', functionUrls: {}, variables: {} };
  const env = { GOOGLE_CLOUD_PROJECT: project, ...started.env, ...localEnv(functionEntry('tagStats').env, context) };
  try {
    await statsAtScale(env, project, started.endpoint);
  } finally {
    await emulator.stop();
  }
}

/** Seeds shard documents directly (as many increments would leave them), then reads them back through tagStats. */
async function statsAtScale(env: Record<string, string>, project: string, emulatorHost: string): Promise<void> {
  process.env.FIRESTORE_EMULATOR_HOST = emulatorHost;
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { Firestore } = require('@google-cloud/firestore') as typeof import('@google-cloud/firestore');
  const db = new Firestore({ projectId: project, databaseId: env.FIRESTORE_DATABASE });
  // Loaded here, not at the top: the Firestore client module reads FIRESTORE_DATABASE when it loads.
  process.env.FIRESTORE_DATABASE = env.FIRESTORE_DATABASE;
  const { TagCounter } = require('../functions/tags/tagCounter') as typeof import('../functions/tags/tagCounter');
  const rows: string[][] = [];
  // A collection of its own, so the throughput run's tags do not show up in the counts.
  const collection = 'bench_stats_shards';
  // A 64 MiB old-space cap: a tagStats that held every total in memory would run out of it.
  const statsEnv = { ...env, TAG_SHARDS_COLLECTION: collection, NODE_OPTIONS: '--max-old-space-size=64' };
  let seeded = 0;
  for (const count of [1_000, TAGS]) {
    const seedStart = Date.now();
    for (; seeded < count; seeded += 500) {
      const batch = db.batch();
      for (let i = seeded; i < Math.min(count, seeded + 500); i++) {
        batch.set(db.collection(collection).doc(TagCounter.shardId(tagName(i), 0)), { tag: tagName(i), count: (i % 9) + 1 });
      }
      await batch.commit();
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const fn = await FunctionUnderTest.start('tagStats', catalogSource('tagStats'), statsEnv);
    try {
      const baseline = fn.peakRssMiB();
      const t = Date.now();
      const res = await fetch(fn.url);
      if (res.status !== 200) throw new Error(`tagStats answered ${res.status} with ${count} tags`);
      const text = await res.text();
      const ms = Date.now() - t;
      const totals = JSON.parse(text) as Record<string, number>;
      const keys = Object.keys(totals);
      // Every seeded tag, once, in order, with the count it was given.
      let exact = keys.length === count;
      for (let i = 0; exact && i < count; i++) exact = keys[i] === tagName(i) && totals[tagName(i)] === (i % 9) + 1;
      if (!exact) process.exitCode = 1;
      rows.push([
        String(count),
        String(keys.length),
        exact ? 'yes' : 'NO',
        (text.length / 1024 / 1024).toFixed(2),
        String(ms),
        baseline.toFixed(0),
        fn.peakRssMiB().toFixed(0),
        seedSeconds.toFixed(0),
      ]);
    } finally {
      await fn.stop();
    }
  }
  printTable(
    'tagStats at scale (one instance, V8 old space capped at 64 MiB, Firestore emulator): peak RSS must not grow with the number of tags',
    ['tags', 'keys returned', 'totals exact', 'body MiB', 'ms', 'RSS at start MiB', 'peak RSS MiB', 'seeding s'],
    rows,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
