import * as assert from 'node:assert/strict';
import type { Bucket } from '@google-cloud/storage';
import * as sinon from 'sinon';
import { AccountNotFoundError, AccountStore, EmailTakenError, type AccountStoreOptions } from '../../../functions/accounts/accountStore';
import { aroundBatchCommits, appliedThenRetried } from '../../support/batchCommits';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';
import { fakeBucket } from '../../support/fakeBucket';

/**
 * AccountStore on the Firestore emulator: the email uniqueness of the create batch's
 * preconditions and of the replace and delete transactions as Firestore itself applies them,
 * racing for real, and what is stored and deleted; the images bucket is in memory.
 */
describe('AccountStore on the Firestore emulator', function () {
  this.timeout(60_000);
  let options: AccountStoreOptions;
  let images: ReturnType<typeof fakeBucket>;
  let store: AccountStore;
  let batches: sinon.SinonStub | undefined;
  const fields = (email: string, name = 'Ada') => ({ name, email, address: '1 Engine Street' });
  const emailDocs = async (): Promise<Record<string, unknown>[]> =>
    (await emulatorFirestore().collection(options.emailsCollection).get()).docs.map((d) => d.data());
  const accountDocs = async () => (await emulatorFirestore().collection(options.accountsCollection).get()).docs;

  beforeEach(() => {
    options = { accountsCollection: uniqueCollection('accounts'), emailsCollection: uniqueCollection('account_emails') };
    images = fakeBucket('images');
    store = new AccountStore(emulatorFirestore(), images.bucket as unknown as Bucket, options);
  });
  afterEach(() => batches?.restore());

  it('stores the account, its email normalised, with no image, and the email document naming it', async () => {
    const account = await store.create({ name: 'Ada', email: ' Ada@Example.COM ', address: 'London' });
    assert.deepEqual(account, { id: account.id, name: 'Ada', email: 'Ada@example.com', address: 'London', image: null });
    const [stored] = await accountDocs();
    assert.equal(stored.id, account.id);
    const { created_at: createdAt, ...rest } = stored.data();
    assert.deepEqual(rest, { name: 'Ada', email: 'Ada@example.com', address: 'London', image: null });
    assert.ok(Math.abs(createdAt.toMillis() - Date.now()) < 60_000, 'created_at is the time of the create');
    assert.deepEqual(await emailDocs(), [{ email: 'Ada@example.com', account_id: account.id }]);
    assert.deepEqual(await store.get(account.id), account);
  });

  it('keys the email document by a digest, so any email is a valid document id, the domain compared without case', async () => {
    for (const email of ['a/b@example.com', '__x__@y', '.@..', 'x'.repeat(400) + '@example.com']) {
      assert.match(AccountStore.emailKey(email), /^[0-9a-f]{64}$/);
      await store.create(fields(email));
    }
    assert.equal((await emailDocs()).length, 4);
    await assert.rejects(store.create(fields(' a/b@EXAMPLE.com ')), EmailTakenError);
    await store.create(fields('A/b@example.com')); // the local part keeps its case
  });

  it('takes ALREADY_EXISTS from a retried commit that had been applied as success, not as a taken email', async () => {
    batches = aroundBatchCommits(emulatorFirestore(), appliedThenRetried);
    const account = await store.create(fields('ada@example.com'));
    assert.deepEqual(
      (await accountDocs()).map((d) => d.id),
      [account.id],
      'exactly one account, the one returned',
    );
    assert.deepEqual(await emailDocs(), [{ email: 'ada@example.com', account_id: account.id }]);
  });

  it('lets any other Firestore failure of the create through', async () => {
    batches = aroundBatchCommits(emulatorFirestore(), async () => {
      throw Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
    });
    await assert.rejects(store.create(fields('ada@example.com')), /UNAVAILABLE/);
  });

  it('of ten concurrent creates with one email (its domain cased differently), exactly one commits', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.create(fields(i % 2 ? 'ada@Example.COM' : ' ada@example.com ', `Ada ${i}`))),
    );
    const created = outcomes.filter((o) => o.status === 'fulfilled');
    assert.equal(created.length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof EmailTakenError, String(o.reason));
    const accounts = await emulatorFirestore().collection(options.accountsCollection).get();
    assert.equal(accounts.size, 1, 'a refused create writes no account');
    const account = (created[0] as PromiseFulfilledResult<{ id: string }>).value;
    assert.deepEqual(await emailDocs(), [{ email: 'ada@example.com', account_id: account.id }]);
  });

  it('moves the email document with a replace, so the old email is free and the new one taken', async () => {
    const ada = await store.create(fields('ada@example.com'));
    await store.replace(ada.id, fields('countess@example.com'));
    assert.deepEqual(await emailDocs(), [{ email: 'countess@example.com', account_id: ada.id }]);
    await store.create(fields('ada@example.com', 'Another Ada'));
    await assert.rejects(store.create(fields('countess@EXAMPLE.com')), EmailTakenError);
  });

  it('refuses a replace to an email another account holds, changing neither', async () => {
    const ada = await store.create(fields('ada@example.com'));
    const bob = await store.create(fields('bob@example.com', 'Bob'));
    await assert.rejects(store.replace(bob.id, fields('ada@Example.com', 'Bob')), EmailTakenError);
    assert.equal((await store.get(bob.id))?.email, 'bob@example.com');
    assert.equal((await store.get(ada.id))?.email, 'ada@example.com');
    assert.equal((await emailDocs()).length, 2);
  });

  it('of two accounts replacing their email with the same new one at once, exactly one gets it', async () => {
    const ada = await store.create(fields('ada@example.com'));
    const bob = await store.create(fields('bob@example.com', 'Bob'));
    const outcomes = await Promise.allSettled([
      store.replace(ada.id, fields('shared@example.com')),
      store.replace(bob.id, fields('shared@example.com', 'Bob')),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const holders = (await emailDocs()).filter((d) => d.email === 'shared@example.com');
    assert.equal(holders.length, 1);
    const winner = holders[0].account_id === ada.id ? ada : bob;
    assert.equal((await store.get(winner.id))?.email, 'shared@example.com');
    assert.equal((await emailDocs()).length, 2, 'the loser keeps its own email document');
  });

  it('replaces the fields and keeps the image; the same values again succeed', async () => {
    const ada = await store.create(fields('ada@example.com'));
    const withImage = await store.setImage(ada.id, Buffer.from('png'), 'image/png');
    const replaced = await store.replace(ada.id, { name: 'Ada K', email: 'ada@example.com', address: 'y' });
    assert.deepEqual(replaced, { ...withImage, name: 'Ada K', address: 'y' });
    assert.deepEqual(await store.replace(ada.id, { name: 'Ada K', email: 'ada@example.com', address: 'y' }), replaced);
    assert.deepEqual(await store.get(ada.id), replaced);
    assert.deepEqual(await emailDocs(), [{ email: 'ada@example.com', account_id: ada.id }]);
  });

  it('deletes the account with its email document, so the email can be used again; an absent account is false', async () => {
    const ada = await store.create(fields('ada@example.com'));
    assert.equal(await store.delete(ada.id), true);
    assert.equal(await store.get(ada.id), undefined);
    assert.deepEqual(await emailDocs(), []);
    assert.equal(await store.delete(ada.id), false);
    await store.create(fields('ada@example.com'));
    await assert.rejects(store.replace(ada.id, fields('x@example.com')), AccountNotFoundError);
  });

  it('deletes the image object with the account, and any leftover object of an absent account (a retry after a partial failure)', async () => {
    const ada = await store.create(fields('ada@example.com'));
    await store.setImage(ada.id, Buffer.from('png'), 'image/png');
    assert.equal(await store.delete(ada.id), true);
    assert.ok(!images.objects.has(ada.id));
    assert.deepEqual(images.files.get(ada.id)!.delete.firstCall.args[0], { ignoreNotFound: true });
    images.objects.set('gone', { data: Buffer.from('orphan') });
    assert.equal(await store.delete('gone'), false);
    assert.ok(!images.objects.has('gone'));
  });

  it('does not delete an email document that names another account', async () => {
    const ada = await store.create(fields('ada@example.com'));
    const emailRef = emulatorFirestore().collection(options.emailsCollection).doc(AccountStore.emailKey('ada@example.com'));
    await emailRef.set({ email: 'ada@example.com', account_id: 'someoneElse' });
    assert.equal(await store.delete(ada.id), true);
    assert.deepEqual((await emailRef.get()).data(), { email: 'ada@example.com', account_id: 'someoneElse' });
  });

  it('saves an image (simple upload, its type) then records it on the account with its generation', async () => {
    const ada = await store.create(fields('ada@example.com'));
    const updated = await store.setImage(ada.id, Buffer.from('png-bytes'), 'image/png');
    const file = images.files.get(ada.id)!;
    const [data, saveOptions] = file.save.firstCall.args;
    assert.equal(data.toString(), 'png-bytes');
    assert.equal(saveOptions.resumable, false);
    assert.equal(saveOptions.contentType, 'image/png');
    const generation = file.metadata.generation as string;
    assert.deepEqual(updated.image, { contentType: 'image/png', generation });
    assert.deepEqual((await accountDocs())[0].get('image'), { content_type: 'image/png', generation });
  });

  it('stores no image for an absent account, and deletes the object again when the account vanished during the upload', async () => {
    await assert.rejects(store.setImage('nope', Buffer.from('x'), 'image/png'), AccountNotFoundError);
    assert.equal(images.objects.size, 0);
    const ada = await store.create(fields('ada@example.com'));
    images.file(ada.id).save.callsFake(async () => {
      images.objects.set(ada.id, { data: Buffer.from('x') });
      await emulatorFirestore().collection(options.accountsCollection).doc(ada.id).delete(); // a concurrent DELETE
    });
    await assert.rejects(store.setImage(ada.id, Buffer.from('x'), 'image/png'), AccountNotFoundError);
    assert.ok(!images.objects.has(ada.id));
  });

  it('reads the image bytes with their type; none without an image or with the object missing; other storage failures go through', async () => {
    const ada = await store.create(fields('ada@example.com'));
    assert.equal(await store.readImage(ada.id), undefined);
    await store.setImage(ada.id, Buffer.from('jpeg'), 'image/jpeg');
    assert.deepEqual(await store.readImage(ada.id), { data: Buffer.from('jpeg'), contentType: 'image/jpeg' });
    images.objects.delete(ada.id);
    assert.equal(await store.readImage(ada.id), undefined);
    assert.equal(await store.readImage('nope'), undefined);
    images.file(ada.id).download.rejects(Object.assign(new Error('backend 503'), { code: 503 }));
    await assert.rejects(store.readImage(ada.id), /503/);
  });

  it('lists by the normalised email, in id order, a page at a time', async () => {
    for (const name of ['A', 'B', 'C']) await store.create(fields(`${name.toLowerCase()}@example.com`, 'Same'));
    const first = await store.list({ name: 'Same' }, { limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.next);
    const second = await store.list({ name: 'Same' }, { limit: 2, after: first.next });
    assert.equal(second.items.length, 1);
    assert.equal(second.next, undefined);
    const ids = [...first.items, ...second.items].map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort());
    const byEmail = await store.list({ email: ' b@Example.COM' }, { limit: 10 });
    assert.deepEqual(
      byEmail.items.map((a) => a.email),
      ['b@example.com'],
    );
  });
});
