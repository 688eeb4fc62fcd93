import { createHash } from 'node:crypto';
import type { DocumentData, Firestore, Query } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import type { Page } from '../shared/http/paging';
import { normaliseEmail } from './email';
import type { AccountFilter } from './schemas';
import { isAlreadyExists, isNotFound } from '../shared/clients/googleErrors';

/** Firestore's name for the document id in `orderBy` (`FieldPath.documentId()`, without loading the library to say it). */
const DOCUMENT_ID = '__name__';

/**
 * Accounts in Firestore, their images in Cloud Storage.
 *
 * Layout: `accounts/{id}` holds `{name, email, address, image, created_at}` (`email` normalised,
 * `image` null or `{content_type, generation}`); `account_emails/{sha256(email)}` holds
 * `{email, account_id}` and exists exactly while an account has that email. The image of account
 * `id` is the object `{id}` of the images bucket, one per account, overwritten by each upload.
 *
 * Uniqueness: an account and its email document are written with `create` in one atomic
 * commit, so of two requests racing with the same email exactly one commits; the other gets
 * ALREADY_EXISTS and nothing of it is written. A replace that changes the email moves the email
 * document in the same transaction. The email is hashed for the document id because an email
 * may hold `/` or look like a reserved id (`__x__`), and an id must stay under 1,500 bytes.
 */
export interface AccountStoreOptions {
  accountsCollection: string;
  emailsCollection: string;
}

export interface AccountFields {
  name: string;
  email: string;
  address: string;
}

export interface StoredImage {
  contentType: string;
  /** The object's generation at upload: changes with every upload, so links can carry it. */
  generation: string;
}

export interface Account extends AccountFields {
  id: string;
  image: StoredImage | null;
}

