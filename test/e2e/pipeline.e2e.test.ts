import * as assert from 'node:assert/strict';
import { clearFaults, injectFault, localEndpoints } from '../support/endpoints';
import { emulatorCollection } from '../support/emulatorFirestore';
import { request } from '../support/http';
import { rowsWhere } from '../support/localBigQuery';

/**
 * System A end to end, as a user drives it: only through triggerWorkflow and checkStatus, then
 * looking at what the run left in Firestore and BigQuery. Names carry a per-run suffix so the
 * suite needs no reset. The local cloud runs `process` with a 2 s delay (local/withCloud.ts).
 */
describe('validation pipeline end to end', function () {
  this.timeout(120_000);
  const run = Date.now().toString(36);
  const triggerUrl = (): string => localEndpoints().functions.triggerWorkflow;
  const statusUrl = (): string => localEndpoints().functions.checkStatus;

  async function trigger(name: string): Promise<string> {
    const res = await request(triggerUrl(), { method: 'POST', json: { x: name } });
    assert.equal(res.status, 202, res.text);
    assert.match(res.body.execution, /^projects\/[^/]+\/locations\/[^/]+\/workflows\/pipeline\/executions\/[^/]+$/);
    return res.body.execution_id as string;
  }

  async function status(id: string) {
    const res = await request(`${statusUrl()}/?id=${encodeURIComponent(id)}`);
    assert.equal(res.status, 200, res.text);
    return res.body as { state: string; done?: string[]; result?: Record<string, unknown>; error?: { payload: Record<string, unknown> } };
  }

  async function finished(id: string) {
    for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
      const body = await status(id);
      if (body.state !== 'ACTIVE' && body.state !== 'QUEUED') return body;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`execution ${id} still running after 90 s`);
  }

  async function done(name: string): Promise<string[] | undefined> {
    const snapshot = await emulatorCollection('pipeline_state').doc(name).get();
    return snapshot.exists ? (snapshot.get('done') as string[]) : undefined;
  }

  afterEach(() => clearFaults());

  describe('one run per kind of input', () => {
    const cases = [
      { label: 'a lower-case name', name: `hello_${run}`, check: 'Success', process: 'Success', state: ['valid_input_check', 'process'] },
      { label: 'a name with an upper-case letter', name: `Hello_${run}`, check: 'Fail', process: null, state: undefined },
      { label: '42', name: '42', check: '"int" is not allowed', process: null, state: undefined },
      { label: '1.5', name: '1.5', check: '"float" is not allowed', process: null, state: undefined },
      { label: 'true', name: 'true', check: '"bool" is not allowed', process: null, state: undefined },
    ];
    const ids = new Map<string, string>();
    before(async () => {
      // Started together: each waits in `process` or returns early; they do not interfere.
      for (const c of cases) ids.set(c.name, await trigger(c.name));
    });
    for (const c of cases) {
      it(`${c.label}: result, Firestore state and BigQuery rows`, async () => {
        const body = await finished(ids.get(c.name)!);
        assert.equal(body.state, 'SUCCEEDED', JSON.stringify(body));
        assert.deepEqual(body.result, { name: c.name, valid_input_check: c.check, process: c.process });
        // Exact counts: `make test` runs these in a throwaway local cloud, where each name runs once.
        assert.deepEqual(await done(c.name), c.state, c.state ? 'the steps done' : 'no state for a run that stopped at the check');
        const results = await rowsWhere('results', 'name', c.name);
        assert.equal(results.length, 1, `one results row for ${c.name}`);
        assert.equal(results[0].valid_input_check, c.check);
        assert.equal(results[0].process, c.process);
        assert.ok(results[0].timestamp, 'the row has a timestamp');
        const inputs = await rowsWhere('inputs', 'input', c.name);
        assert.equal(inputs.length, c.process === 'Success' ? 1 : 0, 'an inputs row only when process ran');
      });
    }
  });

  it('shows ACTIVE with done = ["valid_input_check"] while the execution waits in process', async () => {
    const name = `waiting_${run}`;
    await injectFault({ function: 'process', delay_ms: 3000, times: 1 });
    const id = await trigger(name);
    let seen: { state: string; done?: string[] } | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && !seen;) {
      const body = await status(id);
      if (body.state === 'ACTIVE' && body.done?.length) seen = body;
      else if (body.state !== 'ACTIVE') break;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(seen, { execution_id: id, state: 'ACTIVE', done: ['valid_input_check'] });
    assert.equal((await finished(id)).state, 'SUCCEEDED');
    assert.deepEqual(await done(name), ['valid_input_check', 'process']);
  });

  it('retries two 429s from isValidInput and succeeds', async () => {
    const name = `retried_${run}`;
    await injectFault({ function: 'isValidInput', status: 429, times: 2 });
    const body = await finished(await trigger(name));
    assert.deepEqual(body.result, { name, valid_input_check: 'Success', process: 'Success' });
    assert.deepEqual(await done(name), ['valid_input_check', 'process']);
    const results = await rowsWhere('results', 'name', name);
    assert.deepEqual(
      results.map((r) => [r.valid_input_check, r.process]),
      [['Success', 'Success']],
      'one results row: the retries left no trace of their own',
    );
    assert.equal((await rowsWhere('inputs', 'input', name)).length, 1);
  });

  it('gives up after 3 retries of a 429 and records the error detail, without calling process', async () => {
    const name = `throttled_${run}`;
    await injectFault({ function: 'isValidInput', status: 429, times: 4 });
    const body = await finished(await trigger(name));
    assert.equal(body.state, 'SUCCEEDED');
    assert.equal(body.result?.process, null);
    assert.match(String(body.result?.valid_input_check), /answered 429/);
    assert.equal(await done(name), undefined);
    const results = await rowsWhere('results', 'name', name);
    assert.equal(results.length, 1, 'one results row');
    assert.match(String(results[0].valid_input_check), /answered 429/);
    assert.equal(results[0].process, null);
    assert.equal((await rowsWhere('inputs', 'input', name)).length, 0, 'process never ran');
    const faults = (await (await fetch(`${localEndpoints().control}/faults`)).json()) as { faults: unknown[] };
    assert.deepEqual(faults.faults, [], 'all four 429s were consumed: one call and three retries');
  });

  it('records a failed process call in the results row, then fails the execution', async () => {
    const name = `broken_${run}`;
    await injectFault({ function: 'process', status: 500, times: 1 });
    const body = await finished(await trigger(name));
    assert.equal(body.state, 'FAILED');
    assert.deepEqual(body.error, { detail: 'HTTP server responded with error code 500' }, 'the detail alone, no headers or body');
    assert.deepEqual(await done(name), ['valid_input_check'], 'process is not appended');
    const rows = await rowsWhere('results', 'name', name);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].valid_input_check, 'Success');
    assert.match(String(rows[0].process), /answered 500/);
  });

  it('runs the same name twice: both succeed, and done holds each step once', async () => {
    const name = `twice_${run}`;
    for (let i = 0; i < 2; i++) assert.equal((await finished(await trigger(name))).state, 'SUCCEEDED');
    assert.deepEqual(await done(name), ['valid_input_check', 'process']);
    assert.equal((await rowsWhere('results', 'name', name)).length, 2);
  });

  it('answers an unknown execution id with 404 and a malformed one with 400', async () => {
    const unknown = await request(`${statusUrl()}/?id=00000000-0000-4000-8000-000000000000`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.contentType, /problem\+json/);
    const malformed = await request(`${statusUrl()}/?id=not%20an%20id`);
    assert.equal(malformed.status, 400);
    assert.match(malformed.contentType, /problem\+json/);
  });
});
