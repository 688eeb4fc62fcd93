import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeServer, json, startFakeServer } from './fake-server';
import { run } from './harness';

const SOURCE = fs.readFileSync(
  path.join(__dirname, '..', '..', '..', '..', 'test', 'conformance', 'workflows', 'fixtures', 'system-c.yaml'),
  'utf8',
);

/**
 * The System C saga shape (SPEC.md) inside the engine: a parallel for with a shared map written
 * by index, TimeoutError as an unknown outcome, http.delete with a body, a retry predicate
 * subworkflow with back-off, dead letters, and subworkflow calls inside expressions.
 */
describe('workflows conformance: a System C-shaped workflow', () => {
  let srv: FakeServer;
  /** Per node: how it answers create, and how many deletes fail before one succeeds. */
  let behaviour: Record<string, { create: 'ok' | 'fail' | 'hang' | 'exists'; deleteFailures: number }>;
  const groups = new Map<string, Set<string>>();

  before(async () => {
    srv = await startFakeServer((req, res) => {
      const [, node, ...rest] = req.path.split('/');
      const b = behaviour[node];
      const held = groups.get(node) ?? new Set<string>();
      groups.set(node, held);
      const route = rest.join('/');
      if (req.method === 'POST' && route === 'v1/group/') {
        const id = JSON.parse(req.body).groupId as string;
        if (b.create === 'fail') return json(res, 500, { error: 'boom' });
        if (b.create === 'exists') return json(res, 400, { error: 'exists' });
        held.add(id);
        if (b.create === 'hang') return void setTimeout(() => json(res, 201, {}), 1000);
        return json(res, 201, {});
      }
      if (req.method === 'GET' && route.startsWith('v1/group/')) return json(res, held.has(route.split('/')[2]) ? 200 : 404, {});
      if (req.method === 'DELETE' && route === 'v1/group/') {
        if (b.deleteFailures > 0) {
          b.deleteFailures--;
          return json(res, 503, { error: 'busy' });
        }
        held.delete(JSON.parse(req.body).groupId as string);
        return json(res, 200, {});
      }
      return json(res, 404, {});
    });
  });
  after(() => srv.close());
  beforeEach(() => {
    groups.clear();
    srv.seen.length = 0;
  });

  const nodes = (): string[] => ['n1', 'n2', 'n3'].map((n) => `${srv.url}/${n}`);

  it('all nodes succeed: SUCCEEDED, nothing rolled back', async () => {
    behaviour = {
      n1: { create: 'ok', deleteFailures: 0 },
      n2: { create: 'ok', deleteFailures: 0 },
      n3: { create: 'ok', deleteFailures: 0 },
    };
    const o = await run(SOURCE, { group_id: 'g1', nodes: nodes() });
    assert.equal(o.state, 'SUCCEEDED', o.record.error?.payload);
    assert.equal((o.result as { state: string }).state, 'SUCCEEDED');
  });

  it('one node fails, one times out but did create: both touched nodes are rolled back, a busy delete is retried', async () => {
    behaviour = {
      n1: { create: 'ok', deleteFailures: 2 },
      n2: { create: 'hang', deleteFailures: 0 },
      n3: { create: 'fail', deleteFailures: 0 },
    };
    const o = await run(SOURCE, { group_id: 'g2', nodes: nodes() });
    assert.equal(o.state, 'SUCCEEDED', o.record.error?.payload);
    const r = o.result as { state: string; outcome: Record<string, string>; rolled_back: string[]; dead_letters: unknown[] };
    assert.equal(r.state, 'ROLLED_BACK');
    assert.deepEqual(Object.values(r.outcome).sort(), ['created', 'created', 'failed']);
    assert.deepEqual(r.rolled_back.map((u) => u.split('/').pop()).sort(), ['n1', 'n2']);
    assert.deepEqual(r.dead_letters, []);
    assert.deepEqual(o.clock.sleeps, [1000, 2000], 'the two 503s on n1 were retried with back-off');
    assert.equal(groups.get('n1')?.size, 0);
  });

  it('a compensation that keeps failing becomes a dead letter; a group that already existed is never deleted', async () => {
    behaviour = {
      n1: { create: 'ok', deleteFailures: 99 },
      n2: { create: 'exists', deleteFailures: 0 },
      n3: { create: 'fail', deleteFailures: 0 },
    };
    const o = await run(SOURCE, { group_id: 'g3', nodes: nodes() });
    const r = o.result as { state: string; outcome: Record<string, string>; dead_letters: { node: string; operation: string }[] };
    assert.equal(r.state, 'FAILED');
    assert.equal(r.dead_letters.length, 1);
    assert.match(r.dead_letters[0].node, /\/n1$/);
    assert.deepEqual(o.clock.sleeps, [1000, 2000, 4000]);
    assert.ok(!srv.seen.some((s) => s.method === 'DELETE' && s.path.startsWith('/n2/')), 'n2 had the group before: not deleted');
  });
});
