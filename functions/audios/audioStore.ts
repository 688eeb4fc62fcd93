import { randomUUID } from 'node:crypto';
import type { DocumentData, Firestore, Query } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import type { Page } from '../shared/http/paging';
import type { Audio } from './schemas';
import { isAlreadyExists } from '../shared/clients/googleErrors';

/**
 * Audio sessions: the record in Firestore (`audios/s<session_id>`), the session's file in Cloud
 * Storage (`sessions/<session_id>.json` in the audio bucket).
 *
 * Keyed by session_id, so a duplicate is found by the `create` itself (ALREADY_EXISTS), never by
 * reading other sessions, and two racing creates cannot both win. The document id is the
 * integer behind a letter: `s-5`, `s42`, so a negative id or 0 is an ordinary, valid id.
 */
export interface AudioStoreOptions {
  audiosCollection: string;
}

export class DuplicateSessionError extends Error {
  constructor(readonly sessionId: number) {
    super(`session ${sessionId} already exists`);
  }
}

export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: number) {
    super(`no session ${sessionId}`);
  }
}

export class AudioStore {
  constructor(
    private readonly db: Firestore,
    private readonly files: Bucket,
    private readonly options: AudioStoreOptions,
  ) {}

  static documentId(sessionId: number): string {
    return `s${sessionId}`;
  }

  static objectName(sessionId: number): string {
    return `sessions/${sessionId}.json`;
  }

  private ref(sessionId: number) {
    return this.db.collection(this.options.audiosCollection).doc(AudioStore.documentId(sessionId));
  }

  /** Creates the record, then writes the file; if the file cannot be written the record is removed again. */
  async create(audio: Audio): Promise<Audio> {
    const ref = this.ref(audio.session_id);
    // Marks the document as this request's, so a `create` the client library retried after a
    // lost response (and that had been applied) is recognised as ours, not as a duplicate.
    const createdBy = randomUUID();
    try {
      await ref.create({ ...toDocument(audio), created_by: createdBy });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      if ((await ref.get()).get('created_by') !== createdBy) throw new DuplicateSessionError(audio.session_id);
    }
    try {
      await this.writeFile(audio);
    } catch (err) {
      await ref.delete().catch(() => undefined);
      throw err;
    }
    return audio;
  }

  /** Every session, by ascending session_id. */
  /** One page of `limit` sessions by ascending session_id, after the session `after`. */
  async list(page: { limit: number; after?: number }): Promise<Page<Audio>> {
    let query: Query = this.db.collection(this.options.audiosCollection).orderBy('session_id');
    if (page.after !== undefined) query = query.startAfter(page.after);
    // One more than the page tells whether another follows.
    const snapshot = await query.limit(page.limit + 1).get();
    const audios = snapshot.docs.slice(0, page.limit).map((doc) => toAudio(doc.data()));
    return snapshot.docs.length > page.limit ? { items: audios, next: String(audios[audios.length - 1].session_id) } : { items: audios };
  }

  async get(sessionId: number): Promise<Audio | undefined> {
    const snapshot = await this.ref(sessionId).get();
    return snapshot.exists ? toAudio(snapshot.data()!) : undefined;
  }

  /** Replaces an existing session's record and file. */
  async replace(audio: Audio): Promise<Audio> {
    const ref = this.ref(audio.session_id);
    await this.db.runTransaction(async (tx) => {
      const current = await tx.get(ref);
      if (!current.exists) throw new SessionNotFoundError(audio.session_id);
      tx.set(ref, toDocument(audio));
    });
    await this.writeFile(audio);
    return audio;
  }

  /** Deletes the record and the file; absent is fine. Returns whether the record existed. */
  async delete(sessionId: number): Promise<boolean> {
    const ref = this.ref(sessionId);
    const existed = await this.db.runTransaction(async (tx) => {
      const current = await tx.get(ref);
      if (current.exists) tx.delete(ref);
      return current.exists;
    });
    await this.files.file(AudioStore.objectName(sessionId)).delete({ ignoreNotFound: true });
    return existed;
  }

  private async writeFile(audio: Audio): Promise<void> {
    await this.files
      .file(AudioStore.objectName(audio.session_id))
      .save(JSON.stringify(toAudio(audio)), { resumable: false, contentType: 'application/json' });
  }
}

function toDocument(audio: Audio): DocumentData {
  return { session_id: audio.session_id, ticks: audio.ticks, selected_tick: audio.selected_tick, step_count: audio.step_count };
}

/** Exactly the four fields, whatever else a document may hold. */
function toAudio(data: DocumentData): Audio {
  return {
    session_id: Number(data.session_id),
    ticks: (data.ticks as unknown[]).map(Number),
    selected_tick: Number(data.selected_tick),
    step_count: Number(data.step_count),
  };
}
