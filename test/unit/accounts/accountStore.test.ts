import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import * as sinon from 'sinon';
import { AccountNotFoundError, AccountStore } from '../../../functions/accounts/accountStore';
import { normaliseEmail } from '../../../functions/accounts/email';
import { fakeBucket, fakeFirestore } from './fakes';

const options = { accountsCollection: 'accounts', emailsCollection: 'emails' };
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function setup() {
  const fs = fakeFirestore();
  const images = fakeBucket('images');
  const store = new AccountStore(fs.db as unknown as Firestore, images.bucket as unknown as Bucket, options);
  return { fs, images, store };
}

describe('normaliseEmail', () => {
  const cases: [string, string][] = [
    ['ada@example.com', 'ada@example.com'],
    ['  Ada@Example.COM\t', 'Ada@example.com'],
    ['a@b@EXAMPLE.com', 'a@b@example.com'],
    ['no-at-sign', 'no-at-sign'],
  ];
  for (const [input, expected] of cases) it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(normaliseEmail(input), expected));
});

/**
 * The calls AccountStore makes and what it does when one fails, with Firestore and Cloud Storage
 * stubbed. What Firestore itself decides (of racing creates or replaces with one email, exactly
 * one wins; a taken email is refused; a deleted account frees its email) is checked on the
 * emulator: test/emulator/accounts/accountStore.emulator.test.ts.
 */
