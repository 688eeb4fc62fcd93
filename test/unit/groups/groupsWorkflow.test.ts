import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { repoPath } from '../../../local/paths';
import { ScaledClock } from '../../../local/workflows/clock';
import { WorkflowsEngine } from '../../../local/workflows/engine';
import { json, startFakeServer, type FakeServer, type SeenRequest } from '../../conformance/workflows/fake-server';

const PROJECT = 'unit-project';
/** System C's own database (FIRESTORE_DATABASE below): the fake answers only under it. */
const DATABASE = 'groups';
const DOCUMENTS = `projects/${PROJECT}/databases/${DATABASE}/documents`;
const TASK = '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a';
const TASK_DOC = `${DOCUMENTS}/group_tasks/${TASK}`;
const LOCK_DOC = `${DOCUMENTS}/group_locks/g-team`;

type Fields = Record<string, Record<string, unknown>>;
interface StoredDoc {
  fields: Fields;
  updateTime: string;
}
interface NodeRecord {
  prior: string;
  request: string;
  sent_at: number;
  outcome: string;
  answer: string;
  owed: string;
}

/**
 * How a node treats one request: answer a status instead (`apply`: after serving it), as an
 * HTML page, after a delay (then still served, as a late request), or redirect.
 */
type Behaviour = { status?: number; apply?: boolean; html?: boolean; delayMs?: number; redirect?: 'slash' | 'away' } | undefined;

/**
 * workflows/groups.yaml run by the local Workflows engine against scripted nodes and a small
 * Firestore REST fake (commits with update-time preconditions, as the workflow writes): the log
 * written before each request, strict node answers, the settling read after the late window,
 * the one compensation path, ownership by precondition.
 */
