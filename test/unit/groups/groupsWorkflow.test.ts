import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { repoPath } from '../../../local/paths';
import { ScaledClock } from '../../../local/workflows/clock';
import { WorkflowsEngine } from '../../../local/workflows/engine';
import { json, startFakeServer, type FakeServer, type SeenRequest } from '../../conformance/workflows/fake-server';

const PROJECT = 'unit-project';
const DOCUMENTS = `projects/${PROJECT}/databases/(default)/documents`;
const TASK = '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a';
const TASK_DOC = `${DOCUMENTS}/group_tasks/${TASK}`;
const LOCK_DOC = `${DOCUMENTS}/group_locks/g-team`;

type Fields = Record<string, Record<string, unknown>>;
interface StoredDoc {
  fields: Fields;
  updateTime: string;
}

/** What a node does with one request: answer a status instead, or wait first. */
type Disruption = { status?: number; delayMs?: number } | undefined;

/**
 * workflows/groups.yaml run by the local Workflows engine (x1000 clock, so back-off costs
 * nothing) against scripted nodes and a small Firestore REST fake: the order of node requests,
 * the outcomes written as they happen, the rollback order, the back-off of compensations, the
 * dead letter and the lock release, checked request by request.
 */
describe('workflows/groups.yaml on the local engine (scripted nodes, Firestore REST fake)', function () {
  this.timeout(20_000);
  let firestore: FakeServer;
  let nodes: FakeServer;
  const docs = new Map<string, StoredDoc>();
  const groups = new Map<string, Set<string>>();
  let disrupt: (node: string, method: string, n: number) => Disruption = () => undefined;
  let version = 0;
  let touchTaskAfterRead = 0;
  let failPatch: (name: string) => boolean = () => false;
  let failCommit: (writes: unknown[]) => boolean = () => false;
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
    firestore.seen.length = 0;
    nodes.seen.length = 0;
    disrupt = () => undefined;
    touchTaskAfterRead = 0;
    failPatch = () => false;
    failCommit = () => false;
  });

  function serveFirestore(req: SeenRequest, res: ServerResponse): void {
    const name = decodeURIComponent(req.path.replace(/^\/v1\//, ''));
    if (req.method === 'POST' && name.endsWith(':commit')) {
      type Write = {
        delete?: string;
        update?: { name: string; fields: Fields };
        updateMask?: { fieldPaths: string[] };
        transform?: { document: string; fieldTransforms: { fieldPath: string; appendMissingElements: { values: unknown[] } }[] };
        currentDocument?: { updateTime?: string; exists?: boolean };
      };
      const { writes } = JSON.parse(req.body) as { writes: Write[] };
      if (failCommit(writes)) return json(res, 500, { error: { code: 500, status: 'INTERNAL', message: 'scripted failure' } });
      for (const w of writes) {
        const current = docs.get(w.delete ?? w.update?.name ?? w.transform!.document);
        if (w.currentDocument?.updateTime && current?.updateTime !== w.currentDocument.updateTime) {
          return json(res, 400, { error: { code: 400, status: 'FAILED_PRECONDITION', message: 'stale' } });
        }
        if (w.currentDocument?.exists === true && !current) {
          return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: 'no document' } });
        }
      }
      for (const w of writes) {
        if (w.delete) docs.delete(w.delete);
        else if (w.transform) {
          // appendMissingElements: a set union, in order, as Firestore does it.
          const fields = { ...(docs.get(w.transform.document)?.fields ?? {}) };
          for (const t of w.transform.fieldTransforms) {
            const values = [...(((fields[t.fieldPath]?.arrayValue as { values?: unknown[] }) ?? {}).values ?? [])];
            for (const v of t.appendMissingElements.values)
              if (!values.some((x) => JSON.stringify(x) === JSON.stringify(v))) values.push(v);
            fields[t.fieldPath] = { arrayValue: { values } };
          }
          docs.set(w.transform.document, { fields, updateTime: stamp() });
        } else {
          const fields = { ...(docs.get(w.update!.name)?.fields ?? {}) };
          for (const path of w.updateMask!.fieldPaths) fields[path] = w.update!.fields[path];
          docs.set(w.update!.name, { fields, updateTime: stamp() });
        }
      }
      return json(res, 200, { writeResults: writes.map(() => ({})), commitTime: stamp() });
    }
    const current = docs.get(name);
    if (req.method === 'GET') {
      if (!current) return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: name } });
      json(res, 200, { name, ...current });
      // As createGroup recording the execution name right after the workflow read the task.
      if (name === TASK_DOC && touchTaskAfterRead > 0) {
        touchTaskAfterRead--;
        docs.set(name, { fields: { ...current.fields, execution: { stringValue: 'exec' } }, updateTime: stamp() });
      }
      return;
    }
    if (req.method === 'PATCH' && failPatch(name)) {
      return json(res, 500, { error: { code: 500, status: 'INTERNAL', message: 'scripted failure' } });
    }
    if (req.method === 'PATCH') {
      if (req.query['currentDocument.exists'] === 'true' && !current)
        return json(res, 404, { error: { code: 404, status: 'NOT_FOUND', message: name } });
      const body = JSON.parse(req.body) as { fields: Fields };
      const mask = req.query['updateMask.fieldPaths'];
      const fields: Fields = mask ? { ...(current?.fields ?? {}) } : {};
      for (const path of mask ? ([] as string[]).concat(mask) : Object.keys(body.fields)) {
        if (path in body.fields) fields[path] = body.fields[path];
        else delete fields[path];
      }
      const doc = { fields, updateTime: stamp() };
      docs.set(name, doc);
      return json(res, 200, { name, ...doc });
    }
    json(res, 405, {});
  }

  async function serveNode(req: SeenRequest, res: ServerResponse): Promise<void> {
    const [, node, ...rest] = req.path.split('/');
    const key = `${node} ${req.method}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const d = disrupt(node, req.method, calls.get(key)!);
    if (d?.delayMs) await new Promise((r) => setTimeout(r, d.delayMs));
    if (d?.status) return json(res, d.status, { detail: `scripted ${d.status}` });
    const held = groups.get(node) ?? new Set<string>();
    groups.set(node, held);
    const path = rest.join('/');
    if (req.method === 'GET') {
      const id = path.split('/')[2];
      return held.has(id) ? json(res, 200, { groupId: id }) : json(res, 404, { detail: 'no such group' });
    }
    const { groupId } = JSON.parse(req.body) as { groupId: string };
    if (req.method === 'POST') {
      if (held.has(groupId)) return json(res, 400, { detail: 'exists' });
      held.add(groupId);
      return json(res, 201, { groupId });
    }
    if (!held.delete(groupId)) return json(res, 404, { detail: 'no such group' });
    json(res, 200, { groupId });
  }

  const nodeUrl = (n: number): string => `${nodes.url}/n${n}`;

  function deployEngine(env: Record<string, string> = {}) {
    const clock = new ScaledClock(1000);
    const engine = new WorkflowsEngine({ projectId: PROJECT, location: 'l', firestore: firestore.url.replace('http://', ''), clock });
    engine.deploy({
      workflowId: 'groups',
      source: fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8'),
      userEnvVars: {
        GROUP_TASKS_COLLECTION: 'group_tasks',
        GROUP_LOCKS_COLLECTION: 'group_locks',
        GROUP_DEAD_LETTERS_COLLECTION: 'group_dead_letters',
        NODE_TIMEOUT_SECONDS: '0.3',
        NODE_APPLY_MAX_ATTEMPTS: '2',
        NODE_CHECK_MAX_RETRIES: '2',
        COMPENSATION_MAX_RETRIES: '3',
        GROUP_TASK_RETENTION_DAYS: '30',
        NODE_AUTH_AUDIENCE: 'https://nodes.example.com',
        ...env,
      },
    });
    return { engine, clock };
  }

  async function runWorkflow(operation: 'create' | 'delete', env: Record<string, string> = {}, taskState = 'PENDING') {
    const nodeList = [1, 2, 3].map(nodeUrl);
    // As createGroup writes them: the task (with what a replay reads back) and the lock.
    const strings = (values: string[]) => ({ arrayValue: { values: values.map((v) => ({ stringValue: v })) } });
    docs.set(TASK_DOC, {
      fields: {
        state: { stringValue: taskState },
        task_id: { stringValue: TASK },
        operation: { stringValue: operation },
        group_id: { stringValue: 'team' },
        nodes: strings(nodeList),
        outcomes: strings(nodeList.map(() => 'pending')),
      },
      updateTime: stamp(),
    });
    docs.set(LOCK_DOC, { fields: { task_id: { stringValue: TASK } }, updateTime: stamp() });
    const { engine, clock } = deployEngine(env);
    const record = await engine.run('groups', { task_id: TASK, operation, group_id: 'team', nodes: nodeList });
    assert.equal(record.state, 'SUCCEEDED', `execution ${record.state}: ${record.error?.payload}`);
    const result = JSON.parse(record.result!) as {
      state: string;
      nodes: Record<string, string>;
      error: string | null;
      dead_letters: string[];
    };
    const task = docs.get(TASK_DOC)!.fields;
    const outcomes =
      (task.outcomes?.arrayValue as { values?: { stringValue: string }[] } | undefined)?.values?.map((v) => v.stringValue) ?? [];
    return { result, task, outcomes, clock };
  }

  /** The node requests in order, as "n2 POST". */
  const nodeRequests = (): string[] => nodes.seen.map((r) => `${r.path.split('/')[1]} ${r.method}`);
  const taskPatches = (): SeenRequest[] =>
    firestore.seen.filter((r) => r.method === 'PATCH' && decodeURIComponent(r.path).endsWith(TASK_DOC));

  it('is accepted by the engine as written', () => {
    const engine = new WorkflowsEngine({ projectId: PROJECT, location: 'l' });
    assert.doesNotThrow(() =>
      engine.deploy({ workflowId: 'groups', source: fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8') }),
    );
  });

  it('creates on every node in order, reading each first, and releases the lock', async () => {
    const { result, task, outcomes } = await runWorkflow('create');
    assert.equal(result.state, 'SUCCEEDED');
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 POST', 'n2 GET', 'n2 POST', 'n3 GET', 'n3 POST']);
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    assert.equal(task.state.stringValue, 'SUCCEEDED');
    assert.equal(task.error, undefined);
    assert.equal(docs.has(LOCK_DOC), false, 'the lock is released');
    const expiresIn = Date.parse(task.expires_at.timestampValue as string) - Date.now();
    assert.ok(Math.abs(expiresIn - 30 * 86_400_000) < 60_000, `expires_at is GROUP_TASK_RETENTION_DAYS away: ${expiresIn} ms`);
    // The claim (a commit) marked it RUNNING; then one write per node and the final state:
    // progress is visible as it happens.
    assert.equal(taskPatches().length, 4);
    const reads = firestore.seen.filter((r) => r.method === 'GET').map((r) => decodeURIComponent(r.path).split('/').slice(-2)[0]);
    assert.deepEqual(reads, ['group_tasks', 'group_locks'], 'the claim and the lock release: no dead letter is looked for');
    assert.equal(nodes.seen[1].headers.authorization?.startsWith('Bearer '), true, 'nodes are called with OIDC');
  });

  it('compensates in reverse order when node 3 fails, and ends ROLLED_BACK', async () => {
    disrupt = (node) => (node === 'n3' ? { status: 500 } : undefined);
    const { result, outcomes, task } = await runWorkflow('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'failed']);
    const deletes = nodeRequests().filter((r) => r.endsWith('DELETE'));
    assert.deepEqual(deletes, ['n2 DELETE', 'n1 DELETE']);
    assert.equal(groups.get('n1')!.size + groups.get('n2')!.size, 0);
    assert.match(task.error.stringValue as string, /n3.*500.*rolled back/);
    assert.equal(docs.has(LOCK_DOC), false);
  });

  it('never deletes a group that was there before the create', async () => {
    groups.set('n1', new Set(['team']));
    disrupt = (node) => (node === 'n3' ? { status: 503 } : undefined);
    const { result, outcomes } = await runWorkflow('create');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['pre-existing', 'rolled_back', 'failed']);
    assert.ok(!nodeRequests().includes('n1 DELETE'), 'node 1 is not touched by the rollback');
    assert.ok(!nodeRequests().includes('n1 POST'), 'nor by the create');
    assert.ok(groups.get('n1')!.has('team'));
  });

  it('settles a POST that timed out with a GET: applied late means created, not rolled back', async () => {
    // n2's first POST takes 600 ms (the workflow waits 300 ms) but still creates the group.
    disrupt = (node, method, n) => (node === 'n2' && method === 'POST' && n === 1 ? { delayMs: 600 } : undefined);
    const { result, outcomes } = await runWorkflow('create');
    assert.equal(result.state, 'SUCCEEDED', JSON.stringify(result));
    assert.deepEqual(outcomes, ['created', 'created', 'created']);
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(groups.get('n2')!.has('team'));
  });

  it('retries a compensation with exponential back-off, then writes a replayable dead letter and ends FAILED', async () => {
    disrupt = (node, method) => (node === 'n3' || (node === 'n1' && method === 'DELETE') ? { status: 500 } : undefined);
    const { result, outcomes, task, clock } = await runWorkflow('create');
    assert.equal(result.state, 'FAILED');
    assert.deepEqual(outcomes, ['compensation_failed', 'rolled_back', 'failed']);
    assert.equal(calls.get('n1 DELETE'), 4, 'one attempt and COMPENSATION_MAX_RETRIES=3 retries');
    // 1 s doubling: the compensation's delays appear in order among the workflow's sleeps.
    const joined = clock.sleeps.join(',');
    assert.ok(joined.includes('1000,2000,4000'), `back-off ${joined}`);

    const id = `${TASK}-0`;
    assert.deepEqual(result.dead_letters, [id]);
    assert.match(task.error.stringValue as string, new RegExp(id));
    const letter = docs.get(`${DOCUMENTS}/group_dead_letters/${id}`)!.fields;
    assert.equal(letter.node.stringValue, nodeUrl(1));
    assert.equal(letter.method.stringValue, 'DELETE');
    assert.equal(letter.url.stringValue, `${nodeUrl(1)}/v1/group/`);
    assert.deepEqual(letter.body, { mapValue: { fields: { groupId: { stringValue: 'team' } } } });
    assert.equal(Number(letter.attempts.integerValue), 4);
    assert.equal(Number(letter.last_status.integerValue), 500);
    assert.equal(letter.task_id.stringValue, TASK);
    assert.equal(letter.state.stringValue, 'PENDING_REPLAY');
    assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the group stays locked while a dead letter is pending');
    assert.equal(task.expires_at, undefined, 'a task holding its group never expires');
  });

  it('compensates a node whose outcome stayed unknown (no clear answer even to GETs)', async () => {
    // n2 takes the POST too slowly (it still creates the group later), then every GET times out.
    disrupt = (node, method, n) => (node === 'n2' && (method === 'POST' || (method === 'GET' && n > 1)) ? { delayMs: 450 } : undefined);
    const { result, outcomes } = await runWorkflow('create');
    assert.equal(result.state, 'ROLLED_BACK', JSON.stringify(result));
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'skipped']);
    assert.match(result.error!, /n2.*outcome stayed unknown/);
    assert.ok(nodeRequests().includes('n2 DELETE'), 'the maybe-created group is deleted');
    assert.equal(groups.get('n2')!.has('team'), false);
    assert.ok(!nodeRequests().some((r) => r.startsWith('n3')), 'node 3 is never reached');
  });

  it('on an unexpected failure (Firestore refusing a write) still rolls back, ends FAILED and releases the lock', async () => {
    let patches = 0;
    failPatch = (name) => name === TASK_DOC && ++patches === 2; // the write after node 2's outcome
    const { result, task } = await runWorkflow('create');
    assert.equal(result.state, 'FAILED');
    assert.match(task.error.stringValue as string, /unexpected error/);
    assert.equal(groups.get('n1')!.size + groups.get('n2')!.size, 0, 'what was created is deleted again');
    assert.ok(!nodeRequests().some((r) => r.startsWith('n3')));
    assert.equal(docs.has(LOCK_DOC), false, 'the lock is released');
  });

  it('when the rollback itself fails unexpectedly after a dead letter: the task lists it, ends FAILED and keeps the lock', async () => {
    const id = `${TASK}-0`;
    const letterDoc = `${DOCUMENTS}/group_dead_letters/${id}`;
    disrupt = (node, method) => (node === 'n3' || (node === 'n1' && method === 'DELETE') ? { status: 500 } : undefined);
    let failed = false;
    let listedWhenWritten: unknown;
    // The task write right after n1's dead letter (the rollback's save of its outcome) fails once.
    failPatch = (name) => {
      if (name !== TASK_DOC || !docs.has(letterDoc) || failed) return false;
      listedWhenWritten = docs.get(TASK_DOC)!.fields.dead_letters;
      return (failed = true);
    };
    const { result, task, outcomes } = await runWorkflow('create');
    assert.ok(failed, 'the scripted failure happened');
    assert.deepEqual(listedWhenWritten, { arrayValue: { values: [{ stringValue: id }] } }, 'listed on the task as it was written');
    assert.equal(result.state, 'FAILED');
    assert.deepEqual(result.dead_letters, [id]);
    assert.equal(task.state.stringValue, 'FAILED');
    assert.deepEqual(task.dead_letters, { arrayValue: { values: [{ stringValue: id }] } }, 'the task lists the dead letter');
    assert.match(task.error.stringValue as string, new RegExp(`unexpected error.*dead letters: ${id}$`));
    // Run again after the error, the rollback settles n2 (already back) with its GET and does not
    // send n1's compensation again.
    assert.deepEqual(outcomes, ['compensation_failed', 'rolled_back', 'failed']);
    assert.equal(calls.get('n1 DELETE'), 4, 'the dead-lettered compensation is not sent again');
    assert.equal(docs.get(letterDoc)!.fields.state.stringValue, 'PENDING_REPLAY');
    assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the group stays locked');
    assert.equal(task.expires_at, undefined, 'a task holding its group never expires');
  });

  it('runs a rollback cut short by an unexpected error again, so the nodes it had not reached are compensated too', async () => {
    disrupt = (node) => (node === 'n3' ? { status: 500 } : undefined);
    let failed = false;
    // The task write after n2's compensation fails once: n1 has not been compensated yet.
    failPatch = (name) => name === TASK_DOC && calls.get('n2 DELETE') === 1 && !calls.has('n1 DELETE') && !failed && (failed = true);
    const { result, task, outcomes } = await runWorkflow('create');
    assert.ok(failed, 'the scripted failure happened');
    assert.equal(result.state, 'FAILED');
    assert.match(task.error.stringValue as string, /unexpected error/);
    assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'failed']);
    assert.equal(groups.get('n1')!.size + groups.get('n2')!.size, 0, 'both nodes are back');
    assert.deepEqual(result.dead_letters, []);
    assert.equal(docs.has(LOCK_DOC), false, 'nothing pending: the lock is released');
  });

  it('finds a dead letter whose listing on the task failed (its document exists) and keeps the lock', async () => {
    const id = `${TASK}-0`;
    disrupt = (node, method) => (node === 'n3' || (node === 'n1' && method === 'DELETE') ? { status: 500 } : undefined);
    let failed = false;
    failCommit = (writes) => JSON.stringify(writes).includes('appendMissingElements') && !failed && (failed = true);
    const { result, task } = await runWorkflow('create');
    assert.ok(failed, 'the scripted failure happened');
    assert.equal(result.state, 'FAILED');
    assert.deepEqual(result.dead_letters, [id]);
    assert.deepEqual(task.dead_letters, { arrayValue: { values: [{ stringValue: id }] } });
    assert.match(task.error.stringValue as string, new RegExp(`unexpected error.*dead letters: ${id}$`));
    assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the group stays locked');
    assert.equal(task.expires_at, undefined);
  });

  it('restores the group where a failed delete removed it', async () => {
    for (const n of ['n1', 'n2', 'n3']) groups.set(n, new Set(['team']));
    disrupt = (node, method) => (node === 'n3' && method === 'DELETE' ? { status: 502 } : undefined);
    const { result, outcomes } = await runWorkflow('delete');
    assert.equal(result.state, 'ROLLED_BACK');
    assert.deepEqual(outcomes, ['restored', 'restored', 'failed']);
    for (const n of ['n1', 'n2', 'n3']) assert.ok(groups.get(n)!.has('team'), `${n} has the group again`);
  });

  it('counts a group already gone as deleted, and compensates nothing for it', async () => {
    groups.set('n1', new Set(['team']));
    const { result, outcomes } = await runWorkflow('delete');
    assert.equal(result.state, 'SUCCEEDED');
    assert.deepEqual(outcomes, ['deleted', 'absent', 'absent']);
    assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 DELETE', 'n2 GET', 'n3 GET']);
  });

  it('claims its task even when another field of it changed between its read and its claim', async () => {
    touchTaskAfterRead = 2;
    const { result, task } = await runWorkflow('create');
    assert.equal(result.state, 'SUCCEEDED');
    assert.equal(task.execution.stringValue, 'exec');
    assert.match(
      task.claimed_by.stringValue as string,
      new RegExp(`^projects/${PROJECT}/locations/l/workflows/groups/executions/[^/]+$`),
      'the claim names its execution',
    );
    const claims = firestore.seen.filter((r) => r.method === 'POST' && JSON.parse(r.body).writes[0].update);
    assert.equal(claims.length, 3, 'two claims lost to the concurrent writes, the third won');
  });

  it('does nothing when the task is no longer PENDING (a duplicate execution loses the claim)', async () => {
    const { result, task } = await runWorkflow('create', {}, 'RUNNING');
    assert.equal(result.state, 'NOT_CLAIMED');
    assert.deepEqual(nodeRequests(), [], 'no node is touched');
    assert.equal(task.state.stringValue, 'RUNNING', 'the task is left to its owner');
    assert.equal(task.claimed_by, undefined, 'nor does it write its name');
    assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the lock is left to its owner');
  });

  it('leaves a lock another task has taken over', async () => {
    disrupt = (node, method) => {
      // While the workflow runs, another task takes over the lock.
      if (node === 'n3' && method === 'POST')
        docs.set(LOCK_DOC, { fields: { task_id: { stringValue: 'other-task' } }, updateTime: stamp() });
      return undefined;
    };
    const { result } = await runWorkflow('create');
    assert.equal(result.state, 'SUCCEEDED');
    assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, 'other-task');
  });

  describe('replay of the dead letters ({"replay_task": <task_id>})', () => {
    const LETTER_ID = `${TASK}-0`;
    const LETTER_DOC = `${DOCUMENTS}/group_dead_letters/${LETTER_ID}`;
    /** n1 refuses deletes and n3 fails: the create ends FAILED with a dead letter for n1's DELETE. */
    const failNode1Deletes = (node: string, method: string): Disruption =>
      node === 'n1' && method === 'DELETE' ? { status: 500 } : undefined;

    async function failWithDeadLetter(): Promise<void> {
      disrupt = (node, method) => (node === 'n3' ? { status: 500 } : failNode1Deletes(node, method));
      const { result } = await runWorkflow('create');
      assert.equal(result.state, 'FAILED');
      assert.deepEqual(result.dead_letters, [LETTER_ID]);
      nodes.seen.length = 0;
      calls.clear();
    }

    async function replay(taskId: string = TASK) {
      const { engine } = deployEngine();
      const record = await engine.run('groups', { replay_task: taskId });
      const task = docs.get(TASK_DOC)?.fields;
      const outcomes =
        (task?.outcomes?.arrayValue as { values?: { stringValue: string }[] } | undefined)?.values?.map((v) => v.stringValue) ?? [];
      return { record, task, outcomes, letter: docs.get(LETTER_DOC)?.fields };
    }
    const replayResult = (record: { state: string; result?: string; error?: { payload: string } }) => {
      assert.equal(record.state, 'SUCCEEDED', `execution ${record.state}: ${record.error?.payload}`);
      return JSON.parse(record.result!) as {
        state: string;
        replayed: string[];
        remaining: string[];
        missing: string[];
        error: string;
        dead_letters: string[];
      };
    };

    it('with the node healthy again: sends the DELETE, marks the dead letter REPLAYED, ends the task ROLLED_BACK and releases the lock', async () => {
      await failWithDeadLetter();
      disrupt = () => undefined;
      const { record, task, outcomes, letter } = await replay();
      const result = replayResult(record);
      assert.equal(result.state, 'ROLLED_BACK');
      assert.deepEqual(result.replayed, [LETTER_ID]);
      assert.deepEqual(result.remaining, []);
      assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 DELETE'], 'a GET first, then the stored request');
      assert.equal(groups.get('n1')!.has('team'), false);
      assert.equal(letter!.state.stringValue, 'REPLAYED');
      assert.equal(letter!.replayed_by.stringValue, record.id);
      assert.ok(letter!.replayed_at.timestampValue);
      assert.match(letter!.resolution.stringValue as string, /sent again/);
      assert.equal(task!.state.stringValue, 'ROLLED_BACK');
      assert.deepEqual(outcomes, ['rolled_back', 'rolled_back', 'failed']);
      assert.match(
        task!.error.stringValue as string,
        new RegExp(`rollback incomplete.*; dead letters replayed by execution ${record.id}$`),
      );
      assert.equal(docs.has(LOCK_DOC), false, 'the lock is released');
      assert.ok(task!.expires_at?.timestampValue, 'the ended task now expires');
    });

    it('with the node still failing: retries with back-off, keeps the dead letter pending with its attempts counted, the task FAILED and the lock', async () => {
      await failWithDeadLetter();
      disrupt = failNode1Deletes;
      const taskBefore = docs.get(TASK_DOC)!.fields;
      const { record, task, outcomes, letter } = await replay();
      const result = replayResult(record);
      assert.equal(result.state, 'FAILED');
      assert.deepEqual(result.replayed, []);
      assert.deepEqual(result.remaining, [LETTER_ID]);
      assert.equal(calls.get('n1 DELETE'), 4, 'one attempt and COMPENSATION_MAX_RETRIES=3 retries');
      assert.equal(letter!.state.stringValue, 'PENDING_REPLAY');
      assert.equal(Number(letter!.attempts.integerValue), 8, '4 by the rollback, 4 by the replay');
      assert.match(letter!.last_error.stringValue as string, /500/);
      assert.equal(letter!.last_replay_by.stringValue, record.id);
      assert.equal(task!.state.stringValue, 'FAILED');
      assert.deepEqual(outcomes, ['compensation_failed', 'rolled_back', 'failed']);
      assert.equal(task!.error.stringValue, taskBefore.error.stringValue);
      assert.equal(task!.expires_at, undefined);
      assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the group stays locked');
      assert.ok(groups.get('n1')!.has('team'));
    });

    it('when the node was fixed by hand: resolves the dead letter without sending the compensation', async () => {
      await failWithDeadLetter();
      groups.get('n1')!.delete('team'); // an operator deleted it by hand
      disrupt = failNode1Deletes; // a DELETE would fail: it must not be sent
      const { record, task, letter } = await replay();
      const result = replayResult(record);
      assert.equal(result.state, 'ROLLED_BACK');
      assert.deepEqual(nodeRequests(), ['n1 GET'], 'only the check');
      assert.equal(letter!.state.stringValue, 'REPLAYED');
      assert.match(letter!.resolution.stringValue as string, /already restored; nothing was sent/);
      assert.equal(task!.state.stringValue, 'ROLLED_BACK');
      assert.equal(docs.has(LOCK_DOC), false);
    });

    it('with a dead-letter document gone: replays the others, reports it missing and remaining, keeps the task FAILED and the lock', async () => {
      const GONE = `${TASK}-1`;
      // n1 and n2 refuse deletes and n3 fails: two dead letters, n2's written first (reverse order).
      disrupt = (node, method) => (node === 'n3' || (node !== 'n3' && method === 'DELETE') ? { status: 500 } : undefined);
      const first = await runWorkflow('create');
      assert.deepEqual(first.result.dead_letters, [GONE, LETTER_ID]);
      docs.delete(`${DOCUMENTS}/group_dead_letters/${GONE}`); // deleted by hand
      nodes.seen.length = 0;
      calls.clear();
      disrupt = () => undefined;
      const { record, task, outcomes, letter } = await replay();
      const result = replayResult(record);
      assert.equal(result.state, 'FAILED');
      assert.deepEqual(result.replayed, [LETTER_ID], 'the other dead letter is replayed');
      assert.deepEqual(result.remaining, [GONE]);
      assert.deepEqual(result.missing, [GONE]);
      assert.deepEqual(result.dead_letters, [GONE, LETTER_ID]);
      assert.deepEqual(nodeRequests(), ['n1 GET', 'n1 DELETE'], 'nothing is sent for the missing one');
      assert.equal(letter!.state.stringValue, 'REPLAYED');
      assert.equal(task!.state.stringValue, 'FAILED');
      assert.deepEqual(outcomes, ['rolled_back', 'compensation_failed', 'failed']);
      assert.equal(task!.expires_at, undefined);
      assert.deepEqual(task!.dead_letters, { arrayValue: { values: [GONE, LETTER_ID].map((v) => ({ stringValue: v })) } });
      assert.equal(docs.get(LOCK_DOC)?.fields.task_id.stringValue, TASK, 'the group stays locked: an operator must look');
      assert.ok(groups.get('n2')!.has('team'), "n2's change is left for the operator");
    });

    /** Runs a replay that must be refused: the execution fails naming why, and nothing changed. */
    async function assertRefused(taskId: string, reason: RegExp): Promise<void> {
      const before = JSON.stringify([...docs.entries()]);
      const { record } = await replay(taskId);
      assert.equal(record.state, 'FAILED', `the replay ran: ${record.result}`);
      assert.match(record.error!.payload, /replay refused/);
      assert.match(record.error!.payload, reason);
      assert.match(record.error!.payload, /nothing was changed/);
      assert.equal(JSON.stringify([...docs.entries()]), before, 'no document changed');
      assert.deepEqual(nodeRequests(), [], 'no node was called');
    }

    it('refuses a task that is not FAILED with dead letters', async () => {
      await runWorkflow('create');
      nodes.seen.length = 0;
      await assertRefused(TASK, /is SUCCEEDED with no dead letters/);
      // FAILED without dead letters (abandoned by its execution, or an unexpected error), holding its lock.
      const task = docs.get(TASK_DOC)!;
      docs.set(TASK_DOC, { ...task, fields: { ...task.fields, state: { stringValue: 'FAILED' } } });
      docs.set(LOCK_DOC, { fields: { task_id: { stringValue: TASK } }, updateTime: stamp() });
      await assertRefused(TASK, /is FAILED with no dead letters/);
    });

    it('refuses a task its execution abandoned mid-rollback (marked FAILED by a later createGroup), dead letters or not', async () => {
      await failWithDeadLetter();
      const task = docs.get(TASK_DOC)!;
      docs.set(TASK_DOC, { ...task, fields: { ...task.fields, abandoned: { booleanValue: true } } });
      await assertRefused(TASK, /was abandoned by its execution/);
    });

    it('refuses a task whose group is no longer locked by it, or locked by another task', async () => {
      await failWithDeadLetter();
      disrupt = () => undefined;
      docs.set(LOCK_DOC, { fields: { task_id: { stringValue: 'later-task' } }, updateTime: stamp() });
      await assertRefused(TASK, /names task later-task/);
      docs.delete(LOCK_DOC);
      await assertRefused(TASK, /no longer locked by task/);
      assert.equal(docs.get(LETTER_DOC)!.fields.state.stringValue, 'PENDING_REPLAY');
    });

    it('refuses an unknown task', async () => {
      await assertRefused('0b5b3c8e-58e4-4d5b-9c34-8a4a3f0b6d2e', /no task/);
    });
  });
});
