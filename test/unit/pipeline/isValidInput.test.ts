import * as assert from 'node:assert/strict';
import '../../../functions/pipeline/isValidInput';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';

describe('isValidInput', () => {
  let server: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  before(async () => {
    server = await serveFunction('isValidInput');
  });
  after(() => server.close());
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  const get = (query: string) => request(`${server.url}/${query}`);

  const table: { query: string; status: number; body?: unknown; detail?: string }[] = [
    { query: '?x=hello', status: 200, body: 'Success' },
    { query: '?x=h%C3%A9llo%20w%C3%B6rld', status: 200, body: 'Success' },
    { query: '?x=Hello', status: 200, body: 'Fail' },
    { query: '?x=%C3%89cole', status: 200, body: 'Fail' },
    { query: '?x=42', status: 400, detail: '"int" is not allowed' },
    { query: '?x=-7', status: 400, detail: '"int" is not allowed' },
    { query: '?x=%2B3', status: 400, detail: '"int" is not allowed' },
    { query: '?x=1.5', status: 400, detail: '"float" is not allowed' },
    { query: '?x=.5', status: 400, detail: '"float" is not allowed' },
    { query: '?x=1e5', status: 400, detail: '"float" is not allowed' },
    { query: '?x=2.0', status: 400, detail: '"float" is not allowed' },
    { query: '?x=true', status: 500, detail: '"bool" is not allowed' },
    { query: '?x=FALSE', status: 500, detail: '"bool" is not allowed' },
    { query: '', status: 400 },
    { query: '?x=', status: 400 },
    { query: '?x=a&x=b', status: 400 },
    { query: '?y=hello', status: 400 },
  ];
  for (const c of table) {
    it(`GET ${c.query || '(no query)'} → ${c.status}`, async () => {
      const res = await get(c.query);
      if (c.body !== undefined) {
        assert.equal(res.status, c.status, res.text);
        assert.match(res.contentType, /^application\/json/);
        assert.deepEqual(res.body, c.body);
      } else {
        assertProblem(res, c.status);
        if (c.detail) assert.equal(res.body.detail, c.detail);
      }
    });
  }

  it('logs the boolean case at ERROR, as the run-time error the seed asks for', async () => {
    await get('?x=true');
    assert.ok(logs.entries.some((e) => e.severity === 'ERROR' && e.message === '"bool" is not allowed'));
  });

  it('takes only GET', async () => {
    const res = await request(`${server.url}/?x=a`, { method: 'POST' });
    assert.equal(res.status, 405);
  });
});
