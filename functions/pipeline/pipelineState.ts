import type { Firestore } from '@google-cloud/firestore';

/**
 * The run state the workflow keeps in Firestore (`pipeline_state/<name>`: `{"done": [...]}`),
 * read by checkStatus while an execution is still running.
 */
export class PipelineState {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  /** The steps done so far for `name`; `[]` before the workflow wrote anything. */
  async done(name: string): Promise<string[]> {
    const snapshot = await this.db.collection(this.collection).doc(name).get();
    const done: unknown = snapshot.exists ? snapshot.get('done') : undefined;
    return Array.isArray(done) ? done.filter((d): d is string => typeof d === 'string') : [];
  }
}
