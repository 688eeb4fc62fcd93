import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import type { SweeperConfig } from '../../../functions/forms/config';
import { sweepDeliveries } from '../../../functions/forms/deliverySweep';
import { DeliveryStore } from '../../../functions/forms/deliveryStore';
import type { Delivery, DeliveryState } from '../../../functions/forms/model';
import { createLogger } from '../../../functions/shared/logger';
import { captureLogs } from '../../support/captureLogs';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';
import { deliveryRow, seedDeliveries } from '../../support/formDeliveries';

/**
 * The sweeper's queries on the Firestore emulator, with the publisher stubbed. The case that made
 * the System E soak fail: a webhook delivery answered 503 once, recorded `failed`, and the retry
 * Pub/Sub owed it never came (the emulator lost the nack; in the cloud a re-created or sought
 * subscription does the same). Only the sweeper can notice, so it must look at `failed` too,
 * once the retry is overdue, and leave alone the ones Pub/Sub is still backing off.
 */
describe('forms: the delivery sweeper on the Firestore emulator', function () {
  this.timeout(60_000);
  const now = new Date('2026-06-01T12:00:00Z');
  const settings: SweeperConfig = { ageMs: 20_000, failedAgeMs: 25_000, batch: 100 };
  const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());

  const seed = (collection: string, rows: [string, DeliveryState, number][]) =>
    seedDeliveries(
      collection,
      rows.map(([id, state, age]) => [deliveryRow(id, state), secondsAgo(age)]),
    );

  it('republishes pending deliveries past the sweep age and failed ones whose retry is overdue, oldest first, once', async () => {
    const collection = uniqueCollection('form_deliveries');
    await seed(collection, [
      ['pending_old', 'pending', 30],
      ['pending_new', 'pending', 10],
      ['failed_lost', 'failed', 40],
      ['failed_backing_off', 'failed', 22],
      ['delivered_old', 'delivered', 60],
      ['dead_old', 'dead', 60],
    ]);
    const store = new DeliveryStore(emulatorFirestore(), collection);
    const publish = sinon.stub().callsFake(async (deliveries: Delivery[]) => deliveries.map((d) => d.id));
    const log = createLogger();

    const first = await sweepDeliveries(store, { publish }, settings, now, log);
    assert.deepEqual(first, { found: 2, republished: 2 });
    assert.deepEqual(
      logs.entries.filter((e) => e.event === 'deliveries_swept').map((e) => [e.found, e.failed, e.republished]),
      [[2, 1, 2]],
    );
    assert.deepEqual(
      (publish.firstCall.args[0] as Delivery[]).map((d) => [d.id, d.state]),
      [
        ['failed_lost', 'failed'],
        ['pending_old', 'pending'],
      ],
    );
    const touched = await store.getAll(['failed_lost', 'pending_old']);
    assert.deepEqual(
      touched.map((d) => [d.state, d.updated_at]),
      [
        ['failed', now.toISOString()],
        ['pending', now.toISOString()],
      ],
    );

    // Touched: the next sweep, a moment later, leaves them to the messages just published.
    const second = await sweepDeliveries(store, { publish }, settings, new Date(now.getTime() + 1000), log);
    assert.deepEqual(second, { found: 0, republished: 0 });
  });

  it('touches only what was published, so a publish that failed is tried again on the next sweep', async () => {
    const collection = uniqueCollection('form_deliveries');
    await seed(collection, [['failed_lost', 'failed', 40]]);
    const store = new DeliveryStore(emulatorFirestore(), collection);
    const publish = sinon.stub().resolves([]);
    assert.deepEqual(await sweepDeliveries(store, { publish }, settings, now, createLogger()), { found: 1, republished: 0 });
    assert.deepEqual(await sweepDeliveries(store, { publish }, settings, now, createLogger()), { found: 1, republished: 0 });
  });
});
