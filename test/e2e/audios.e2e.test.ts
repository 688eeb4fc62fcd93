import * as assert from 'node:assert/strict';
import { bucketName } from '../../manifest/manifest';
import { localEndpoints } from '../support/endpoints';
import { postRaw, request, type ReadResponse } from '../support/http';
import { assertProblem } from '../support/problems';
import { resetLocalCloud, seedAssert, seedSession } from '../support/seedClient';

/**
 * System D, audio sessions, over HTTP against the local cloud: every row of issue 6 for
 * `/audios`, JSON bodies and `.json` files in the multipart part `audio`, the session files in
 * the local Cloud Storage, and the error bodies. Session ids are drawn at random per run, so
 * the suite needs no reset.
 */
describe('audios end to end', function () {
  this.timeout(60_000);
  const base = (): string => localEndpoints().functions.audios;
  let next = 1_000_000 + Math.floor(Math.random() * 1e12);
  const sessionId = (): number => next++;
  const ticks = (): number[] => [-10, -20.5, -30, -40, -50, -60, -70, -80, -90, -100, -15, -25, -35, -45, -55];
  const audio = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    session_id: sessionId(),
    ticks: ticks(),
    selected_tick: 3,
    step_count: 12,
    ...overrides,
  });
  const create = (body: unknown): Promise<ReadResponse> => request(`${base()}/`, { method: 'POST', json: body });
  const sendFile = (
    url: string,
    method: string,
    content: string | Buffer,
    filename = 'session.json',
    field = 'audio',
    type = 'application/json',
  ): Promise<ReadResponse> => {
    const form = new FormData();
    form.append(field, new Blob([content], { type }), filename);
    return request(url, { method, body: form });
  };
  /** The session's file straight from the local Cloud Storage. */
  const storedFile = (id: number, media = false): Promise<ReadResponse> =>
    request(
      `${localEndpoints().storage as string}/b/${bucketName('audio_files', localEndpoints().project)}/o/${encodeURIComponent(`sessions/${id}.json`)}${media ? '?alt=media' : ''}`,
    );

  describe('create and read', () => {
    it('creates from a JSON body (201), returns exactly the four fields as sent, and stores the file', async () => {
      const body = audio();
      const res = await create(body);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, body);
      const read = await request(`${base()}/${body.session_id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, body);
      const file = await storedFile(body.session_id as number, true);
      assert.equal(file.status, 200);
      assert.deepEqual(JSON.parse(file.text), body);
    });

    it('creates from a .json file in the multipart part audio (201)', async () => {
      const body = audio();
      const res = await sendFile(`${base()}/`, 'POST', JSON.stringify(body, null, 2));
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body, body);
      assert.deepEqual((await request(`${base()}/${body.session_id}`)).body, body);
    });

    it('answers /audios and /audios/ alike, with a bare array holding the sessions', async () => {
      const body = audio();
      assert.equal((await request(base(), { method: 'POST', json: body })).status, 201);
      for (const url of [base(), `${base()}/`]) {
        const res = await request(url);
        assert.equal(res.status, 200);
        assert.ok(Array.isArray(res.body));
        assert.deepEqual(
          res.body.find((a: { session_id: number }) => a.session_id === body.session_id),
          body,
        );
      }
    });

    it('works with any integer session_id: negative, zero, large; and they do not break later requests', async () => {
      for (const id of [
        -sessionId(),
        0,
        -Number.MAX_SAFE_INTEGER + Math.floor(Math.random() * 1e6),
        Number.MAX_SAFE_INTEGER - Math.floor(Math.random() * 1e6),
      ]) {
        const body = audio({ session_id: id });
        const res = await create(body);
        assert.equal(res.status, 201, res.text);
        assert.deepEqual((await request(`${base()}/${id}`)).body, body);
        assert.equal((await request(base())).status, 200, 'the list still works');
        assert.equal((await request(`${base()}/${id}`, { method: 'DELETE' })).status, 200);
      }
    });

    it('pages the list by session_id: a bare array and Link rel="next" until the last page', async () => {
      const ids = Array.from({ length: 3 }, () => sessionId());
      for (const id of ids) assert.equal((await create(audio({ session_id: id }))).status, 201);
      const seen: number[] = [];
      let url: string | undefined = `${base()}?limit=50`;
      while (url !== undefined) {
        const res = await request(url);
        assert.equal(res.status, 200, res.text);
        assert.ok(Array.isArray(res.body) && res.body.length <= 50);
        seen.push(...res.body.map((a: { session_id: number }) => a.session_id));
        const next = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '');
        url = next ? new URL(next[1], url).toString() : undefined;
      }
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
        'ascending session_id across pages',
      );
      assert.equal(new Set(seen).size, seen.length, 'no session twice');
      for (const id of ids) assert.ok(seen.includes(id), `session ${id} listed`);
      assertProblem(await request(`${base()}?page_token=abc`), 400, '#/query/page_token');
    });

    it('refuses a duplicate session_id with a 400 at session_id, leaving the first untouched', async () => {
      const body = audio();
      assert.equal((await create(body)).status, 201);
      assertProblem(await create({ ...body, step_count: 99 }), 400, '#/session_id');
      assertProblem(await sendFile(`${base()}/`, 'POST', JSON.stringify({ ...body, step_count: 98 })), 400, '#/session_id');
      assert.deepEqual((await request(`${base()}/${body.session_id}`)).body, body);
    });

    it('lets exactly one of 8 concurrent creates of the same session_id succeed', async () => {
      const id = sessionId();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create(audio({ session_id: id, step_count: i }))));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 400, 400, 400, 400, 400, 400, 400]);
      const winner = results.find((r) => r.status === 201)!;
      assert.deepEqual((await request(`${base()}/${id}`)).body, winner.body);
    });

    it('answers 404 for an unknown session, and for a path that is not an integer', async () => {
      assertProblem(await request(`${base()}/${sessionId()}`), 404);
      assertProblem(await request(`${base()}/abc`), 404);
      assertProblem(await request(`${base()}/1.5`), 404);
    });
  });

  describe('replace and delete', () => {
    it('replaces a session (200), in Firestore and in the bucket, also with a file', async () => {
      const body = audio();
      await create(body);
      const replacement = { ...body, ticks: ticks().reverse(), selected_tick: 14, step_count: 0 };
      const res = await request(`${base()}/${body.session_id}`, { method: 'PUT', json: replacement });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, replacement);
      assert.deepEqual((await request(`${base()}/${body.session_id}`)).body, replacement);
      assert.deepEqual(JSON.parse((await storedFile(body.session_id as number, true)).text), replacement);
      const byFile = { ...replacement, selected_tick: 0 };
      const fileRes = await sendFile(`${base()}/${body.session_id}/`, 'PUT', JSON.stringify(byFile));
      assert.equal(fileRes.status, 200, fileRes.text);
      assert.deepEqual((await request(`${base()}/${body.session_id}`)).body, byFile);
      // The same body again is still a success.
      assert.equal((await request(`${base()}/${body.session_id}`, { method: 'PUT', json: byFile })).status, 200);
    });

    it('refuses a body whose session_id differs from the path with a 400 at session_id', async () => {
      const body = audio();
      await create(body);
      assertProblem(
        await request(`${base()}/${body.session_id}`, { method: 'PUT', json: { ...body, session_id: (body.session_id as number) + 1 } }),
        400,
        '#/session_id',
      );
    });

    it('answers 404 for a replace of an absent session, creating nothing', async () => {
      const body = audio();
      assertProblem(await request(`${base()}/${body.session_id}`, { method: 'PUT', json: body }), 404);
      assertProblem(await request(`${base()}/${body.session_id}`), 404);
      assert.equal((await storedFile(body.session_id as number)).status, 404);
    });

    it('deletes (200) the record and the file; deleting again, or an absent session, is 200', async () => {
      const body = audio();
      await create(body);
      const res = await request(`${base()}/${body.session_id}`, { method: 'DELETE' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { session_id: body.session_id, deleted: true });
      assertProblem(await request(`${base()}/${body.session_id}`), 404);
      assert.equal((await storedFile(body.session_id as number)).status, 404, 'the file is gone from the bucket');
      const again = await request(`${base()}/${body.session_id}`, { method: 'DELETE' });
      assert.equal(again.status, 200);
      assert.equal(again.body.deleted, false);
      // And the id can be used again.
      assert.equal((await create(body)).status, 201);
    });
  });

  describe('validation', () => {
    const fifteen = ticks();
    const invalid: [string, Record<string, unknown>, string][] = [
      ['14 ticks', { ticks: fifteen.slice(1) }, '#/ticks'],
      ['16 ticks', { ticks: [...fifteen, -50] }, '#/ticks'],
      ['a tick above -10', { ticks: [-9.5, ...fifteen.slice(1)] }, '#/ticks/0'],
      ['a tick below -100', { ticks: [...fifteen.slice(0, 14), -100.5] }, '#/ticks/14'],
      ['a string tick', { ticks: ['-50', ...fifteen.slice(1)] }, '#/ticks/0'],
      ['a null tick', { ticks: [null, ...fifteen.slice(1)] }, '#/ticks/0'],
      ['ticks as an object', { ticks: { 0: -50 } }, '#/ticks'],
      ['selected_tick 15', { selected_tick: 15 }, '#/selected_tick'],
      ['selected_tick -1', { selected_tick: -1 }, '#/selected_tick'],
      ['selected_tick 1.5', { selected_tick: 1.5 }, '#/selected_tick'],
      ['a negative step_count', { step_count: -1 }, '#/step_count'],
      ['session_id "12"', { session_id: '12' }, '#/session_id'],
      ['session_id true', { session_id: true }, '#/session_id'],
      ['session_id null', { session_id: null }, '#/session_id'],
      ['session_id beyond 2^53', { session_id: 2 ** 60 }, '#/session_id'],
      ['step_count true', { step_count: true }, '#/step_count'],
      ['step_count null', { step_count: null }, '#/step_count'],
      ['an extra key', { extra: 1 }, '#/extra'],
    ];
    for (const [name, overrides, pointer] of invalid) {
      it(`refuses ${name} with a 400 at ${pointer}, as JSON and as a file`, async () => {
        const body = audio(overrides);
        assertProblem(await create(body), 400, pointer);
        assertProblem(await sendFile(`${base()}/`, 'POST', JSON.stringify(body)), 400, pointer);
      });
    }

    for (const field of ['session_id', 'ticks', 'selected_tick', 'step_count']) {
      it(`refuses a body without ${field} with a 400 at #/${field}`, async () => {
        const body = audio();
        delete body[field];
        assertProblem(await create(body), 400, `#/${field}`);
      });
    }

    it('refuses 12.0 where an integer is required, in a JSON body and in a file', async () => {
      const id = sessionId();
      const text = `{"session_id": ${id}, "ticks": [${ticks().join(', ')}], "selected_tick": 3.0, "step_count": 12}`;
      assertProblem(await postRaw(`${base()}/`, text), 400, '#/selected_tick');
      assertProblem(await sendFile(`${base()}/`, 'POST', text), 400, '#/selected_tick');
      assertProblem(await request(`${base()}/${id}`), 404);
    });

    it('accepts integer-valued and fractional ticks, and returns them as sent', async () => {
      const body = audio({ ticks: [-10, -100, -55.25, -10.000001, -99.999, -20, -30, -40, -50, -60, -70, -80, -90, -11, -12] });
      const res = await create(body);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual((await request(`${base()}/${body.session_id}`)).body, body);
    });

    const badFiles: [string, string | Buffer, string, string][] = [
      ['a file not named .json', '{}', 'session.txt', '#/audio'],
      ['a file that is not JSON', '{"session_id": ', 'session.json', '#/audio'],
      ['a file holding an array', '[]', 'session.json', '#/audio'],
    ];
    for (const [name, content, filename, pointer] of badFiles) {
      it(`refuses ${name} with a 400 at ${pointer}`, async () =>
        assertProblem(await sendFile(`${base()}/`, 'POST', content, filename), 400, pointer));
    }

    it('refuses a multipart body without the audio part with a 400 at #/audio', async () => {
      assertProblem(await sendFile(`${base()}/`, 'POST', JSON.stringify(audio()), 'session.json', 'file'), 400, '#/audio');
    });

    const malformed: [string, () => Promise<ReadResponse>, number][] = [
      ['an empty body with no content type', () => request(base(), { method: 'POST' }), 400],
      ['an empty PUT body', () => request(`${base()}/1`, { method: 'PUT' }), 400],
      ['malformed JSON', () => postRaw(base(), '{"session_id": 1,'), 400],
      ['a bare JSON true', () => postRaw(base(), 'true'), 400],
      ['a text body', () => postRaw(base(), 'session_id=1', 'text/plain'), 400],
      ['an octet-stream body', () => postRaw(base(), '{}', 'application/octet-stream'), 400],
      ['multipart without a boundary', () => postRaw(base(), 'x', 'multipart/form-data; charset=utf-8'), 400],
      [
        'a multipart body cut short',
        () =>
          postRaw(
            base(),
            '--b\r\nContent-Disposition: form-data; name="audio"; filename="a.json"\r\n\r\n{"session_id"',
            'multipart/form-data; boundary=b',
          ),
        400,
      ],
      ['a wrong method', () => request(base(), { method: 'DELETE' }), 405],
      ['an unknown path', () => request(`${base()}/1/2`), 404],
    ];
    for (const [name, send, status] of malformed) {
      it(`answers ${name} with a ${status} problem`, async () => assertProblem(await send(), status));
    }
  });

  describe("a client written for the seed's API", () => {
    /**
     * The seed's own end-to-end flow (tests/e2e/test_audios.py), step by step and unchanged,
     * including its quirk: `dict(...).update(...)` is None in Python, so its "invalid" bodies
     * are requests with no body at all, which must be 400s. It starts from an empty server.
     */
    const s = seedSession();
    before(async () => {
      const body = audio();
      await create(body);
      assert.ok((await resetLocalCloud()).includes('storage'));
      assert.equal((await storedFile(body.session_id as number)).status, 404, 'POST /reset emptied the audio bucket');
    });

    it('runs test_audios_endpoint unchanged', async () => {
      seedAssert.noResources(seedAssert.ok(await s.get('/audios')));
      const valid = {
        ticks: [
          -96.33, -96.33, -93.47, -89.03999999999999, -84.61, -80.18, -75.75, -71.32, -66.89, -62.46, -58.03, -53.6, -49.17, -44.74, -40.31,
        ],
        selected_tick: 5,
        session_id: 3448,
        step_count: 1,
      };
      const none = null; // dict(valid_audio).update({...})
      seedAssert.badRequest(await s.post('/audios', none));
      seedAssert.badRequest(await s.post('/audios', none));
      seedAssert.noResources(seedAssert.ok(await s.get('/audios')));

      const first = { ...valid };
      let res = await s.post('/audios', first);
      assert.deepEqual(seedAssert.ok(res).body, first);
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${first.session_id}`)).body, first);
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/audios')), 1);
      seedAssert.notFound(await s.get(`/audios/${first.session_id + 100}`));

      const second = {
        ticks: [-99, -98, -97, -96, -84.61, -80.18, -75.75, -71.32, -66.89, -62.46, -58.03, -53.6, -49.17, -44.74, -40.31],
        selected_tick: 7,
        session_id: 1000,
        step_count: 7,
      };
      res = await s.post('/audios', second);
      assert.deepEqual(seedAssert.ok(res).body, second);
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${second.session_id}`)).body, second);
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/audios')), 2);

      seedAssert.badRequest(await s.post('/audios', none));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/audios')), 2);
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${first.session_id}`)).body, first);

      seedAssert.badRequest(await s.put(`/audios/${first.session_id}`, none));
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${first.session_id}`)).body, first);
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/audios')), 2);

      seedAssert.ok(await s.delete(`/audios/${first.session_id}`));
      seedAssert.notFound(await s.get(`/audios/${first.session_id}`));
      seedAssert.resourcesCount(seedAssert.ok(await s.get('/audios')), 1);
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${second.session_id}`)).body, second);
    });

    it('checks what the seed meant to check: real duplicates, mismatched ids, files, negative ids', async () => {
      const session = { session_id: -3448, ticks: ticks(), selected_tick: 5, step_count: 1 };
      seedAssert.ok(await s.post('/audios', session));
      seedAssert.badRequest(await s.post('/audios', { ...session, step_count: 7 }));
      seedAssert.badRequest(await s.put(`/audios/${session.session_id}`, { ...session, session_id: 1000 }));
      seedAssert.badRequest(await s.post('/audios', { ...session, session_id: 1, ticks: ticks().slice(1) }));
      assert.deepEqual(seedAssert.ok(await s.get(`/audios/${session.session_id}`)).body, session);
      const form = new FormData();
      form.append('audio', new Blob([JSON.stringify({ ...session, session_id: 5 })], { type: 'application/json' }), 'audio.json');
      seedAssert.ok(await request(`${base()}/`, { method: 'POST', body: form }));
      seedAssert.ok(await s.delete(`/audios/${session.session_id}`));
      seedAssert.ok(await s.delete(`/audios/${session.session_id}`));
      seedAssert.notFound(await s.put(`/audios/${session.session_id}`, session));
    });
  });
});