describe('workflows/groups.yaml on the local engine (scripted nodes, Firestore REST fake)', function () {
  this.timeout(20_000);
  let firestore: FakeServer;
  let nodes: FakeServer;
  const docs = new Map<string, StoredDoc>();
  const groups = new Map<string, Set<string>>();
  let behave: (node: string, method: string, n: number) => Behaviour = () => undefined;
  let version = 0;
  /** Each log the workflow committed, in order, with the node request count at that moment. */
  let commits: { log: NodeRecord[]; requests: number; state: string }[] = [];
  let beforeCommit: (n: number) => void = () => undefined;
  const calls = new Map<string, number>();

  const stamp = (): string => new Date(Date.UTC(2026, 0, 1) + ++version).toISOString().replace('Z', `${String(version).padStart(3, '0')}Z`);

  before(async () => {
    firestore = await startFakeServer((req, res) => serveFirestore(req, res));
    nodes = await startFakeServer((req, res) => void serveNode(req, res));
  });
  after(async () => {
    await firestore.close();
    await nodes.close();
  });
  beforeEach(() => {
    docs.clear();
    groups.clear();
    calls.clear();
    commits = [];
    firestore.seen.length = 0;
    nodes.seen.length = 0;
    behave = () => undefined;
    beforeCommit = () => undefined;
  });

  function serveFirestore(req: SeenRequest, res: ServerResponse): void {
    const name = decodeURIComponent(req.path.replace(/^\/v1\//, ''));
    if (req.method === 'GET') {
      const current = docs.get(name);
      if (!current) return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: name } });
      return json(res, 200, { name, ...current });
    }
    type Write = {
      update: { name: string; fields: Fields };
      updateMask: { fieldPaths: string[] };
      currentDocument?: { updateTime?: string };
    };
    const { writes } = JSON.parse(req.body) as { writes: Write[] };
    beforeCommit(commits.length);
    for (const w of writes) {
      if (w.currentDocument?.updateTime && docs.get(w.update.name)?.updateTime !== w.currentDocument.updateTime)
        return json(res, 400, { error: { code: 400, status: 'FAILED_PRECONDITION', message: 'stale' } });
    }
    const results = writes.map((w) => {
      const fields = { ...(docs.get(w.update.name)?.fields ?? {}) };
      for (const path of w.updateMask.fieldPaths) {
        if (path in w.update.fields) fields[path] = w.update.fields[path];
        else delete fields[path];
      }
      const updateTime = stamp();
      docs.set(w.update.name, { fields, updateTime });
      if (w.update.name === TASK_DOC)
        commits.push({
          log: JSON.parse(fields.log.stringValue as string),
          requests: nodes.seen.length,
          state: fields.state.stringValue as string,
        });
      return { updateTime };
    });
    json(res, 200, { writeResults: results, commitTime: stamp() });
  }

  async function serveNode(req: SeenRequest, res: ServerResponse): Promise<void> {
    const [, node, ...rest] = req.path.split('/');
    const key = `${node} ${req.method}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const b = behave(node, req.method, calls.get(key)!);
    if (b?.redirect === 'slash' && req.path.endsWith('/'))
      return json(res, 307, {}, { Location: `${nodes.url}${req.path.replace(/\/$/, '')}` });
    if (b?.redirect === 'away') return json(res, 307, {}, { Location: `http://127.0.0.1:9/${rest.join('/')}` });
    if (b?.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (b?.status && !b.apply) return answer(res, b);
    const held = groups.get(node) ?? new Set<string>();
    groups.set(node, held);
    let status: number;
    if (req.method === 'GET') status = held.has(rest[2]) ? 200 : 404;
    else {
      const { groupId } = JSON.parse(req.body) as { groupId: string };
      if (req.method === 'POST') status = held.has(groupId) ? 400 : (held.add(groupId), 201);
      else status = held.delete(groupId) ? 200 : 404;
    }
    if (b?.status) return answer(res, b);
    if (!res.destroyed) json(res, status, { status });
  }

  function answer(res: ServerResponse, b: NonNullable<Behaviour>): void {
    if (!b.html) return json(res, b.status!, { detail: `scripted ${b.status}` });
    res.writeHead(b.status!, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<html><body>Bad gateway</body></html>');
  }

  const nodeUrl = (n: number): string => `${nodes.url}/n${n}`;

  async function run(argument: Record<string, unknown>, env: Record<string, string> = {}, speed = 1000) {
    const clock = new ScaledClock(speed);
    const engine = new WorkflowsEngine({ projectId: PROJECT, location: 'l', firestore: firestore.url.replace('http://', ''), clock });
    const list = [1, 2, 3].map(nodeUrl).join(',');
    engine.deploy({
      workflowId: 'groups',
      source: fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8'),
      userEnvVars: {
        FIRESTORE_DATABASE: DATABASE,
        GROUP_TASKS_COLLECTION: 'group_tasks',
        GROUP_LOCKS_COLLECTION: 'group_locks',
        NODES: list,
        NODE_AUDIENCES: list,
        NODE_TIMEOUT_SECONDS: '0.3',
        NODE_LATE_SECONDS: '1',
        NODE_APPLY_MAX_ATTEMPTS: '2',
        COMPENSATION_MAX_RETRIES: '2',
        GROUP_TASK_RETENTION_DAYS: '30',
        ...env,
      },
    });
    const record = await engine.run('groups', argument as never);
    return { record, result: record.result ? (JSON.parse(record.result) as Record<string, unknown>) : undefined, clock };
  }

  /** As createGroup writes them: the PENDING task and the lock naming it. */
  function writeTask(operation: 'create' | 'delete', state = 'PENDING', log?: NodeRecord[]): void {
    const fields: Fields = {
      state: { stringValue: state },
      task_id: { stringValue: TASK },
      operation: { stringValue: operation },
      group_id: { stringValue: 'team' },
    };
    if (log) fields.log = { stringValue: JSON.stringify(log) };
    if (state === 'FAILED') fields.owed = { booleanValue: true };
    docs.set(TASK_DOC, { fields, updateTime: stamp() });
    docs.set(LOCK_DOC, { fields: { task_id: { stringValue: TASK } }, updateTime: stamp() });
  }

  async function operate(operation: 'create' | 'delete', env: Record<string, string> = {}, speed = 1000) {
    writeTask(operation);
    const { record, result } = await run({ task_id: TASK }, env, speed);
    assert.equal(record.state, 'SUCCEEDED', `execution ${record.state}: ${record.error?.payload}`);
    return {
      result: result as { task_id: string; state: string; error: string | null },
      ...stored(),
    };
  }

  function stored() {
    const fields = docs.get(TASK_DOC)!.fields;
    const log = JSON.parse(fields.log.stringValue as string) as NodeRecord[];
    return { fields, log, outcomes: log.map((r) => r.outcome) };
  }

  /** The node requests in order, as "n2 POST". */
  const nodeRequests = (): string[] => nodes.seen.map((r) => `${r.path.split('/')[1]} ${r.method}`);
  const has = (n: number): boolean => groups.get(`n${n}`)?.has('team') ?? false;

  it('is accepted by the engine as written', () => {
    const engine = new WorkflowsEngine({ projectId: PROJECT, location: 'l' });
    assert.doesNotThrow(() =>
      engine.deploy({ workflowId: 'groups', source: fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8') }),
    );
  });

  it('creates on every node in order, writing each request to the log before sending it', async () => {
    const { result, fields, outcomes } = await operate('create');
    assert.equal(result.state, 'SUCCEEDED');
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 POST', 'n2 GET', 'n2 POST', 'n3 GET', 'n3 POST']);
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    assert.deepEqual(result, { task_id: TASK, state: 'SUCCEEDED', error: null }, 'the result is short: groupTask shows the rest');
    assert.equal(fields.state.stringValue, 'SUCCEEDED');
    assert.equal(fields.owed.booleanValue, false);
    assert.equal(String(fields.execution.stringValue).startsWith(`projects/${PROJECT}/locations/l/workflows/groups/executions/`), true);
    const expiresIn = Date.parse(fields.expires_at.timestampValue as string) - Date.now();
    assert.ok(Math.abs(expiresIn - 30 * 86_400_000) < 86_400_000, `expires_at is GROUP_TASK_RETENTION_DAYS away: ${expiresIn} ms`);
    // Each POST was preceded by a commit naming it, with its compensation owed.
    for (const [i, post] of [1, 3, 5].entries()) {
      const ahead = commits.filter((c) => c.requests === post).pop();
      assert.ok(ahead, `no commit before request ${post}`);
      assert.deepEqual([ahead.log[i].request, ahead.log[i].outcome, ahead.log[i].owed], ['POST', 'unknown', 'DELETE']);
    }
    assert.equal(nodes.seen[1].headers.authorization?.startsWith('Bearer '), true, 'nodes are called with OIDC');
  });

  it('uses only its own NODES: nodes named in the argument are ignored', async () => {
    writeTask('create');
    const { record } = await run({ task_id: TASK, nodes: ['http://127.0.0.1:9/evil'] });
    assert.equal(record.state, 'SUCCEEDED', record.error?.payload);
    assert.deepEqual([...new Set(nodes.seen.map((r) => r.path.split('/')[1]))], ['n1', 'n2', 'n3']);
  });

  it('compensates in reverse order when node 3 fails, and ends ROLLED_BACK', async () => {
    behave = (node, method) => (node === 'n3' && method === 'POST' ? { status: 500 } : undefined);
    const { result, outcomes, fields } = await operate('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'failed']);
    assert.deepEqual(
      nodeRequests().filter((r) => r.endsWith('DELETE')),
      ['n2 DELETE', 'n1 DELETE'],
    );
    assert.equal(has(1) || has(2), false);
    assert.equal(fields.error.stringValue, 'node 2: POST answered 500; rolled back');
    assert.equal(fields.owed.booleanValue, false);
  });

  it('reports a node it created as rolled back even when its undo is answered "already gone" (404)', async () => {
    behave = (node, method) =>
      node === 'n3' && method === 'POST'
        ? { status: 500 }
        : node === 'n2' && method === 'DELETE'
          ? { status: 404, apply: true }
          : undefined;
    const { result, outcomes } = await operate('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(
      outcomes,
      ['rolled_back', 'rolled_back', 'failed'],
      'node 1 (n2) did take the create: it was rolled back, not "failed"',
    );
    assert.equal(has(1) || has(2), false);
  });

  it('never deletes a group that was there before the create', async () => {
    groups.set('n1', new Set(['team']));
    behave = (node) => (node === 'n3' ? { status: 503 } : undefined);
    const { result, outcomes } = await operate('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['pre-existing', 'rolled_back', 'failed']);
    assert.equal(has(1), true);
    assert.ok(!nodeRequests().includes('n1 DELETE'));
  });

  const unclear: [string, Behaviour][] = [
    ['a 422', { status: 422 }],
    ['an HTML page answered 200', { status: 200, html: true }],
    ['a 202', { status: 202 }],
    ['a 500', { status: 500 }],
    ['a redirect to another host', { redirect: 'away' }],
  ];
  for (const [name, b] of unclear) {
    it(`takes ${name} to the create as an unknown outcome, never as success: read, sent again, then rolled back`, async () => {
      behave = (node, method) => (node === 'n2' && method === 'POST' ? b : undefined);
      const { result, outcomes, log } = await operate('create');
      assert.equal(result.state, 'ROLLED_BACK', JSON.stringify(result));
      assert.deepEqual(outcomes, ['rolled_back', 'failed', 'skipped']);
      assert.equal(calls.get('n2 POST'), 2, 'NODE_APPLY_MAX_ATTEMPTS');
      assert.equal(log[1].owed, '', 'settled as not applied: nothing owed');
      assert.deepEqual([has(1), has(2), has(3)], [false, false, false]);
    });
  }
  for (const [name, b] of unclear.filter(([, b]) => !b?.redirect)) {
    it(`settles ${name} that did take effect by a read: the node counts as created`, async () => {
      behave = (node, method) => (node === 'n2' && method === 'POST' ? { ...b, apply: true } : undefined);
      const { result, outcomes } = await operate('create');
      assert.equal(result.state, 'SUCCEEDED', JSON.stringify(result));
      assert.deepEqual(outcomes, ['created', 'created', 'created']);
      assert.equal(calls.get('n2 POST'), 1);
    });
  }

  it('reads a node again when its first read fails, and sends it nothing until a read succeeds', async () => {
    behave = (node, method, n) => (node === 'n2' && method === 'GET' && n === 1 ? { status: 503 } : undefined);
    const { result, outcomes, log } = await operate('create');
    assert.equal(result.state, 'SUCCEEDED', JSON.stringify(result));
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    assert.deepEqual(nodeRequests().slice(2, 5), ['n2 GET', 'n2 GET', 'n2 POST']);
    assert.equal(log[1].prior, 'absent', 'the prior state is the read that succeeded');
  });

  it('follows a same-node redirect of a trailing slash (FastAPI) for reads, creates and deletes', async () => {
    behave = () => ({ redirect: 'slash' });
    const { result, outcomes } = await operate('create');
    assert.equal(result.state, 'SUCCEEDED', JSON.stringify(result));
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    assert.deepEqual([has(1), has(2), has(3)], [true, true, true]);
    assert.equal(nodes.seen.filter((r) => !r.path.endsWith('/')).length, 6, 'each GET and POST sent again without the slash');
  });

  it('never takes a redirect for presence: a node that redirects every read elsewhere fails before anything is sent', async () => {
    behave = (node, method) => (node === 'n1' && method === 'GET' ? { redirect: 'away' } : undefined);
    const { result, outcomes } = await operate('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['failed', 'skipped', 'skipped']);
    assert.ok(!nodeRequests().includes('n1 POST'));
  });

  it('settles a timed-out POST only after the late window: a create served late counts as created, not sent twice', async () => {
    // The POST is served 0.5 s after it arrived (the workflow gave up at 0.3 s); the window is 0.8 s.
    behave = (node, method, n) => (node === 'n2' && method === 'POST' && n === 1 ? { delayMs: 500 } : undefined);
    const { result, outcomes } = await operate('create', { NODE_LATE_SECONDS: '0.8' }, 1);
    assert.equal(result.state, 'SUCCEEDED', JSON.stringify(result));
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    assert.equal(calls.get('n2 POST'), 1, 'the read after the window found it: not sent again');
  });

  it('compensates a late POST it could not settle: the rollback reads only after the window, and deletes it', async () => {
    // n2's POST is served late and its reads fail until the rollback's: the forward pass gives up on it.
    behave = (node, method, n) => {
      if (node !== 'n2') return undefined;
      if (method === 'POST') return { delayMs: 500 };
      // Reads 2 and 3: the forward pass's two settling reads.
      return method === 'GET' && (n === 2 || n === 3) ? { status: 503 } : undefined;
    };
    const { result, outcomes } = await operate('create', { NODE_LATE_SECONDS: '0.8' }, 1);
    assert.equal(result.state, 'ROLLED_BACK', JSON.stringify(result));
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'skipped']);
    assert.equal(has(2), false, 'the late create was deleted');
  });

  it('ends FAILED naming a node it could not settle as unknown, owing its compensation, never ROLLED_BACK', async () => {
    // n2 answers its first read, then 503 to everything: its POST is never settled.
    behave = (node, method, n) => (node === 'n2' && !(method === 'GET' && n === 1) ? { status: 503 } : undefined);
    const { result, outcomes, fields, log } = await operate('create');
    assert.equal(result.state, 'FAILED');
    assert.deepEqual(outcomes, ['rolled_back', 'unknown', 'skipped']);
    assert.deepEqual(
      log.map((r) => r.owed),
      ['', 'DELETE', ''],
    );
    assert.equal(fields.owed.booleanValue, true);
    assert.equal(fields.expires_at, undefined, 'a task owing compensations never expires');
    assert.match(fields.error.stringValue as string, /compensations still owed on nodes \[1\]/);
  });

  it('reports compensation_failed when the node keeps the change, and a replay after the fix settles it', async () => {
    behave = (node, method) =>
      (node === 'n3' && method === 'POST') || (node === 'n1' && method === 'DELETE') ? { status: 500 } : undefined;
    const first = await operate('create');
    assert.equal(first.result.state, 'FAILED');
    assert.deepEqual(first.outcomes, ['compensation_failed', 'rolled_back', 'failed']);
    assert.equal(calls.get('n1 DELETE'), 3, 'one attempt and COMPENSATION_MAX_RETRIES=2 more');

    behave = () => undefined;
    nodes.seen.length = 0;
    const { record, result } = await run({ replay_task: TASK });
    assert.equal(record.state, 'SUCCEEDED', record.error?.payload);
    assert.equal(result!.state, 'ROLLED_BACK');
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 DELETE'], 'only the owed compensation, read first');
    assert.equal(has(1), false);
    const { fields, outcomes } = stored();
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'failed']);
    assert.equal(fields.owed.booleanValue, false);
    assert.match(fields.error.stringValue as string, /; replayed by execution \S+; rolled back$/);

    const again = await run({ replay_task: TASK });
    assert.equal(again.record.state, 'FAILED');
    assert.match(String(again.record.error?.payload), /replay refused: task \S+ is ROLLED_BACK/);
  });

  it('resumes a task its execution left RUNNING mid-rollback from the log: settles the in-flight request, then compensates', async () => {
    groups.set('n1', new Set(['team']));
    // n1 created, n2 failed; the crashed rollback had written its DELETE to n1 and sent it.
    const record = (outcome: string, request: string, owed: string): NodeRecord => ({
      prior: 'absent',
      request,
      sent_at: Date.now() / 1000,
      outcome,
      answer: '',
      owed,
    });
    writeTask('create', 'RUNNING', [record('unknown', 'DELETE', 'DELETE'), record('failed', 'POST', ''), record('pending', '', '')]);
    const { record: execution, result } = await run({ replay_task: TASK });
    assert.equal(execution.state, 'SUCCEEDED', execution.error?.payload);
    assert.equal(result!.state, 'ROLLED_BACK');
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 DELETE'], 'a read first, the request in flight being unknown');
    assert.deepEqual(stored().outcomes, ['rolled_back', 'failed', 'skipped']);
  });

  it('stops sending at once when another execution takes the task (its next write fails)', async () => {
    // Before the second POST's write-ahead commit, a replay claims the task.
    beforeCommit = (n) => {
      if (n === 3) docs.set(TASK_DOC, { ...docs.get(TASK_DOC)!, updateTime: stamp() });
    };
    writeTask('create');
    const { record } = await run({ task_id: TASK });
    assert.equal(record.state, 'FAILED');
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 POST', 'n2 GET'], 'nothing sent after the lost write');
  });

  it('lets only one execution run a task: a second finds it claimed and touches nothing', async () => {
    writeTask('create', 'RUNNING');
    const { record, result } = await run({ task_id: TASK });
    assert.equal(record.state, 'SUCCEEDED');
    assert.equal(result!.state, 'NOT_CLAIMED');
    assert.equal(nodes.seen.length, 0);
  });

  it('does not run a PENDING task whose group another task has taken', async () => {
    writeTask('create');
    docs.set(LOCK_DOC, { fields: { task_id: { stringValue: 'another-task' } }, updateTime: stamp() });
    const { result } = await run({ task_id: TASK });
    assert.equal(result!.state, 'NOT_CLAIMED');
    assert.equal(nodes.seen.length, 0);
  });

  it('confirms a 400 to a create with a read: a group created meanwhile by someone else is pre-existing', async () => {
    behave = (node, method) => {
      if (node === 'n2' && method === 'POST') groups.set('n2', new Set(['team']));
      return undefined;
    };
    // (The rollback would then leave it alone.)
    const { result, outcomes } = await operate('create');
    assert.equal(result.state, 'SUCCEEDED');
    assert.deepEqual(outcomes, ['created', 'pre-existing', 'created']);
  });

  it('restores what a delete removed when a later node fails', async () => {
    for (const n of [1, 2, 3]) groups.set(`n${n}`, new Set(['team']));
    behave = (node, method) => (node === 'n3' && method === 'DELETE' ? { status: 503 } : undefined);
    const { result, outcomes } = await operate('delete');
    assert.equal(calls.get('n3 DELETE'), 2);
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['restored', 'restored', 'failed']);
    assert.deepEqual([has(1), has(2), has(3)], [true, true, true]);
  });
});
