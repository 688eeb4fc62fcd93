import type { DocumentSnapshot, Firestore, Timestamp } from '@google-cloud/firestore';
import { ownWrite } from '../shared/clients/firestore';
import { isAlreadyExists, isFailedPrecondition, isNotFound } from '../shared/clients/googleErrors';
import type { Form, FormSecrets, Question, Task } from './model';

/**
 * Forms in Firestore: `forms/{id}` holds `{title, owner_email, questions, tasks, secrets,
 * created_at, updated_at}`. `secrets` (each webhook task's signing secret, by task id) lives in
 * the same document so a worker reads one document per delivery, and leaves this module only
 * through `secrets` of `StoredForm`: the API's resource is built from `form`.
 *
 * The client library sends a commit again when its answer is lost (UNAVAILABLE), and the second
 * one meets the first one's effect: ALREADY_EXISTS for a create, FAILED_PRECONDITION for a
 * replace. A form whose `updated_at` is this very write's time is that write's own, so both are
 * the success they were, not a 500 for a stored form (retried: a second form, a second secret) or
 * a 409 for the caller's own change. Writes go through `db.batch()`, as the other stores' commits,
 * so the emulator tests can lose an answer (test/support/batchCommits.ts).
 */
export interface StoredForm {
  form: Form;
  secrets: FormSecrets;
  /** The document's update time, the precondition of a replace. */
  version: Timestamp;
}

export interface FormFields {
  title: string;
  owner_email: string;
  questions: Question[];
  tasks: Task[];
}

/** The form changed between the read a replace was based on and its write. */
export class FormChangedError extends Error {}

export class FormStore {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  async create(fields: FormFields, secrets: FormSecrets): Promise<Form> {
    const ref = this.db.collection(this.collection).doc();
    const now = new Date();
    try {
      await this.db
        .batch()
        .create(ref, { ...fields, secrets, created_at: now, updated_at: now })
        .commit();
    } catch (err) {
      // The id is fresh: a form there already is this create's own if it bears this create's time.
      if (!isAlreadyExists(err) || !(await ownWrite(ref, 'updated_at', now))) throw err;
    }
    return { id: ref.id, ...fields, created_at: now.toISOString(), updated_at: now.toISOString() };
  }

  async get(id: string): Promise<StoredForm | undefined> {
    const snapshot = await this.db.collection(this.collection).doc(id).get();
    return snapshot.exists ? toStored(snapshot) : undefined;
  }

  /** Every form, oldest first. */
  async list(limit: number): Promise<Form[]> {
    const snapshot = await this.db.collection(this.collection).orderBy('created_at').limit(limit).get();
    return snapshot.docs.map((doc) => toStored(doc).form);
  }

  /** Replaces a form read at `version`; throws FormChangedError if it changed since (or is gone). */
  async replace(id: string, version: Timestamp, fields: FormFields, secrets: FormSecrets): Promise<Form> {
    const ref = this.db.collection(this.collection).doc(id);
    const now = new Date();
    try {
      await this.db
        .batch()
        .update(ref, { ...fields, secrets, updated_at: now }, { lastUpdateTime: version })
        .commit();
    } catch (err) {
      // FAILED_PRECONDITION: updated since the read, unless by this very write; NOT_FOUND: deleted since.
      const own = isFailedPrecondition(err) && (await ownWrite(ref, 'updated_at', now)) !== undefined;
      if (!own && (isFailedPrecondition(err) || isNotFound(err))) throw new FormChangedError(id);
      if (!own) throw err;
    }
    const stored = await this.get(id);
    if (!stored) throw new FormChangedError(id);
    return { ...stored.form, updated_at: now.toISOString() };
  }

  /** Deletes the form; true when it existed. Its responses and deliveries stay (they are records of what was submitted). */
  async delete(id: string): Promise<boolean> {
    const ref = this.db.collection(this.collection).doc(id);
    const snapshot = await ref.get();
    if (!snapshot.exists) return false;
    await ref.delete();
    return true;
  }
}

function toStored(snapshot: DocumentSnapshot): StoredForm {
  const data = snapshot.data()!;
  return {
    form: {
      id: snapshot.id,
      title: data.title as string,
      owner_email: data.owner_email as string,
      questions: data.questions as Question[],
      tasks: data.tasks as Task[],
      created_at: (data.created_at as Timestamp).toDate().toISOString(),
      updated_at: (data.updated_at as Timestamp).toDate().toISOString(),
    },
    secrets: (data.secrets ?? {}) as FormSecrets,
    version: snapshot.updateTime!,
  };
}
