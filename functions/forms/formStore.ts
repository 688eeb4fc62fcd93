import type { DocumentSnapshot, Firestore, Timestamp } from '@google-cloud/firestore';
import { isNotFound } from '../shared/clients/googleErrors';
import type { Form, FormSecrets, Question, Task } from './model';

/**
 * Forms in Firestore: `forms/{id}` holds `{title, owner_email, questions, tasks, secrets,
 * created_at, updated_at}`. `secrets` (each webhook task's signing secret, by task id) lives in
 * the same document so a worker reads one document per delivery, and leaves this module only
 * through `secrets` of `StoredForm`: the API's resource is built from `form`.
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
    await ref.create({ ...fields, secrets, created_at: now, updated_at: now });
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
      await ref.update({ ...fields, secrets, updated_at: now }, { lastUpdateTime: version });
    } catch (err) {
      // FAILED_PRECONDITION (9): updated since the read; NOT_FOUND: deleted since.
      if ((err as { code?: unknown }).code === 9 || isNotFound(err)) throw new FormChangedError(id);
      throw err;
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
