import * as assert from 'node:assert/strict';
import type { Firestore } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import { AudioStore, DuplicateSessionError, SessionNotFoundError } from '../../../functions/audios/audioStore';
import { fakeBucket, fakeFirestore } from './fakes';

const ticks = [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55];
const audio = (session_id: number, step_count = 1) => ({ session_id, ticks, selected_tick: 3, step_count });

function setup() {
  const fs = fakeFirestore();
  const files = fakeBucket('audio');
  const store = new AudioStore(fs.db as unknown as Firestore, files.bucket as unknown as Bucket, { audiosCollection: 'audios' });
  return { fs, files, store };
}

describe('AudioStore (Firestore and Cloud Storage stubbed)', () => {
  it('keys documents and files by session_id, negative and zero included', () => {
    assert.equal(AudioStore.documentId(-5), 's-5');
    assert.equal(AudioStore.documentId(0), 's0');
    assert.equal(AudioStore.documentId(Number.MAX_SAFE_INTEGER), 's9007199254740991');
    assert.equal(AudioStore.objectName(-5), 'sessions/-5.json');
  });

  it('creates with a Firestore `create` (no query of other sessions) and then writes the file', async () => {
    const { fs, files, store } = setup();
    await store.create(audio(-5));
    const ref = fs.ref('audios', 's-5');
    assert.equal(ref.create.callCount, 1);
    const { created_by: createdBy, ...stored } = ref.create.firstCall.args[0];
    assert.deepEqual(stored, audio(-5));
    assert.match(createdBy, /^[0-9a-f-]{36}$/);
    assert.equal(fs.queries.length, 0, 'creating never scans the stored sessions');
    const file = files.files.get('sessions/-5.json')!;
    const [text, options] = file.save.firstCall.args;
    assert.deepEqual(JSON.parse(text), audio(-5));
    assert.equal(options.resumable, false);
    assert.equal(options.contentType, 'application/json');
    assert.ok(ref.create.calledBefore(file.save), 'the record claims the id before the file is written');
  });

  it('refuses a duplicate with DuplicateSessionError and leaves the first file alone', async () => {
    const { files, store } = setup();
    await store.create(audio(7, 1));
    await assert.rejects(store.create(audio(7, 2)), DuplicateSessionError);
    assert.equal(files.files.get('sessions/7.json')!.save.callCount, 1);
    assert.deepEqual(JSON.parse(files.objects.get('sessions/7.json')!.data.toString()), audio(7, 1));
  });

  it('treats ALREADY_EXISTS from a retried create that had been applied as success', async () => {
    const { fs, files, store } = setup();
    const ref = fs.ref('audios', 's9');
    ref.create.callsFake(async (data: Record<string, unknown>) => {
      fs.docs.set('audios/s9', data); // applied, answer lost...
      throw Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6 }); // ...and the retry finds it
    });
    await store.create(audio(9));
    assert.deepEqual(JSON.parse(files.objects.get('sessions/9.json')!.data.toString()), audio(9));
  });

  it('removes the record again when the file cannot be written', async () => {
    const { fs, files, store } = setup();
    files.file('sessions/8.json').save.rejects(new Error('storage down'));
    await assert.rejects(store.create(audio(8)), /storage down/);
    assert.ok(!fs.docs.has('audios/s8'));
    assert.equal(fs.ref('audios', 's8').delete.callCount, 1);
  });

  it('lists by ascending session_id, exactly the four fields', async () => {
    const { fs, store } = setup();
    await store.create(audio(3));
    await store.create(audio(-1));
    fs.docs.get('audios/s3')!.internal = 'x';
    const list = await store.list({ limit: 10 });
    assert.equal(fs.queries[0].orderBy, 'session_id');
    assert.deepEqual(list, { items: [audio(-1), audio(3)] });
  });

  it('pages by session_id: one more than the page is read to tell whether another follows', async () => {
    const { fs, store } = setup();
    for (const id of [5, -2, 9]) await store.create(audio(id));
    const first = await store.list({ limit: 2 });
    assert.deepEqual(first, { items: [audio(-2), audio(5)], next: '5' });
    assert.equal(fs.queries[0].limit, 3);
    assert.deepEqual(await store.list({ limit: 2, after: 5 }), { items: [audio(9)] });
  });

  it('gets one session, or undefined', async () => {
    const { store } = setup();
    await store.create(audio(1));
    assert.deepEqual(await store.get(1), audio(1));
    assert.equal(await store.get(2), undefined);
  });

  it('replaces an existing session in a transaction, then rewrites its file', async () => {
    const { fs, files, store } = setup();
    await store.create(audio(4, 1));
    await store.replace(audio(4, 9));
    assert.equal(fs.transactions[0].set.callCount, 1);
    assert.deepEqual(fs.docs.get('audios/s4'), audio(4, 9));
    assert.deepEqual(JSON.parse(files.objects.get('sessions/4.json')!.data.toString()), audio(4, 9));
  });

  it('refuses to replace an absent session, writing neither record nor file', async () => {
    const { fs, files, store } = setup();
    await assert.rejects(store.replace(audio(5)), SessionNotFoundError);
    assert.ok(!fs.docs.has('audios/s5'));
    assert.equal(files.objects.size, 0);
  });

  it('deletes the record and the file; absent is false, not an error', async () => {
    const { fs, files, store } = setup();
    await store.create(audio(6));
    assert.equal(await store.delete(6), true);
    assert.ok(!fs.docs.has('audios/s6'));
    assert.ok(!files.objects.has('sessions/6.json'));
    assert.deepEqual(files.files.get('sessions/6.json')!.delete.firstCall.args[0], { ignoreNotFound: true });
    assert.equal(await store.delete(6), false);
  });
});
