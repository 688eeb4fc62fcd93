import * as assert from 'node:assert/strict';
import { DocumentReference, type DocumentData } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import * as sinon from 'sinon';
import { AudioStore, DuplicateSessionError, SessionNotFoundError } from '../../../functions/audios/audioStore';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';
import { fakeBucket } from '../../support/fakeBucket';

const ticks = [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55];
const audio = (session_id: number, step_count = 1) => ({ session_id, ticks, selected_tick: 3, step_count });

/**
 * AudioStore on the Firestore emulator: a session keyed by its id so that the `create` itself
 * refuses a duplicate (racing for real), the record written before the file and removed when the
 * file cannot be written, pages by session_id; the audio bucket is in memory.
 */
describe('AudioStore on the Firestore emulator', function () {
  this.timeout(60_000);
  let collection: string;
  let files: ReturnType<typeof fakeBucket>;
  let store: AudioStore;
  const record = async (sessionId: number) =>
    (await emulatorFirestore().collection(collection).doc(AudioStore.documentId(sessionId)).get()).data();
  const file = (sessionId: number): unknown => {
    const stored = files.objects.get(AudioStore.objectName(sessionId));
    return stored && JSON.parse(stored.data.toString());
  };

  beforeEach(() => {
    collection = uniqueCollection('audios');
    files = fakeBucket('audio');
    store = new AudioStore(emulatorFirestore(), files.bucket as unknown as Bucket, { audiosCollection: collection });
  });
  afterEach(() => sinon.restore());

  it('keys records by session_id behind a letter, so negative ids and zero are valid document ids', async () => {
    assert.equal(AudioStore.documentId(-5), 's-5');
    assert.equal(AudioStore.objectName(-5), 'sessions/-5.json');
    for (const id of [-5, 0, Number.MAX_SAFE_INTEGER]) await store.create(audio(id));
    const ids = (await emulatorFirestore().collection(collection).get()).docs.map((d) => d.id);
    assert.deepEqual(ids.sort(), ['s-5', 's0', 's9007199254740991']);
  });

  it('writes the record (marked with the request that created it), then the file', async () => {
    files.file(AudioStore.objectName(-5)).save.callsFake(async (text: string) => {
      assert.ok(await record(-5), 'the record claims the id before the file is written');
      files.objects.set(AudioStore.objectName(-5), { data: Buffer.from(text) });
    });
    await store.create(audio(-5));
    const { created_by: createdBy, ...stored } = (await record(-5)) as DocumentData;
    assert.deepEqual(stored, audio(-5));
    assert.match(createdBy, /^[0-9a-f-]{36}$/);
    assert.deepEqual(file(-5), audio(-5));
    const [, options] = files.file(AudioStore.objectName(-5)).save.firstCall.args;
    assert.deepEqual(options, { resumable: false, contentType: 'application/json' });
  });

  it('of ten concurrent creates of one session, exactly one wins; the others are duplicates and write no file', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.create(audio(7, i))));
    const won = outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<ReturnType<typeof audio>>[];
    assert.equal(won.length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof DuplicateSessionError, String(o.reason));
    assert.equal(files.file(AudioStore.objectName(7)).save.callCount, 1);
    assert.deepEqual(file(7), won[0].value);
    assert.equal(((await record(7)) as DocumentData).step_count, won[0].value.step_count);
  });

  it('takes ALREADY_EXISTS from a retried create that had been applied as success', async () => {
    // The first attempt is applied but its answer lost; the library's retry then finds the document.
    const create = DocumentReference.prototype.create;
    sinon.stub(DocumentReference.prototype, 'create').callsFake(async function (this: DocumentReference, data) {
      await create.call(this, data);
      return create.call(this, data);
    });
    await store.create(audio(9));
    assert.deepEqual(file(9), audio(9));
  });

  it('removes the record again when the file cannot be written', async () => {
    files.file(AudioStore.objectName(8)).save.rejects(new Error('storage down'));
    await assert.rejects(store.create(audio(8)), /storage down/);
    assert.equal(await record(8), undefined);
  });

  it('lists by ascending session_id, exactly the four fields, a page at a time', async () => {
    for (const id of [5, -2, 9]) await store.create(audio(id));
    await emulatorFirestore().collection(collection).doc(AudioStore.documentId(5)).update({ internal: 'x' });
    assert.deepEqual(await store.list({ limit: 10 }), { items: [audio(-2), audio(5), audio(9)] });
    const first = await store.list({ limit: 2 });
    assert.deepEqual(first, { items: [audio(-2), audio(5)], next: '5' });
    assert.deepEqual(await store.list({ limit: 2, after: 5 }), { items: [audio(9)] });
  });

  it('gets one session, or undefined', async () => {
    await store.create(audio(1));
    assert.deepEqual(await store.get(1), audio(1));
    assert.equal(await store.get(2), undefined);
  });

  it('replaces an existing session and its file; refuses an absent one, writing neither', async () => {
    await store.create(audio(4, 1));
    await store.replace(audio(4, 9));
    assert.deepEqual(await record(4), audio(4, 9));
    assert.deepEqual(file(4), audio(4, 9));
    await assert.rejects(store.replace(audio(5)), SessionNotFoundError);
    assert.equal(await record(5), undefined);
    assert.equal(file(5), undefined);
  });

  it('deletes the record and the file; absent is false, not an error', async () => {
    await store.create(audio(6));
    assert.equal(await store.delete(6), true);
    assert.equal(await record(6), undefined);
    assert.equal(file(6), undefined);
    assert.deepEqual(files.file(AudioStore.objectName(6)).delete.firstCall.args[0], { ignoreNotFound: true });
    assert.equal(await store.delete(6), false);
  });
});
