import type { Logger } from '../shared/logger';
import type { SweeperConfig } from './config';
import type { DeliveryStore } from './deliveryStore';
import type { DeliveryPublisher } from './publisher';

/**
 * One sweep: publishes again every delivery still `pending` `SWEEP_AFTER_SECONDS` after it was
 * written or last published (a publish that failed after the outbox commit, a message lost, a
 * replay whose publish failed), and every delivery `failed` whose next push has not come within
 * the longest retry back-off after that (its message lost after a nack, which Pub/Sub would
 * otherwise never repair: the delivery would stay `failed` for ever). Each one published is
 * touched, so it waits another period before the next sweep looks at it.
 */
export async function sweepDeliveries(
  store: Pick<DeliveryStore, 'stale' | 'touch'>,
  publisher: Pick<DeliveryPublisher, 'publish'>,
  settings: SweeperConfig,
  now: Date,
  log: Logger,
): Promise<{ found: number; republished: number }> {
  const cutoffs = { pending: new Date(now.getTime() - settings.ageMs), failed: new Date(now.getTime() - settings.failedAgeMs) };
  const stale = await store.stale(cutoffs, settings.batch);
  const published = await publisher.publish(stale, log);
  await store.touch(published, now);
  if (stale.length > 0) {
    log.warn(`republished ${published.length} of ${stale.length} stale deliveries`, {
      event: 'deliveries_swept',
      found: stale.length,
      failed: stale.filter((d) => d.state === 'failed').length,
      republished: published.length,
    });
  }
  return { found: stale.length, republished: published.length };
}
