import * as assert from 'node:assert/strict';
import { StorageServer } from '../../../local/storage/server';
import { failure, refusal, result } from './harness';

// The Cloud Storage connector reference (https://cloud.google.com/workflows/docs/reference/googleapis/storage/Overview:
// object names are URL-encoded by the workflow) and its methods' pages (objects/insert, get, list, delete).
describe('workflows conformance: Cloud Storage connector (docs: reference/googleapis/storage/v1)', () => {
  let gcs: StorageServer;
  before(async () => {
    gcs = await StorageServer.start(0);
  });
  after(() => gcs.stop());
  const opts = (): { storage: string } => ({ storage: gcs.url });

  it('buckets.insert, objects.insert (uploadType media), get (metadata and alt media), list by prefix, delete', async () => {
    const r = await result(
      `
- init:
    assign:
      - bucket: "wf-conformance"
      - name: \${text.url_encode("notes/today.txt")}
- create_bucket:
    call: googleapis.storage.v1.buckets.insert
    args:
      project: \${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
      body: {name: "\${bucket}"}
- upload:
    call: googleapis.storage.v1.objects.insert
    args:
      bucket: \${bucket}
      uploadType: media
      name: \${name}
      body: "hello world"
    result: uploaded
- upload_other:
    call: googleapis.storage.v1.objects.insert
    args: {bucket: "\${bucket}", uploadType: media, name: "other.json", body: {a: 1}}
- metadata:
    call: googleapis.storage.v1.objects.get
    args: {bucket: "\${bucket}", object: "\${name}"}
    result: meta
- data:
    call: googleapis.storage.v1.objects.get
    args: {bucket: "\${bucket}", object: "\${name}", alt: media}
    result: data
- json_data:
    call: googleapis.storage.v1.objects.get
    args: {bucket: "\${bucket}", object: "other.json", alt: media}
    result: parsed
- list:
    call: googleapis.storage.v1.objects.list
    args: {bucket: "\${bucket}", prefix: "notes/"}
    result: listed
- delete:
    call: googleapis.storage.v1.objects.delete
    args: {bucket: "\${bucket}", object: "\${name}"}
    result: deleted
- done:
    return: \${[uploaded.name, meta.size, get_type(data), text.decode(data), parsed.a, len(listed.items), listed.items[0].name, deleted]}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(r, ['notes/today.txt', '11', 'bytes', 'hello world', 1, 1, 'notes/today.txt', null]);
  });

  it('a missing object is an HttpError with the API status (404), catchable', async () => {
    const e = await failure(
      `
- get:
    call: googleapis.storage.v1.objects.get
    args: {bucket: "nowhere", object: "x"}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(e.tags, ['HttpError']);
    assert.equal(e.code, 404);
  });

  it('what the local Storage cannot honour is refused at deploy by name: a non-media upload, a documented but unsupported argument', () => {
    const multipart = refusal(`
- up:
    call: googleapis.storage.v1.objects.insert
    args: {bucket: b, uploadType: multipart, name: n, body: "x"}
`);
    assert.equal(multipart.construct, 'uploadType');
    assert.match(multipart.message, /uploadType "multipart" is not supported by the local Workflows engine \(only media\)/);
    const paged = refusal(`
- ls:
    call: googleapis.storage.v1.objects.list
    args: {bucket: b, maxResults: 10}
`);
    assert.equal(paged.construct, 'maxResults');
    assert.match(paged.message, /argument "maxResults" is not supported by the local Workflows engine/);
  });
});
