import * as assert from 'node:assert/strict';
import { allResources, evaluate, evaluatedFunctions, loadInfra, resource, type InfraConfig } from '../../infra/support/terraformConfig';

/**
 * System D's Terraform (infra/accounts.tf) read statically: private buckets, objects really
 * deleted, object roles on each function's own bucket only, and the environment the functions'
 * config modules read pointing at those buckets.
 */
describe('infra: System D buckets and access', function () {
  this.timeout(60_000);
  let config: InfraConfig;
  before(async () => {
    config = await loadInfra();
  });

  for (const name of ['account_images', 'audio_files']) {
    it(`${name}: uniform access, public access prevention enforced, versioning off, force_destroy tied to deletion_protection`, () => {
      const bucket = resource(config, 'google_storage_bucket', name);
      assert.equal(bucket.uniform_bucket_level_access, true);
      assert.equal(bucket.public_access_prevention, 'enforced');
      assert.equal(bucket.versioning?.[0]?.enabled, false, 'a deleted image or file must not survive as a noncurrent version');
      assert.equal(bucket.force_destroy, '${!var.deletion_protection}');
      assert.equal(bucket.project, '${var.project_id}');
    });
  }

  it('grants object access on the bucket, each function on its own bucket only', () => {
    const bindings = allResources(config).filter((r) => r.type === 'google_storage_bucket_iam_member');
    const grants = bindings
      .map(({ block }) => `${String(block.bucket)} ${String(block.role)} ${String(block.member)}`)
      .filter((g) => /account_images|audio_files/.test(g));
    assert.deepEqual(grants.sort(), [
      '${google_storage_bucket.account_images.name} roles/storage.objectAdmin serviceAccount:${google_service_account.function["accounts"].email}',
      '${google_storage_bucket.audio_files.name} roles/storage.objectAdmin serviceAccount:${google_service_account.function["audios"].email}',
    ]);
  });

  it('gives the functions Firestore access and no storage role on the project', async () => {
    const { roles } = (await evaluate({ roles: 'local.function_roles' })) as { roles: Record<string, string[]> };
    assert.deepEqual(roles.accounts, ['roles/datastore.user']);
    assert.deepEqual(roles.audios, ['roles/datastore.user']);
  });

  it('points the functions at those buckets and at the accounts URL, as the config modules read them', async () => {
    const { functions } = await evaluatedFunctions();
    assert.equal(functions.accounts.public, true);
    assert.equal(functions.audios.public, true);
    const { accounts, audios } = (await evaluate(
      { accounts: 'local.accounts_environment', audios: 'local.audios_environment' },
      { project_id: 'demo-project', region: 'europe-west1' },
    )) as Record<string, Record<string, string>>;
    assert.deepEqual(accounts, {
      ACCOUNTS_COLLECTION: 'accounts',
      ACCOUNT_EMAILS_COLLECTION: 'account_emails',
      ACCOUNT_IMAGES_BUCKET: 'demo-project-account-images',
      ACCOUNTS_PUBLIC_URL: 'https://europe-west1-demo-project.cloudfunctions.net/accounts',
    });
    assert.deepEqual(audios, { AUDIOS_COLLECTION: 'audios', AUDIO_FILES_BUCKET: 'demo-project-audio-files' });
  });
});
