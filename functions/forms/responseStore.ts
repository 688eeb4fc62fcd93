import type { DocumentSnapshot, Firestore, Timestamp } from '@google-cloud/firestore';
import { ownWrite } from '../shared/clients/firestore';
import { isAlreadyExists } from '../shared/clients/googleErrors';
import { isStoredId } from '../shared/storedIds';
import { newDeliveryData } from './deliveryStore';
import type { Delivery, StoredResponse } from './model';

/**
 * Responses in Firestore (`form_responses/{id}`), written together with their deliveries: the
 * outbox. One commit creates the response and one delivery record per async task, so a response
 * is never stored without the record that will deliver it, nor the other way round; publishing
 * to Pub/Sub comes after, and whatever is not published is found by the sweeper. A commit the
 * client library sent again after losing the answer to one that was applied is a success, not a
 * 500 for a response that is stored (the submitter would send it again, and it would be twice).
 */
export interface ResponsePage {
  items: StoredResponse[];
  nextPageToken: string | null;
}

export class ResponseStore {
  constructor(
    private readonly db: Firestore,
    private readonly collections: { responses: string; deliveries: string },
  ) {}

  /** A new response id (Firestore's random 20 characters), taken before the commit so deliveries can name it. */
  newId(): string {
    return this.db.collection(this.collections.responses).doc().id;
  }

  async submit(response: StoredResponse, deliveries: Omit<Delivery, 'created_at' | 'updated_at'>[], at: Date): Promise<void> {
    const batch = this.db.batch();
    const { id, submitted_at: _s, ...fields } = response;
    void _s;
    batch.create(this.db.collection(this.collections.responses).doc(id), { ...fields, submitted_at: at });
    for (const delivery of deliveries) {
      batch.create(this.db.collection(this.collections.deliveries).doc(delivery.id), newDeliveryData(delivery, at));
    }
    try {
      await batch.commit();
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // The id is fresh (newId) and the deliveries' ids are made from it, so a response already
      // there with this very submit time is this commit's own, applied by an earlier attempt the
      // client library retried after its answer was lost: stored, with its deliveries (one commit).
      const stored = await ownWrite(this.db.collection(this.collections.responses).doc(id), 'submitted_at', at);
      if (stored?.get('form_id') !== fields.form_id) throw err;
    }
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const snapshot = await this.db.collection(this.collections.responses).doc(id).get();
    return snapshot.exists ? toResponse(snapshot) : undefined;
  }

  async getAll(ids: string[]): Promise<StoredResponse[]> {
    if (ids.length === 0) return [];
    const snapshots = await this.db.getAll(...ids.map((id) => this.db.collection(this.collections.responses).doc(id)));
    return snapshots.filter((s) => s.exists).map(toResponse);
  }

  /** A form's responses, newest first, `pageSize` at a time; the token is the last response's id. */
  async list(formId: string, pageSize: number, pageToken?: string): Promise<ResponsePage> {
    let query = this.db
      .collection(this.collections.responses)
      .where('form_id', '==', formId)
      .orderBy('submitted_at', 'desc')
      .orderBy('__name__', 'desc')
      .limit(pageSize + 1);
    if (pageToken) {
      // A token no stored id can be (`a/b`, `__x__`) would make Firestore throw: refused like an unknown one.
      if (!isStoredId(pageToken)) throw new BadPageTokenError();
      const after = await this.db.collection(this.collections.responses).doc(pageToken).get();
      if (!after.exists || after.get('form_id') !== formId) throw new BadPageTokenError();
      query = query.startAfter(after);
    }
    const snapshot = await query.get();
    const docs = snapshot.docs.slice(0, pageSize);
    return {
      items: docs.map(toResponse),
      nextPageToken: snapshot.docs.length > pageSize ? docs[docs.length - 1].id : null,
    };
  }
}

export class BadPageTokenError extends Error {}

function toResponse(snapshot: DocumentSnapshot): StoredResponse {
  const data = snapshot.data()!;
  return {
    id: snapshot.id,
    form_id: data.form_id,
    answers: data.answers ?? {},
    submitted_at: (data.submitted_at as Timestamp).toDate().toISOString(),
    results: data.results ?? {},
    async_tasks: data.async_tasks ?? [],
  };
}
