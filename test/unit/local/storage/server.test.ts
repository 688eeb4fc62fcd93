import * as assert from 'node:assert/strict';
import { Storage } from '@google-cloud/storage';
import { crc32cBase64 } from '../../../../local/storage/objects';
import { StorageService } from '../../../../local/storage/service';

/**
 * The local Cloud Storage driven by the real `@google-cloud/storage` client, through
 * STORAGE_EMULATOR_HOST exactly as the functions use it: every call the kit makes.
 */
describe('local Cloud Storage (real client)', () => {
  const service = new StorageService(['images', 'audios']);
  let client: Storage;
  let previous: string | undefined;

  before(async () => {
    const started = await service.start({ projectId: 'p', location: 'us-central1', port: 0, endpoints: {} });
    previous = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = started.env.STORAGE_EMULATOR_HOST;
    client = new Storage({ projectId: 'p' });
  });
  after(async () => {
    if (previous === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = previous;
    await service.stop();
  });
  beforeEach(() => service.reset());

  it('hands out STORAGE_EMULATOR_HOST as an http base URL on 127.0.0.1', () => {
    assert.match(service.running!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores with save({resumable: false}) and returns the same bytes with download()', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255, 13, 10, 13, 10]);
    const file = client.bucket('images').file('a/b c.png');
    await file.save(bytes, { resumable: false, contentType: 'image/png' });
    const [downloaded] = await file.download();
    assert.deepEqual(downloaded, bytes);
    const [metadata] = await file.getMetadata();
    assert.equal(metadata.contentType, 'image/png');
    assert.equal(metadata.size, String(bytes.length));
    assert.equal(metadata.name, 'a/b c.png');
  });

  it('streams with createReadStream() and reports the content type on the response', async () => {
    const file = client.bucket('audios').file('7.json');
    await file.save('{"session_id":7}', { resumable: false, contentType: 'application/json' });
    const chunks: Buffer[] = [];
    let type: string | undefined;
    await new Promise<void>((resolve, reject) =>
      file
        .createReadStream()
        .on('response', (res: { headers: Record<string, string> }) => (type = res.headers['content-type']))
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', resolve)
        .on('error', reject),
    );
    assert.equal(Buffer.concat(chunks).toString(), '{"session_id":7}');
    assert.equal(type, 'application/json');
  });

  it('overwrites an object with a new generation', async () => {
    const file = client.bucket('images').file('x');
    await file.save('one', { resumable: false });
    const [first] = await file.getMetadata();
    await file.save('two', { resumable: false });
    const [second] = await file.getMetadata();
    assert.notEqual(first.generation, second.generation);
    assert.equal((await file.download())[0].toString(), 'two');
  });

  it('answers exists() and deletes for real; delete({ignoreNotFound}) of an absent object succeeds', async () => {
    const file = client.bucket('images').file('gone');
    assert.deepEqual(await file.exists(), [false]);
    await file.save('x', { resumable: false });
    assert.deepEqual(await file.exists(), [true]);
    await file.delete();
    assert.deepEqual(await file.exists(), [false]);
    await file.delete({ ignoreNotFound: true });
    await assert.rejects(file.delete(), (err: { code?: number }) => err.code === 404);
    await assert.rejects(file.download(), (err: { code?: number }) => err.code === 404);
  });

  it('refuses an upload to a bucket that does not exist with a 404', async () => {
    await assert.rejects(client.bucket('nope').file('x').save('x', { resumable: false }), (err: { code?: number }) => err.code === 404);
  });

  it('lists objects by prefix', async () => {
    for (const name of ['p/1', 'p/2', 'q/1']) await client.bucket('images').file(name).save(name, { resumable: false });
    const [files] = await client.bucket('images').getFiles({ prefix: 'p/' });
    assert.deepEqual(
      files.map((f) => f.name),
      ['p/1', 'p/2'],
    );
  });

  it('reset() empties the buckets and keeps them', async () => {
    await client.bucket('images').file('k').save('x', { resumable: false });
    await service.reset();
    assert.deepEqual(await client.bucket('images').file('k').exists(), [false]);
    assert.deepEqual(await client.bucket('images').exists(), [true]);
    assert.deepEqual(await client.bucket('audios').exists(), [true]);
  });

  it('says which call it does not support instead of pretending (resumable uploads)', async () => {
    await assert.rejects(client.bucket('images').file('big').save('x', { resumable: true }), (err: Error) => /501/.test(err.message));
  });

  it('answers errors in Google JSON error shape, with and without the /storage/v1 prefix', async () => {
    for (const prefix of ['', '/storage/v1']) {
      const res = await fetch(`${service.running!.url}${prefix}/b/images/o/${encodeURIComponent('no/such.png')}`);
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: { code: number; message: string; errors: { reason: string }[] } };
      assert.equal(body.error.code, 404);
      assert.equal(body.error.errors[0].reason, 'notFound');
      assert.match(body.error.message, /images\/no\/such\.png/);
    }
  });

  it('keeps binary media intact through a raw multipart/related upload, and honours ifGenerationMatch=0', async () => {
    const media = Buffer.from([0, 13, 10, 45, 45, 255, 13, 10]);
    const boundary = 'bnd';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/json\r\n\r\n{"name":"raw.bin","contentType":"application/x-test"}\r\n--${boundary}\r\nContent-Type: application/x-test\r\n\r\n`,
      ),
      media,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const url = `${service.running!.url}/upload/storage/v1/b/images/o?uploadType=multipart&ifGenerationMatch=0`;
    const headers = { 'content-type': `multipart/related; boundary=${boundary}` };
    const first = await fetch(url, { method: 'POST', headers, body });
    assert.equal(first.status, 200);
    assert.equal(((await first.json()) as { size: string }).size, String(media.length));
    assert.equal((await fetch(url, { method: 'POST', headers, body })).status, 412, 'the object exists now');
    const [downloaded] = await client.bucket('images').file('raw.bin').download();
    assert.deepEqual(downloaded, media);
  });

  it('computes CRC32C as Cloud Storage reports it', () => {
    // The check value of CRC-32C for "123456789" is 0xE3069283.
    assert.equal(crc32cBase64(Buffer.from('123456789')), Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
  });
});