describe('AccountStore (Firestore and Cloud Storage stubbed)', () => {
  describe('create', () => {
    it('creates the account and its email document with `create` in one batch', async () => {
      const { fs, store } = setup();
      const account = await store.create({ name: 'Ada', email: ' Ada@Example.COM ', address: 'London' });
      assert.equal(fs.batches.length, 1);
      const [batch] = fs.batches;
      assert.equal(batch.create.callCount, 2);
      assert.equal(batch.set.callCount + batch.update.callCount, 0, 'never an overwrite');
      const [emailRef, emailDoc] = batch.create.firstCall.args;
      assert.equal(emailRef.path, `emails/${sha('Ada@example.com')}`);
      assert.deepEqual(emailDoc, { email: 'Ada@example.com', account_id: account.id });
      const [accountRef, accountDoc] = batch.create.secondCall.args;
      assert.equal(accountRef.path, `accounts/${account.id}`);
      assert.equal(accountDoc.email, 'Ada@example.com');
      assert.equal(accountDoc.image, null);
      assert.ok(accountDoc.created_at instanceof Date);
      assert.equal(batch.commit.callCount, 1);
      assert.deepEqual(account, { id: account.id, name: 'Ada', email: 'Ada@example.com', address: 'London', image: null });
    });

    it('hashes the email for the document id, so any email is a valid id', () => {
      for (const email of ['a/b@example.com', '__x__@y', '.@..', 'x'.repeat(400) + '@example.com']) {
        assert.match(AccountStore.emailKey(email), /^[0-9a-f]{64}$/);
      }
      assert.equal(AccountStore.emailKey('A@EXAMPLE.com '), AccountStore.emailKey('A@example.com'));
      assert.notEqual(AccountStore.emailKey('a@example.com'), AccountStore.emailKey('A@example.com'));
    });

    it('treats ALREADY_EXISTS from a retried commit that had been applied as success, not a taken email', async () => {
      const { fs, store } = setup();
      // The first attempt is applied but its answer lost; the library's retry then finds the documents.
      fs.commit.onFirstCall().callsFake(async () => {
        const batch = fs.batches[0];
        for (const [ref, data] of batch.create.args) fs.docs.set(ref.path, data);
      });
      const account = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      assert.equal(fs.docs.get(`emails/${sha('ada@example.com')}`)!.account_id, account.id);
      // The commit did answer ALREADY_EXISTS, and only then did the store read the email document to
      // find this account's id in it.
      const [batch] = fs.batches;
      await assert.rejects(batch.commit.firstCall.returnValue, { code: 6 });
      const emailRef = fs.ref('emails', sha('ada@example.com'));
      sinon.assert.calledOnce(emailRef.get);
      assert.ok(emailRef.get.calledAfter(batch.commit), 'the email document is read after the failed commit');
      const accounts = [...fs.docs.keys()].filter((path) => path.startsWith('accounts/'));
      assert.deepEqual(accounts, [`accounts/${account.id}`], 'exactly one account, the one returned');
    });

    it('lets any other Firestore failure through', async () => {
      const { fs, store } = setup();
      fs.commit.rejects(Object.assign(new Error('UNAVAILABLE'), { code: 14 }));
      await assert.rejects(store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' }), /UNAVAILABLE/);
    });
  });

  describe('list', () => {
    it('passes each filter as an == value, the email normalised, and pages in id order', async () => {
      const { fs, store } = setup();
      fs.docs.set('accounts/b', { name: 'N', email: 'x@example.com', address: 'A', image: null, created_at: new Date(2000) });
      fs.docs.set('accounts/a', { name: 'N', email: 'x@example.com', address: 'A', image: null, created_at: new Date(3000) });
      fs.docs.set('accounts/c', { name: 'N', email: 'y@example.com', address: 'A', image: null, created_at: new Date(1000) });
      const found = await store.list({ name: 'N', email: ' x@EXAMPLE.COM' }, { limit: 10 });
      assert.deepEqual(fs.queries[0].where, [
        ['name', '==', 'N'],
        ['email', '==', 'x@example.com'],
      ]);
      assert.deepEqual(
        found.items.map((a) => a.id),
        ['a', 'b'],
      );
      assert.equal(found.next, undefined, 'no next page');
      const first = await store.list({}, { limit: 2 });
      assert.deepEqual(
        first.items.map((a) => a.id),
        ['a', 'b'],
      );
      assert.equal(first.next, 'b');
      assert.deepEqual(fs.queries[1], { collection: 'accounts', where: [], orderBy: '__name__', limit: 3 }, 'one more than the page');
      const second = await store.list({}, { limit: 2, after: first.next });
      assert.deepEqual(
        second.items.map((a) => a.id),
        ['c'],
      );
      assert.equal(second.next, undefined);
    });
  });

  describe('replace', () => {
    it('updates the fields in a transaction and keeps the image; the same values again succeed', async () => {
      const { fs, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      fs.docs.get(`accounts/${a.id}`)!.image = { content_type: 'image/png', generation: '7' };
      const replaced = await store.replace(a.id, { name: 'Ada K', email: 'ada@example.com', address: 'y' });
      assert.deepEqual(replaced.image, { contentType: 'image/png', generation: '7' });
      const tx = fs.transactions[0];
      assert.equal(tx.update.callCount, 1);
      assert.deepEqual(tx.update.firstCall.args[1], { name: 'Ada K', email: 'ada@example.com', address: 'y' });
      assert.equal(tx.delete.callCount, 0, 'an unchanged email is not moved');
      await store.replace(a.id, { name: 'Ada K', email: 'ada@example.com', address: 'y' });
      assert.equal(fs.docs.get(`accounts/${a.id}`)!.name, 'Ada K');
    });

    it('moves the email document when the email changes, in the same transaction', async () => {
      const { fs, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      await store.replace(a.id, { name: 'Ada', email: 'ada@NEW.org', address: 'x' });
      const tx = fs.transactions[0];
      assert.equal(tx.get.callCount, 2, 'reads the account and the new email holder');
      assert.equal(tx.delete.firstCall.args[0].path, `emails/${sha('ada@example.com')}`);
      assert.equal(tx.set.firstCall.args[0].path, `emails/${sha('ada@new.org')}`);
      assert.ok(!fs.docs.has(`emails/${sha('ada@example.com')}`));
      assert.deepEqual(fs.docs.get(`emails/${sha('ada@new.org')}`), { email: 'ada@new.org', account_id: a.id });
    });
  });

  describe('delete', () => {
    it('deletes the account, its email document and its image object', async () => {
      const { fs, images, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      images.objects.set(a.id, { data: Buffer.from('png') });
      assert.equal(await store.delete(a.id), true);
      assert.ok(!fs.docs.has(`accounts/${a.id}`));
      assert.ok(!fs.docs.has(`emails/${sha('ada@example.com')}`));
      assert.ok(!images.objects.has(a.id));
      assert.deepEqual(images.files.get(a.id)!.delete.firstCall.args[0], { ignoreNotFound: true });
    });

    it('is idempotent: an absent account is false, and any leftover image object is still deleted', async () => {
      const { images, store } = setup();
      images.objects.set('gone', { data: Buffer.from('orphan') });
      assert.equal(await store.delete('gone'), false);
      assert.ok(!images.objects.has('gone'));
    });

    it('does not delete an email document that belongs to another account', async () => {
      const { fs, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      fs.docs.set(`emails/${sha('ada@example.com')}`, { email: 'ada@example.com', account_id: 'someoneElse' });
      await store.delete(a.id);
      assert.ok(fs.docs.has(`emails/${sha('ada@example.com')}`));
    });
  });

  describe('images', () => {
    it('saves the object (simple upload, its type) then records it on the account', async () => {
      const { fs, images, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      const updated = await store.setImage(a.id, Buffer.from('png-bytes'), 'image/png');
      const file = images.files.get(a.id)!;
      const [data, saveOptions] = file.save.firstCall.args;
      assert.equal(data.toString(), 'png-bytes');
      assert.equal(saveOptions.resumable, false);
      assert.equal(saveOptions.contentType, 'image/png');
      assert.deepEqual(updated.image, { contentType: 'image/png', generation: file.metadata.generation });
      assert.deepEqual(fs.docs.get(`accounts/${a.id}`)!.image, { content_type: 'image/png', generation: file.metadata.generation });
    });

    it('stores nothing for an absent account', async () => {
      const { images, store } = setup();
      await assert.rejects(store.setImage('nope', Buffer.from('x'), 'image/png'), AccountNotFoundError);
      assert.equal(images.objects.size, 0);
    });

    it('deletes the object again when the account vanished during the upload', async () => {
      const { fs, images, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      images.file(a.id).save.callsFake(async () => {
        images.objects.set(a.id, { data: Buffer.from('x') });
        fs.docs.delete(`accounts/${a.id}`); // a concurrent DELETE
      });
      await assert.rejects(store.setImage(a.id, Buffer.from('x'), 'image/png'), AccountNotFoundError);
      assert.ok(!images.objects.has(a.id));
    });

    it('reads the image bytes with its type; none when there is no image or the object is missing', async () => {
      const { images, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      assert.equal(await store.readImage(a.id), undefined);
      await store.setImage(a.id, Buffer.from('jpeg'), 'image/jpeg');
      assert.deepEqual(await store.readImage(a.id), { data: Buffer.from('jpeg'), contentType: 'image/jpeg' });
      images.objects.delete(a.id);
      assert.equal(await store.readImage(a.id), undefined);
      assert.equal(await store.readImage('nope'), undefined);
    });

    it('lets a storage failure other than 404 through', async () => {
      const { images, store } = setup();
      const a = await store.create({ name: 'Ada', email: 'ada@example.com', address: 'x' });
      await store.setImage(a.id, Buffer.from('jpeg'), 'image/jpeg');
      images.file(a.id).download.rejects(Object.assign(new Error('backend 503'), { code: 503 }));
      await assert.rejects(store.readImage(a.id), /503/);
    });
  });
});
