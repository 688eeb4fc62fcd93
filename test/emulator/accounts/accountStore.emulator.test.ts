import * as assert from 'node:assert/strict';
import type { Bucket } from '@google-cloud/storage';
import { AccountNotFoundError, AccountStore, EmailTakenError, type AccountStoreOptions } from '../../../functions/accounts/accountStore';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';

/** Image objects are not what these tests are about: a bucket whose deletes succeed. */
const noImages = { file: () => ({ delete: async () => [{}] }) } as unknown as Bucket;

/**
 * AccountStore's email uniqueness on the Firestore emulator: the create batch's preconditions and
 * the replace and delete transactions as Firestore itself applies them, racing for real.
 */
describe('AccountStore on the Firestore emulator', function () {
  this.timeout(60_000);
  let options: AccountStoreOptions;
  let store: AccountStore;
  const fields = (email: string, name = 'Ada') => ({ name, email, address: '1 Engine Street' });
  const emailDocs = async (): Promise<Record<string, unknown>[]> =>
    (await emulatorFirestore().collection(options.emailsCollection).get()).docs.map((d) => d.data());

  beforeEach(() => {
    options = { accountsCollection: uniqueCollection('accounts'), emailsCollection: uniqueCollection('account_emails') };
    store = new AccountStore(emulatorFirestore(), noImages, options);
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

  it('deletes the account with its email document, so the email can be used again; an absent account is false', async () => {
    const ada = await store.create(fields('ada@example.com'));
    assert.equal(await store.delete(ada.id), true);
    assert.equal(await store.get(ada.id), undefined);
    assert.deepEqual(await emailDocs(), []);
    assert.equal(await store.delete(ada.id), false);
    await store.create(fields('ada@example.com'));
    await assert.rejects(store.replace(ada.id, fields('x@example.com')), AccountNotFoundError);
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
