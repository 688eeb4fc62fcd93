import * as assert from 'node:assert/strict';
import type { Request } from '@google-cloud/functions-framework';
import { checkImage } from '../../../functions/accounts/image';
import { HttpError } from '../../../functions/shared/errors';
import { bodyKind } from '../../../functions/shared/http/bodyKind';
import { readMultipart, singleFile, type UploadedFile } from '../../../functions/shared/http/multipart';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

/** A request as the framework hands it over: headers, and the whole body already in rawBody. */
function fakeRequest(contentType: string | undefined, body: Buffer | string): Request {
  const rawBody = Buffer.from(body);
  const headers: Record<string, string> = { 'content-length': String(rawBody.length) };
  if (contentType) headers['content-type'] = contentType;
  return { headers, rawBody } as unknown as Request;
}

function multipart(parts: { field: string; filename?: string; type?: string; data: Buffer | string }[], boundary = 'XyZ123'): Request {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.field}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`),
      Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return fakeRequest(`multipart/form-data; boundary=${boundary}`, Buffer.concat(chunks));
}

const rejectsWith = async (promise: Promise<unknown>, status: number): Promise<HttpError> => {
  let caught: unknown;
  await promise.catch((err) => (caught = err));
  assert.ok(caught instanceof HttpError, `expected an HttpError, got ${String(caught)}`);
  assert.equal(caught.status, status, caught.detail);
  return caught;
};

describe('multipart uploads (busboy over rawBody)', () => {
  it('reads files byte for byte, with name, type and field, and plain fields', async () => {
    const binary = Buffer.from([0, 255, 13, 10, 45, 45, 1]);
    const body = await readMultipart(
      multipart([
        { field: 'image', filename: 'a.png', type: 'Image/PNG', data: binary },
        { field: 'note', data: 'hi' },
      ]),
      { maxFileBytes: 100 },
    );
    assert.deepEqual(body.files, [{ field: 'image', filename: 'a.png', mimeType: 'image/png', data: binary }]);
    assert.deepEqual(body.fields, { note: 'hi' });
  });

  it('refuses a file over the limit with a 413 pointing at the part', async () => {
    const err = await rejectsWith(
      readMultipart(multipart([{ field: 'image', filename: 'a.png', type: 'image/png', data: Buffer.alloc(101) }]), { maxFileBytes: 100 }),
      413,
    );
    assert.equal(err.options.errors?.[0].pointer, '#/image');
  });

  it('refuses a Content-Type without a boundary, an empty body, and a truncated body with a 400', async () => {
    await rejectsWith(readMultipart(fakeRequest('multipart/form-data', 'x'), { maxFileBytes: 10 }), 400);
    await rejectsWith(readMultipart(fakeRequest('multipart/form-data; boundary=a', ''), { maxFileBytes: 10 }), 400);
    await rejectsWith(
      readMultipart(
        fakeRequest('multipart/form-data; boundary=a', '--a\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n\r\nabc'),
        { maxFileBytes: 10 },
      ),
      400,
    );
  });

  it('refuses more files than allowed with a 400', async () => {
    const req = multipart([1, 2].map((i) => ({ field: 'image', filename: `${i}.png`, type: 'image/png', data: 'x' })));
    await rejectsWith(readMultipart(req, { maxFileBytes: 10, maxFiles: 1 }), 400);
  });

  it('singleFile wants exactly one file under the field', () => {
    const file: UploadedFile = { field: 'audio', filename: 'a.json', mimeType: 'application/json', data: Buffer.from('{}') };
    assert.equal(singleFile({ files: [file], fields: {} }, 'audio'), file);
    for (const files of [[], [file, file], [{ ...file, field: 'other' }]]) {
      assert.throws(
        () => singleFile({ files, fields: {} }, 'audio'),
        (e: HttpError) => e.status === 400 && e.options.errors?.[0].pointer === '#/audio',
      );
    }
  });
});

describe('bodyKind', () => {
  const cases: [string, string | undefined, string, 'json' | 'multipart' | number][] = [
    ['JSON', 'application/json', '{}', 'json'],
    ['JSON with a charset', 'application/json; charset=utf-8', '{}', 'json'],
    ['multipart', 'multipart/form-data; boundary=x', '--x--', 'multipart'],
    ['no body and no content type', undefined, '', 400],
    ['no body but a JSON content type', 'application/json', '', 400],
    ['text', 'text/plain', 'hello', 400],
    ['a form', 'application/x-www-form-urlencoded', 'a=1', 400],
    ['a body with no content type', undefined, '{}', 400],
  ];
  for (const [name, type, body, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const req = fakeRequest(type, body);
      if (typeof expected === 'string') assert.equal(bodyKind(req, ['json', 'multipart']), expected);
      else
        assert.throws(
          () => bodyKind(req, ['json', 'multipart']),
          (e: HttpError) => e.status === expected && e.options.headers?.['Accept-Post'] === 'application/json, multipart/form-data',
        );
    });
  }

  it('refuses a kind the endpoint does not take', () => {
    assert.throws(
      () => bodyKind(fakeRequest('multipart/form-data; boundary=x', '--x--'), ['json']),
      (e: HttpError) => e.status === 400,
    );
  });
});

describe('checkImage', () => {
  const file = (filename: string, mimeType: string, data: Buffer): UploadedFile => ({ field: 'image', filename, mimeType, data });
  const accepted: [string, UploadedFile, string][] = [
    ['a .png PNG', file('a.png', 'image/png', PNG), 'image/png'],
    ['a .PNG name', file('A.PNG', 'image/png', PNG), 'image/png'],
    ['a .jpg JPEG', file('a.jpg', 'image/jpeg', JPEG), 'image/jpeg'],
    ['a .jpeg JPEG', file('a.jpeg', 'image/jpeg', JPEG), 'image/jpeg'],
  ];
  for (const [name, f, type] of accepted) it(`accepts ${name}`, () => assert.equal(checkImage(f).contentType, type));

  const refused: [string, UploadedFile][] = [
    ['a .gif name', file('a.gif', 'image/png', PNG)],
    ['a .png.exe name', file('a.png.exe', 'image/png', PNG)],
    ['image/gif', file('a.png', 'image/gif', PNG)],
    ['image/svg+xml', file('a.png', 'image/svg+xml', PNG)],
    ['no type', file('a.png', '', PNG)],
    ['JPEG bytes declared PNG', file('a.png', 'image/png', JPEG)],
    ['HTML renamed .png', file('a.png', 'image/png', Buffer.from('<html><script>x</script>'))],
    ['an empty file', file('a.png', 'image/png', Buffer.alloc(0))],
  ];
  for (const [name, f] of refused) {
    it(`refuses ${name} with a 400 at #/image`, () => {
      assert.throws(
        () => checkImage(f),
        (e: HttpError) => e.status === 400 && e.options.errors?.[0].pointer === '#/image',
      );
    });
  }
});