/** Another account already has this (normalised) email. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account with email ${email} already exists`);
  }
}

/** No account with this id. */
export class AccountNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no account with id ${id}`);
  }
}

export class AccountStore {
  constructor(
    private readonly db: Firestore,
    private readonly images: Bucket,
    private readonly options: AccountStoreOptions,
  ) {}

  /** The email document's id: a digest, so any email is a valid id (see the class comment). */
  static emailKey(email: string): string {
    return createHash('sha256').update(normaliseEmail(email), 'utf8').digest('hex');
  }

  async create(fields: AccountFields): Promise<Account> {
    const email = normaliseEmail(fields.email);
    const accountRef = this.db.collection(this.options.accountsCollection).doc();
    const emailRef = this.db.collection(this.options.emailsCollection).doc(AccountStore.emailKey(email));
    const batch = this.db.batch();
    batch.create(emailRef, { email, account_id: accountRef.id });
    batch.create(accountRef, { name: fields.name, email, address: fields.address, image: null, created_at: new Date() });
    try {
      await batch.commit();
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // The account id is fresh, so the only document that can already exist is the email's. If
      // it names this very account, an earlier attempt of this commit (retried by the client
      // library after a lost response) was applied: the account was created, by this request.
      const holder = await emailRef.get();
      if (!holder.exists || holder.get('account_id') !== accountRef.id) throw new EmailTakenError(email);
    }
    return { id: accountRef.id, name: fields.name, email, address: fields.address, image: null };
  }

  async get(id: string): Promise<Account | undefined> {
    const snapshot = await this.db.collection(this.options.accountsCollection).doc(id).get();
    return snapshot.exists ? toAccount(id, snapshot.data()!) : undefined;
  }

  /**
   * Exact-match filters, ANDed, passed to Firestore as values of `==` filters (never spliced
   * into a query text, so nothing a client sends can change the query). One page of `limit`
   * accounts in document id order, after the id `after`: equality filters ordered by id are
   * served by Firestore's single-field indexes, so no filter combination needs a composite one.
   */
  async list(filters: Partial<Record<AccountFilter, string>>, page: { limit: number; after?: string }): Promise<Page<Account>> {
    let query: Query = this.db.collection(this.options.accountsCollection);
    for (const [field, value] of Object.entries(filters)) {
      if (value === undefined) continue;
      query = query.where(field, '==', field === 'email' ? normaliseEmail(value) : value);
    }
    query = query.orderBy(DOCUMENT_ID);
    if (page.after !== undefined) query = query.startAfter(page.after);
    // One more than the page tells whether another follows.
    const snapshot = await query.limit(page.limit + 1).get();
    const accounts = snapshot.docs.slice(0, page.limit).map((doc) => toAccount(doc.id, doc.data()));
    return snapshot.docs.length > page.limit ? { items: accounts, next: accounts[accounts.length - 1].id } : { items: accounts };
  }

  /** Replaces the three writable fields; the image stays. Writing the same values again succeeds. */
  async replace(id: string, fields: AccountFields): Promise<Account> {
    const email = normaliseEmail(fields.email);
    const accountRef = this.db.collection(this.options.accountsCollection).doc(id);
    const emails = this.db.collection(this.options.emailsCollection);
    return this.db.runTransaction(async (tx) => {
      const current = await tx.get(accountRef);
      if (!current.exists) throw new AccountNotFoundError(id);
      const before = toAccount(id, current.data()!);
      if (before.email !== email) {
        const newEmailRef = emails.doc(AccountStore.emailKey(email));
        const holder = await tx.get(newEmailRef);
        if (holder.exists && holder.get('account_id') !== id) throw new EmailTakenError(email);
        tx.delete(emails.doc(AccountStore.emailKey(before.email)));
        tx.set(newEmailRef, { email, account_id: id });
      }
      tx.update(accountRef, { name: fields.name, email, address: fields.address });
      return { ...before, name: fields.name, email, address: fields.address };
    });
  }

  /**
   * Deletes the account, its email document and its image. Idempotent: an absent account is
   * not an error, and the image object is deleted whether or not the account was found, so a
   * retry after a failure half-way leaves nothing behind. Returns whether the account existed.
   */
  async delete(id: string): Promise<boolean> {
    const accountRef = this.db.collection(this.options.accountsCollection).doc(id);
    const existed = await this.db.runTransaction(async (tx) => {
      const current = await tx.get(accountRef);
      if (!current.exists) return false;
      const emailRef = this.db.collection(this.options.emailsCollection).doc(AccountStore.emailKey(String(current.get('email'))));
      const holder = await tx.get(emailRef);
      if (holder.exists && holder.get('account_id') === id) tx.delete(emailRef);
      tx.delete(accountRef);
      return true;
    });
    await this.images.file(id).delete({ ignoreNotFound: true });
    return existed;
  }

  /**
   * Stores `data` as the account's image and records it on the account. The object is written
   * first, then the account updated in a transaction; if the account was deleted meanwhile,
   * the object is deleted again and the call fails as not found.
   */
  async setImage(id: string, data: Buffer, contentType: string): Promise<Account> {
    const accountRef = this.db.collection(this.options.accountsCollection).doc(id);
    if (!(await accountRef.get()).exists) throw new AccountNotFoundError(id);
    const file = this.images.file(id);
    await file.save(data, { resumable: false, contentType, metadata: { cacheControl: 'private, no-cache', metadata: { account_id: id } } });
    const generation = String(file.metadata?.generation ?? Date.now());
    const image: StoredImage = { contentType, generation };
    const updated = await this.db.runTransaction(async (tx) => {
      const current = await tx.get(accountRef);
      if (!current.exists) return undefined;
      tx.update(accountRef, { image: { content_type: contentType, generation } });
      return { ...toAccount(id, current.data()!), image };
    });
    if (!updated) {
      await file.delete({ ignoreNotFound: true });
      throw new AccountNotFoundError(id);
    }
    return updated;
  }

  /** The account's image bytes and type, or undefined when it has none (or the account is gone). */
  async readImage(id: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    const account = await this.get(id);
    if (!account?.image) return undefined;
    try {
      const [data] = await this.images.file(id).download();
      return { data, contentType: account.image.contentType };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

function toAccount(id: string, data: DocumentData): Account {
  const image = data.image as { content_type?: string; generation?: string } | null | undefined;
  return {
    id,
    name: String(data.name),
    email: String(data.email),
    address: String(data.address),
    image: image?.content_type ? { contentType: image.content_type, generation: String(image.generation ?? '') } : null,
  };
}
