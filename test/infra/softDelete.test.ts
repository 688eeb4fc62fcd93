import * as assert from 'node:assert/strict';
import { loadInfra } from './support/terraformConfig';

/**
 * Cloud Storage keeps deleted and overwritten objects for 7 days by default (soft delete), still
 * billed and recoverable. Every bucket of the kit turns that off: user files (account images,
 * audio files) must be gone when the kit deletes them (README: deletes really delete), and the
 * function sources are re-uploadable build inputs replaced on every deploy, whose soft-deleted
 * copies would only cost money (Google's advice for temporary objects).
 */
describe('infra: no bucket keeps soft-deleted objects', () => {
  it('every google_storage_bucket sets soft_delete_policy { retention_duration_seconds = 0 }', async () => {
    const buckets = Object.entries((await loadInfra()).resources.google_storage_bucket ?? {});
    assert.ok(buckets.length > 0, 'infra/ declares buckets');
    for (const [name, bucket] of buckets) {
      const policy = (bucket.soft_delete_policy as { retention_duration_seconds?: unknown }[] | undefined)?.[0];
      assert.equal(
        policy?.retention_duration_seconds,
        0,
        `google_storage_bucket.${name}: soft_delete_policy { retention_duration_seconds = 0 }`,
      );
    }
  });
});
