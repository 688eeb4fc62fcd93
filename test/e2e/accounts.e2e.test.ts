import * as assert from 'node:assert/strict';
import { bucketName } from '../../manifest/manifest';
import { localEndpoints } from '../support/endpoints';
import { postRaw, request, type ReadResponse } from '../support/http';
import { assertProblem } from '../support/problems';
import { resetLocalCloud, seedAssert, seedSession } from '../support/seedClient';

/** A real 1x1 PNG, and bytes that start like a JPEG: what a browser would upload. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0fake-jpeg-body'),
  Buffer.from([0xff, 0xd9]),
]);

/**
 * System D, accounts, over HTTP against the local cloud, as a user would call it: every row of
 * issue 6 for `/accounts`, the image upload through the private bucket, concurrent duplicate
 * emails, and the error bodies. Each test uses emails and names no other test uses, so the
 * suite needs no reset.
 */
describe('accounts end to end', function () {
  this.timeout(60_000);
  const base = (): string => localEndpoints().functions.accounts;
  const run = Math.random().toString(36).slice(2, 8);
  let n = 0;
  const unique = (): string => `${run}-${++n}`;
  const newAccount = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
    const u = unique();
    return { name: `Ada ${u}`, email: `ada.${u}@example.com`, address: `${u} Main Street`, ...overrides };
  };
  const create = (body: unknown): Promise<ReadResponse> => request(`${base()}/`, { method: 'POST', json: body });
  const upload = (
    id: string,
    file: Buffer,
    filename: string,
    type: string,
    path = 'upload-image',
    field = 'image',
  ): Promise<ReadResponse> => {
    const form = new FormData();
    form.append(field, new Blob([file], { type }), filename);
    return request(`${base()}/${id}/${path}`, { method: 'POST', body: form });
  };
  /** The image object straight from the local Cloud Storage (the bucket the function writes). */
  const storedImage = (id: string): Promise<ReadResponse> =>
    request(
      `${localEndpoints().storage as string}/b/${bucketName('account_images', localEndpoints().project)}/o/${encodeURIComponent(id)}`,
    );

  describe('create and read', () => {
    it('creates an account (201) with an id and no image link, and reads it back', async () => {
      const body = newAccount();
      const res = await create(body);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['address', 'email', 'id', 'image_hosted_link', 'name']);
      assert.equal(res.body.image_hosted_link, null);
      assert.equal(res.body.name, body.name);
      assert.equal(res.headers.get('location'), `${base()}/${res.body.id}`);
      const read = await request(`${base()}/${res.body.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, res.body);
    });

    it('answers /accounts and /accounts/ alike', async () => {
      const created = await request(base(), { method: 'POST', json: newAccount() });
      assert.equal(created.status, 201, created.text);
      const [withSlash, without] = await Promise.all([request(`${base()}/`), request(base())]);
      assert.equal(withSlash.status, 200);
      assert.equal(without.status, 200);
      assert.ok(Array.isArray(without.body));
      assert.ok(without.body.some((a: { id: string }) => a.id === created.body.id));
      assert.equal((await request(`${base()}/${created.body.id}/`)).status, 200);
    });

    it('trims the email and lower-cases its domain, keeping the local part', async () => {
      const u = unique();
      const res = await create(newAccount({ email: `  Ada.${u}@Example.COM ` }));
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.email, `Ada.${u}@example.com`);
    });

    it('answers 404 with a problem for an unknown id', async () => {
      assertProblem(await request(`${base()}/doesNotExist0000000`), 404);
      assertProblem(await request(`${base()}/${encodeURIComponent('../etc/passwd')}`), 404);
    });

    it('answers 404, not 500, for an id of the form Firestore reserves (__x__)', async () => {
      assertProblem(await request(`${base()}/__probe__`), 404);
      assertProblem(await request(`${base()}/__probe__/image`), 404);
      assertProblem(await request(`${base()}/__probe__`, { method: 'PUT', json: newAccount() }), 404);
      const deleted = await request(`${base()}/__probe__`, { method: 'DELETE' });
      assert.equal(deleted.status, 200, deleted.text);
      assert.deepEqual(deleted.body, { id: '__probe__', deleted: false });
    });
  });

  describe('email uniqueness', () => {
    it('refuses a second account with the same normalised email with a 400 pointing at email', async () => {
      const u = unique();
      assert.equal((await create(newAccount({ email: `bob.${u}@example.com` }))).status, 201);
      assertProblem(await create(newAccount({ email: ` bob.${u}@EXAMPLE.com` })), 400, '#/email');
      // A different local-part case is a different mailbox.
      assert.equal((await create(newAccount({ email: `Bob.${u}@example.com` }))).status, 201);
    });

    it('lets exactly one of 10 concurrent creates with the same normalised email succeed', async () => {
      const u = unique();
      const spellings = Array.from({ length: 10 }, (_, i) => `race.${u}@${i % 2 ? 'EXAMPLE.ORG' : 'example.org'}${' '.repeat(i % 3)}`);
      const results = await Promise.all(spellings.map((email) => create(newAccount({ email }))));
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 400, 400, 400, 400, 400, 400, 400, 400, 400], results.map((r) => r.text).join('\n'));
      for (const r of results.filter((x) => x.status === 400)) assertProblem(r, 400, '#/email');
      const listed = await request(`${base()}?email=${encodeURIComponent(`race.${u}@example.org`)}`);
      assert.equal(listed.body.length, 1);
    });

    it('lets exactly one of two accounts racing to take the same new email by PUT win', async () => {
      const target = `target.${unique()}@example.com`;
      const a = newAccount();
      const b = newAccount();
      const [ca, cb] = await Promise.all([create(a), create(b)]);
      const results = await Promise.all([
        request(`${base()}/${ca.body.id}`, { method: 'PUT', json: { ...a, email: target } }),
        request(`${base()}/${cb.body.id}`, {
          method: 'PUT',
          json: { ...b, email: target.toUpperCase().replace(/^[^@]+/, (l) => l.toLowerCase()) },
        }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join('\n'));
      const holders = await request(`${base()}?email=${encodeURIComponent(target)}`);
      assert.equal(holders.body.length, 1);
      // The loser kept its own email, and it is still taken by it.
      const loser = results[0].status === 400 ? { id: ca.body.id, email: a.email } : { id: cb.body.id, email: b.email };
      assert.equal((await request(`${base()}/${loser.id}`)).body.email, loser.email);
      assertProblem(await create({ ...newAccount(), email: loser.email }), 400, '#/email');
    });

    it('frees the email when the account is deleted, and when an update changes it', async () => {
      const first = newAccount();
      const a = await create(first);
      await request(`${base()}/${a.body.id}`, { method: 'PUT', json: { ...first, email: `moved.${unique()}@example.com` } });
      assert.equal((await create({ ...newAccount(), email: first.email })).status, 201, 'the old email is free after the update');
      const second = newAccount();
      const b = await create(second);
      await request(`${base()}/${b.body.id}`, { method: 'DELETE' });
      assert.equal((await create({ ...newAccount(), email: second.email })).status, 201, 'the email is free after the delete');
    });

    it('refuses an update to an email another account has, and changes nothing', async () => {
      const a = newAccount();
      const b = newAccount();
      await create(a);
      const created = await create(b);
      assertProblem(
        await request(`${base()}/${created.body.id}`, {
          method: 'PUT',
          json: { ...b, email: (a.email as string).replace(/@.*/, (domain) => domain.toUpperCase()) },
        }),
        400,
        '#/email',
      );
      assert.equal((await request(`${base()}/${created.body.id}`)).body.email, b.email);
    });
  });

  describe('list and filters', () => {
    it('filters by exact name, email and address, ANDed, email normalised like stored emails', async () => {
      const u = unique();
      const shared = `Shared ${u}`;
      const one = await create({ name: shared, email: `one.${u}@example.com`, address: `A ${u}` });
      const two = await create({ name: shared, email: `two.${u}@example.com`, address: `B ${u}` });
      const ids = (r: ReadResponse): string[] => r.body.map((a: { id: string }) => a.id).sort();
      assert.deepEqual(ids(await request(`${base()}?name=${encodeURIComponent(shared)}`)), [one.body.id, two.body.id].sort());
      assert.deepEqual(ids(await request(`${base()}?name=${encodeURIComponent(shared)}&address=${encodeURIComponent(`B ${u}`)}`)), [
        two.body.id,
      ]);
      assert.deepEqual(ids(await request(`${base()}?email=${encodeURIComponent(` one.${u}@EXAMPLE.COM`)}`)), [one.body.id]);
      assert.deepEqual(
        ids(
          await request(
            `${base()}?name=${encodeURIComponent(shared)}&email=${encodeURIComponent(`one.${u}@example.com`)}&address=${encodeURIComponent(`B ${u}`)}`,
          ),
        ),
        [],
      );
      // Exact, not prefix or case-insensitive.
      assert.deepEqual(ids(await request(`${base()}?name=${encodeURIComponent(shared.toLowerCase())}`)), []);
      assert.deepEqual(ids(await request(`${base()}?name=${encodeURIComponent(`Shared ${u.slice(0, -1)}`)}`)), []);
    });

    it('cannot be injected: filter values are compared as values', async () => {
      const u = unique();
      await create(newAccount({ name: `Victim ${u}` }));
      for (const value of [`' OR '1'='1`, `" OR 1=1 --`, `Victim ${u}' OR name != '`, '{"$ne": null}', '*', '%']) {
        const res = await request(`${base()}?name=${encodeURIComponent(value)}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, [], `filter ${value} matched something`);
      }
    });

    it('refuses an unknown or repeated filter with a 400', async () => {
      assertProblem(await request(`${base()}?nickname=x`), 400, '#/query/nickname');
      assertProblem(await request(`${base()}?name=a&name=b`), 400, '#/query/name');
    });

    it('pages a list: a bare array of at most limit accounts, and Link rel="next" (filters kept) until the last page', async () => {
      const u = unique();
      const name = `Paged ${u}`;
      const created = await Promise.all(
        Array.from({ length: 5 }, (_, i) => create({ name, email: `p${i}.${u}@example.com`, address: 'x' })),
      );
      const seen: string[] = [];
      let url: string | undefined = `${base()}?name=${encodeURIComponent(name)}&limit=2`;
      let pages = 0;
      while (url !== undefined) {
        const res = await request(url);
        assert.equal(res.status, 200, res.text);
        assert.ok(Array.isArray(res.body) && res.body.length <= 2, res.text);
        seen.push(...res.body.map((a: { id: string }) => a.id));
        pages++;
        const next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '');
        url = next ? new URL(next[1], url).toString() : undefined;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen.sort(), created.map((c) => c.body.id).sort(), 'every account once, no other');
    });

    it('refuses a limit out of range and a page_token it did not issue with a 400', async () => {
      assertProblem(await request(`${base()}?limit=0`), 400, '#/query/limit');
      assertProblem(await request(`${base()}?limit=1001`), 400, '#/query/limit');
      assertProblem(await request(`${base()}?limit=ten`), 400, '#/query/limit');
      assertProblem(await request(`${base()}?page_token=${encodeURIComponent('../x')}`), 400, '#/query/page_token');
    });
  });

  describe('replace and delete', () => {
    it('replaces every field (200) and an update that changes nothing still succeeds', async () => {
      const created = await create(newAccount());
      const next = newAccount();
      const res = await request(`${base()}/${created.body.id}`, { method: 'PUT', json: next });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { id: created.body.id, ...next, image_hosted_link: null });
      const again = await request(`${base()}/${created.body.id}`, { method: 'PUT', json: next });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body, res.body);
      assert.deepEqual((await request(`${base()}/${created.body.id}`)).body, res.body);
    });

    it('accepts back what GET returned (with id and image_hosted_link), but not another id', async () => {
      const created = await create(newAccount());
      const res = await request(`${base()}/${created.body.id}`, { method: 'PUT', json: { ...created.body, name: 'Renamed' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.name, 'Renamed');
      assertProblem(
        await request(`${base()}/${created.body.id}`, { method: 'PUT', json: { ...created.body, id: 'someoneElse' } }),
        400,
        '#/id',
      );
    });

    it('answers 404 for a replace of an unknown id, and 400 for a partial replace', async () => {
      assertProblem(await request(`${base()}/doesNotExist0000000`, { method: 'PUT', json: newAccount() }), 404);
      const created = await create(newAccount());
      assertProblem(await request(`${base()}/${created.body.id}`, { method: 'PUT', json: { name: 'Only a name' } }), 400, '#/email');
    });

    it('deletes (200), then the account is gone, and deleting again is still 200', async () => {
      const created = await create(newAccount());
      const res = await request(`${base()}/${created.body.id}`, { method: 'DELETE' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { id: created.body.id, deleted: true });
      assertProblem(await request(`${base()}/${created.body.id}`), 404);
      const again = await request(`${base()}/${created.body.id}`, { method: 'DELETE' });
      assert.equal(again.status, 200);
      assert.equal(again.body.deleted, false);
      assert.equal((await request(`${base()}/neverExisted00000000`, { method: 'DELETE' })).status, 200);
    });
  });

  describe('image upload', () => {
    it('stores a PNG (200 with the link), serves it back byte for byte from the private bucket', async () => {
      const created = await create(newAccount());
      const res = await upload(created.body.id, PNG, 'me.png', 'image/png');
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.image_hosted_link, new RegExp(`^${base()}/${created.body.id}/image\\?v=`));
      assert.deepEqual((await request(`${base()}/${created.body.id}`)).body, res.body, 'the link is on the stored account');
      const image = await fetch(res.body.image_hosted_link);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);
      assert.equal((await storedImage(created.body.id)).status, 200, 'the object is in the images bucket');
    });

    it('replaces the image on a second upload (.jpg, image/jpeg) with a new link', async () => {
      const created = await create(newAccount());
      const first = await upload(created.body.id, PNG, 'a.png', 'image/png');
      const second = await upload(created.body.id, JPEG, 'b.JPG', 'image/jpeg');
      assert.equal(second.status, 200, second.text);
      assert.notEqual(second.body.image_hosted_link, first.body.image_hosted_link);
      const image = await fetch(second.body.image_hosted_link);
      assert.equal(image.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), JPEG);
    });

    it("accepts the seed's upload_image spelling and a .jpeg name", async () => {
      const created = await create(newAccount());
      const res = await upload(created.body.id, JPEG, 'photo.jpeg', 'image/jpeg', 'upload_image');
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.image_hosted_link);
    });

    it('keeps the image through a replace of the fields', async () => {
      const created = await create(newAccount());
      const uploaded = await upload(created.body.id, PNG, 'me.png', 'image/png');
      const replaced = await request(`${base()}/${created.body.id}`, { method: 'PUT', json: newAccount() });
      assert.equal(replaced.body.image_hosted_link, uploaded.body.image_hosted_link);
    });

    it('deletes the image from the bucket with the account', async () => {
      const created = await create(newAccount());
      const uploaded = await upload(created.body.id, PNG, 'me.png', 'image/png');
      assert.equal((await storedImage(created.body.id)).status, 200);
      await request(`${base()}/${created.body.id}`, { method: 'DELETE' });
      assert.equal((await storedImage(created.body.id)).status, 404, 'the object is gone from the bucket');
      assertProblem(await request(uploaded.body.image_hosted_link), 404);
    });

    const refused: [string, () => Buffer, string, string, string?][] = [
      ['a .gif name', () => PNG, 'me.gif', 'image/png'],
      ['a name with no extension', () => PNG, 'me', 'image/png'],
      ['an image/gif type', () => PNG, 'me.png', 'image/gif'],
      ['a text file renamed .png', () => Buffer.from('<script>alert(1)</script>'), 'x.png', 'image/png'],
      ['an empty file', () => Buffer.alloc(0), 'x.png', 'image/png'],
      ['the wrong part name', () => PNG, 'me.png', 'image/png', 'file'],
    ];
    for (const [name, bytes, filename, type, field] of refused) {
      it(`refuses ${name} with a 400 pointing at the part, storing nothing`, async () => {
        const created = await create(newAccount());
        const res = await upload(created.body.id, bytes(), filename, type, 'upload-image', field ?? 'image');
        assertProblem(res, 400, '#/image');
        assert.equal((await request(`${base()}/${created.body.id}`)).body.image_hosted_link, null);
        assert.equal((await storedImage(created.body.id)).status, 404);
      });
    }

    it('refuses an image over the size limit with a 413 problem', async () => {
      const created = await create(newAccount());
      const big = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(5 * 1024 * 1024 + 1)]);
      assertProblem(await upload(created.body.id, big, 'big.png', 'image/png'), 413);
    });

    it('answers 404 for an upload to an unknown account, storing nothing', async () => {
      assertProblem(await upload('doesNotExist0000000', PNG, 'me.png', 'image/png'), 404);
      assert.equal((await storedImage('doesNotExist0000000')).status, 404);
    });

    it('refuses a JSON body, no body, or a multipart body cut short on upload with a 400', async () => {
      const created = await create(newAccount());
      assertProblem(await postRaw(`${base()}/${created.body.id}/upload-image`, '{"image": "x"}'), 400);
      assertProblem(await request(`${base()}/${created.body.id}/upload-image`, { method: 'POST' }), 400);
      const cutShort = '--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG';
      assertProblem(await postRaw(`${base()}/${created.body.id}/upload-image`, cutShort, 'multipart/form-data; boundary=b'), 400);
      // The function is still up after it.
      assert.equal((await request(`${base()}/${created.body.id}`)).status, 200);
    });

    it('answers 404 for the image of an account that has none', async () => {
      const created = await create(newAccount());
      assertProblem(await request(`${base()}/${created.body.id}/image`), 404);
    });
  });

  describe('errors', () => {
    const invalid: [string, unknown, string][] = [
      ['a missing name', { email: 'x@example.com', address: 'A' }, '#/name'],
      ['a blank name', { name: '   ', email: 'x@example.com', address: 'A' }, '#/name'],
      ['a null name', { name: null, email: 'x@example.com', address: 'A' }, '#/name'],
      ['a numeric name', { name: 12, email: 'x@example.com', address: 'A' }, '#/name'],
      ['an email without @', { name: 'A', email: 'not-an-email', address: 'A' }, '#/email'],
      ['an email with two @', { name: 'A', email: 'a@b@example.com', address: 'A' }, '#/email'],
      ['a boolean email', { name: 'A', email: true, address: 'A' }, '#/email'],
      ['a missing address', { name: 'A', email: 'x@example.com' }, '#/address'],
      ['an extra key', { name: 'A', email: 'x@example.com', address: 'A', admin: true }, '#/admin'],
      ['an id on create', { name: 'A', email: 'x@example.com', address: 'A', id: 'mine' }, '#/id'],
    ];
    for (const [name, body, pointer] of invalid) {
      it(`refuses ${name} with a 400 problem at ${pointer}`, async () => assertProblem(await create(body), 400, pointer));
    }

    const malformed: [string, () => Promise<ReadResponse>, number][] = [
      ['an empty body with no content type', () => request(base(), { method: 'POST' }), 400],
      ['malformed JSON', () => postRaw(base(), '{"name": "A", '), 400],
      ['a JSON array', () => postRaw(base(), '[]'), 400],
      ['a bare JSON string', () => postRaw(base(), '"hello"'), 400],
      ['a text body', () => postRaw(base(), 'name=A', 'text/plain'), 400],
      ['a form body', () => postRaw(base(), 'name=A&email=a%40b.c&address=x', 'application/x-www-form-urlencoded'), 400],
      ['an oversize body', () => postRaw(base(), JSON.stringify({ name: 'x'.repeat(100_000), email: 'a@b.c', address: 'x' })), 413],
      ['a wrong method', () => request(base(), { method: 'PATCH' }), 405],
      ['an unknown path', () => request(`${base()}/a/b/c`), 404],
    ];
    for (const [name, send, status] of malformed) {
      it(`answers ${name} with a ${status} problem`, async () => assertProblem(await send(), status));
    }

    it('sends Allow with a 405', async () => {
      const res = await request(`${base()}/someId`, { method: 'PATCH' });
      assertProblem(res, 405);
      assert.equal(res.headers.get('allow'), 'GET, PUT, DELETE, HEAD');
    });
  });

  describe("a client written for the seed's API", () => {
    /**
     * The seed's own end-to-end flow (tests/e2e/test_accounts.py), step by step: its paths,
     * bodies, status codes and assertions, unchanged. It starts from an empty server, so the
     * local cloud is reset first (which also shows POST /reset emptying the buckets).
     */
    const s = seedSession();
    const withNullImageHostedLink = (u: Record<string, string>): Record<string, unknown> => ({ ...u, image_hosted_link: null });
    const matchesIgnoringId = (res: ReadResponse, id: string, resource: Record<string, unknown>): void => {
      seedAssert.ok(res);
      assert.equal(res.body.id, id);
      const { id: _id, ...rest } = res.body as Record<string, unknown>;
      void _id;
      assert.deepEqual(rest, resource);
    };

    before(async () => {
      const created = await create(newAccount());
      await upload(created.body.id, PNG, 'me.png', 'image/png');
      const reset = await resetLocalCloud();
      assert.ok(reset.includes('storage') && reset.includes('firestore'), `reset ${reset.join(', ')}`);
      assert.equal((await storedImage(created.body.id)).status, 404, 'POST /reset emptied the images bucket');
      const listing = await request(`${localEndpoints().storage as string}/b/${bucketName('account_images', localEndpoints().project)}/o`);
      assert.equal(listing.status, 200, 'the bucket itself is kept');
    });

    it('runs test_accounts_endpoint unchanged', async () => {
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts')));
      seedAssert.badRequest(await s.post('/accounts', { name: 'Foo Bar', email: 'foo.bar@dummy.com' }));
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts')));
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts', { name: 'Foo Bar' })));

      const first = { name: 'Foo Bar', email: 'foo.bar@dummy.com', address: '1234 Main Road' };
      let res = await s.post('/accounts', first);
      const firstId = res.body.id as string;
      matchesIgnoringId(res, firstId, withNullImageHostedLink(first));
      matchesIgnoringId(await s.get(`/accounts/${firstId}`), firstId, withNullImageHostedLink(first));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 1);
      for (const key of ['name', 'email', 'address'] as const) {
        seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts', { [key]: first[key] })), 1);
      }
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts', { name: 'DNE' })));

      const second = { name: 'Test User2', email: 'test.user2@dummy.com', address: '978 Grand Blvd' };
      res = await s.post('/accounts', second);
      const secondId = res.body.id as string;
      matchesIgnoringId(res, secondId, withNullImageHostedLink(second));
      matchesIgnoringId(await s.get(`/accounts/${secondId}`), secondId, withNullImageHostedLink(second));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 2);

      const doppelganger = { name: 'Foo Bar', email: 'doppelganger@dummy.com', address: '1235 Main Road' };
      res = await s.post('/accounts', doppelganger);
      const doppelgangerId = res.body.id as string;
      matchesIgnoringId(res, doppelgangerId, withNullImageHostedLink(doppelganger));
      matchesIgnoringId(await s.get(`/accounts/${doppelgangerId}`), doppelgangerId, withNullImageHostedLink(doppelganger));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 3);
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts', { name: 'Foo Bar' })), 2);
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts', { email: first.email })), 1);

      seedAssert.badRequest(await s.post('/accounts', { name: 'Foo Bar', email: 'doppelganger@dummy.com', address: '1235 Main Road' }));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 3);

      seedAssert.badRequest(await s.put(`/accounts/${firstId}`, { name: 'New Name', email: second.email, address: '1235 New Addr' }));
      matchesIgnoringId(await s.get(`/accounts/${firstId}`), firstId, withNullImageHostedLink(first));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 3);

      seedAssert.ok(await s.delete(`/accounts/${firstId}`));
      seedAssert.notFound(await s.get(`/accounts/${firstId}`));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts', { name: first.name })), 1);
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts', { email: first.email })));
      seedAssert.noResources(seedAssert.ok(await s.get('/accounts', { address: first.address })));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/accounts')), 2);
      matchesIgnoringId(await s.get(`/accounts/${secondId}`), secondId, withNullImageHostedLink(second));
      matchesIgnoringId(await s.get(`/accounts/${doppelgangerId}`), doppelgangerId, withNullImageHostedLink(doppelganger));
    });

    it("uploads an image the seed's way (upload_image, form field image) and fixes what it got wrong", async () => {
      const user = { name: 'Seed User', email: 'seed.user@Dummy.COM', address: '1 Infinite Loop' };
      const created = seedAssert.ok(await s.post('/accounts', user));
      const id = created.body.id as string;
      assert.equal(created.body.email, 'seed.user@dummy.com');
      // An update that changes nothing still succeeds.
      seedAssert.ok(await s.put(`/accounts/${id}`, user));
      const form = new FormData();
      form.append('image', new Blob([PNG], { type: 'image/png' }), 'avatar.png');
      const uploaded = seedAssert.ok(await request(s.url(`/accounts/${id}/upload_image`), { method: 'POST', body: form }));
      assert.equal((await fetch(uploaded.body.image_hosted_link)).status, 200);
      seedAssert.ok(await s.delete(`/accounts/${id}`));
      // Deleting the account deleted its image, and deleting again is still fine.
      assert.equal((await storedImage(id)).status, 404);
      seedAssert.ok(await s.delete(`/accounts/${id}`));
      seedAssert.notFound(await s.put(`/accounts/${id}`, user));
    });
  });
});
