import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import * as storageClient from '../../../functions/shared/clients/storage';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { fakeBucket } from '../../support/fakeBucket';
import { fakeFirestore } from '../../support/fakeFirestore';
import { useFunctionEnv } from '../../support/functionEnv';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const ticks = [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55];

/**
 * The accounts and audios functions through the real Functions Framework stack (body parsing,
 * routing, problem bodies), with Firestore and Cloud Storage in memory (test/support).
 */
describe('accounts and audios functions (Firestore and Cloud Storage stubbed)', () => {
  const fs = fakeFirestore();
  const images = fakeBucket('test-images');
  const audioFiles = fakeBucket('test-audio');
  const buckets: Record<string, unknown> = { 'test-images': images.bucket, 'test-audio': audioFiles.bucket };
  let accounts: Awaited<ReturnType<typeof serveFunction>>;
  let audios: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  const bucketStub = sinon.stub().callsFake((name: string) => buckets[name]);

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('accounts', 'audios');
    process.env.ACCOUNT_IMAGES_BUCKET = 'test-images';
    process.env.ACCOUNTS_PUBLIC_URL = 'https://fn.example/accounts/';
    process.env.AUDIO_FILES_BUCKET = 'test-audio';
    sinon.stub(firestoreClient, 'firestore').returns(fs.db as never);
    sinon.stub(storageClient, 'storage').returns({ bucket: bucketStub } as never);
    require('../../../functions/accounts/accounts');
    require('../../../functions/audios/audios');
    accounts = await serveFunction('accounts');
    audios = await serveFunction('audios');
  });
  after(async () => {
    sinon.restore();
    restoreEnv();
    await accounts.close();
    await audios.close();
  });
  beforeEach(() => {
    logs = captureLogs();
    fs.reset();
  });
  afterEach(() => logs.restore());

  const uploadForm = (field: string, data: Buffer | string, filename: string, type: string): FormData => {
    const form = new FormData();
    form.append(field, new Blob([data], { type }), filename);
    return form;
  };

  describe('accounts', () => {
    it('creates (201), with Location and the email normalised, through the account bucket and the configured collections', async () => {
      const res = await request(accounts.url, { method: 'POST', json: { name: 'Ada', email: 'ada@EXAMPLE.com', address: 'London' } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.email, 'ada@example.com');
      assert.equal(res.body.image_hosted_link, null);
      assert.equal(res.headers.get('location'), `https://fn.example/accounts/${res.body.id}`);
      assert.ok(fs.read(`accounts/${res.body.id}`));
      assert.ok(bucketStub.calledWith('test-images'));
    });

    it('builds image_hosted_link from ACCOUNTS_PUBLIC_URL after an upload, and serves the bytes back', async () => {
      const created = await request(accounts.url, { method: 'POST', json: { name: 'Img', email: 'img@example.com', address: 'x' } });
      const res = await request(`${accounts.url}/${created.body.id}/upload-image`, {
        method: 'POST',
        body: uploadForm('image', PNG, 'me.png', 'image/png'),
      });
      assert.equal(res.status, 200, res.text);
      const generation = images.files.get(created.body.id)!.metadata.generation as string;
      assert.equal(res.body.image_hosted_link, `https://fn.example/accounts/${created.body.id}/image?v=${generation}`);
      assert.deepEqual(images.objects.get(created.body.id)!.data, PNG);
      const image = await fetch(`${accounts.url}/${created.body.id}/image`);
      assert.equal(image.headers.get('content-type'), 'image/png');
      // An upload served from the shared origin runs nothing and is not embedded elsewhere.
      assert.equal(image.headers.get('content-security-policy'), "sandbox; default-src 'none'");
      assert.equal(image.headers.get('cross-origin-resource-policy'), 'same-origin');
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);
    });

    it('validates before touching Firestore', async () => {
      const before = fs.db.batch.callCount;
      const res = await request(accounts.url, { method: 'POST', json: { name: 'A', email: 'nope', address: 'x' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].pointer, '#/email');
      assert.equal(fs.db.batch.callCount, before);
    });

    it('answers a duplicate email with a 400 problem at #/email', async () => {
      await request(accounts.url, { method: 'POST', json: { name: 'A', email: 'dup@example.com', address: 'x' } });
      const res = await request(accounts.url, { method: 'POST', json: { name: 'B', email: ' dup@Example.com', address: 'y' } });
      assertProblem(res, 400, '#/email');
      assert.deepEqual(res.body.errors, [{ pointer: '#/email', detail: 'is already used by another account' }]);
    });

    it('answers a Firestore failure with a 500 problem that leaks nothing, logged at ERROR', async () => {
      fs.commit.rejects(Object.assign(new Error('INTERNAL: secret backend detail'), { code: 13 }));
      const res = await request(accounts.url, { method: 'POST', json: { name: 'A', email: 'down@example.com', address: 'x' } });
      assertProblem(res, 500);
      assert.doesNotMatch(res.text, /secret backend detail/);
      assert.ok(logs.entries.some((e) => e.severity === 'ERROR'));
    });

    it('answers a non-JSON body with a 400 naming what is accepted', async () => {
      const res = await postRaw(accounts.url, 'hello', 'text/plain');
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('accept-post'), 'application/json');
    });

    it('deletes the account image object even for an absent account (a retry after a partial failure)', async () => {
      images.objects.set('leftover123', { data: PNG });
      const res = await request(`${accounts.url}/leftover123`, { method: 'DELETE' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { id: 'leftover123', deleted: false });
      assert.ok(!images.objects.has('leftover123'));
    });
  });

  describe('audios', () => {
    it('creates from a multipart .json file, through the audio bucket', async () => {
      const body = { session_id: -3, ticks, selected_tick: 0, step_count: 0 };
      const res = await request(audios.url, {
        method: 'POST',
        body: uploadForm('audio', JSON.stringify(body), 'a.json', 'application/json'),
      });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, body);
      assert.deepEqual(JSON.parse(audioFiles.objects.get('sessions/-3.json')!.data.toString()), body);
      assert.deepEqual({ ...fs.read('audios/s-3'), created_by: undefined }, { ...body, created_by: undefined });
    });

    it('refuses 4.0 in an integer field of a file, writing nothing', async () => {
      const text = `{"session_id": 77, "ticks": [${ticks.join(',')}], "selected_tick": 4.0, "step_count": 1}`;
      const res = await request(audios.url, { method: 'POST', body: uploadForm('audio', text, 'a.json', 'application/json') });
      assert.equal(res.status, 400);
      assert.deepEqual(
        res.body.errors.map((e: { pointer: string }) => e.pointer),
        ['#/selected_tick'],
      );
      assert.equal(fs.read('audios/s77'), undefined);
    });

    it('refuses a file over AUDIO_FILE_MAX_BYTES with a 413', async () => {
      const res = await request(audios.url, {
        method: 'POST',
        body: uploadForm('audio', ' '.repeat(70 * 1024), 'a.json', 'application/json'),
      });
      assert.equal(res.status, 413, res.text);
    });

    it('reads, replaces and deletes by session_id; a non-integer path names nothing', async () => {
      const body = { session_id: 12, ticks, selected_tick: 1, step_count: 2 };
      await request(audios.url, { method: 'POST', json: body });
      assert.deepEqual((await request(`${audios.url}/12`)).body, body);
      assert.equal((await request(`${audios.url}/12`, { method: 'PUT', json: { ...body, step_count: 3 } })).status, 200);
      assert.equal(fs.read('audios/s12')!.step_count, 3);
      assert.equal((await request(`${audios.url}/12abc`)).status, 404);
      assert.equal((await request(`${audios.url}/12`, { method: 'DELETE' })).status, 200);
      assert.ok(!audioFiles.objects.has('sessions/12.json'));
    });
  });
});
