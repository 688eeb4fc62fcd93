import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { Timestamp } from '@google-cloud/firestore';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { fakeFirestore } from '../../support/fakeFirestore';
import { useFunctionEnv } from '../../support/functionEnv';

const TASK = '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a';

/** groupTask with Firestore stubbed. */
describe('groupTask handler (Firestore stubbed)', () => {
  const fake = fakeFirestore();
  let server: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('groupTask');
    sinon.stub(firestoreClient, 'firestore').returns(fake.db as never);
    require('../../../functions/groups/groupTask');
    server = await serveFunction('groupTask');
  });
  after(async () => {
    sinon.restore();
    restoreEnv();
    await server.close();
  });
  beforeEach(() => {
    logs = captureLogs();
    fake.reset();
  });
  afterEach(() => logs.restore());

  const log = (records: [string, string][]): string =>
    JSON.stringify(
      records.map(([outcome, owed]) => ({
        prior: 'absent',
        request: 'POST',
        sent_at: 1,
        outcome,
        answer: 'answered 500 <node text>',
        owed,
        applied: false,
      })),
    );

  it("reports state, operation, group and each node's outcome keyed by its index, never its URL or answer", async () => {
    fake.seed(`group_tasks/${TASK}`, {
      task_id: TASK,
      operation: 'create',
      group_id: 'team-a',
      state: 'ROLLED_BACK',
      log: log([
        ['rolled_back', ''],
        ['pre-existing', ''],
        ['failed', ''],
      ]),
      owed: false,
      execution: 'projects/p/locations/l/workflows/groups/executions/e',
      error: 'node 2: POST answered 500; rolled back',
      created_at: Timestamp.fromMillis(Date.UTC(2026, 10, 23, 12, 0, 0)),
      updated_at: '2026-11-23T12:00:02.000Z',
    });
    const res = await request(`${server.url}/${TASK}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      task_id: TASK,
      operation: 'create',
      group_id: 'team-a',
      state: 'ROLLED_BACK',
      nodes: { '0': 'rolled_back', '1': 'pre-existing', '2': 'failed' },
      error: 'node 2: POST answered 500; rolled back',
      created_at: '2026-11-23T12:00:00.000Z',
      updated_at: '2026-11-23T12:00:02.000Z',
    });
    assert.doesNotMatch(res.text, /node text|executions/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    sinon.assert.calledWith(fake.db.collection, 'group_tasks');
  });

  it('lists as dead letters the compensations a FAILED task still owes', async () => {
    fake.seed(`group_tasks/${TASK}`, {
      task_id: TASK,
      operation: 'delete',
      group_id: 'g',
      state: 'FAILED',
      log: log([
        ['compensation_failed', 'POST'],
        ['restored', ''],
        ['unknown', 'POST'],
      ]),
      owed: true,
      error: 'x',
    });
    const res = await request(`${server.url}/${TASK}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.dead_letters, [`${TASK}-0`, `${TASK}-2`]);
    assert.deepEqual(res.body.nodes, { '0': 'compensation_failed', '1': 'restored', '2': 'unknown' });
  });

  it('shows a PENDING task with no node yet (the workflow writes the log when it claims the task)', async () => {
    fake.seed(`group_tasks/${TASK}`, { task_id: TASK, operation: 'create', group_id: 'g', state: 'PENDING' });
    const res = await request(`${server.url}/${TASK.toUpperCase()}`);
    assert.equal(res.status, 200, 'ids are case-insensitive UUIDs');
    assert.equal(res.body.state, 'PENDING');
    assert.deepEqual(res.body.nodes, {});
    assert.equal(res.body.error, undefined);
    assert.equal(res.body.dead_letters, undefined);
  });

  it('answers 404 for an unknown task', async () => {
    const res = await request(`${server.url}/${TASK}`);
    assertProblem(res, 404);
  });

  for (const id of ['not-a-task', '123', `${TASK}x`, 'group_tasks']) {
    it(`answers 400 for the malformed id "${id}" without reading Firestore`, async () => {
      const reads = fake.db.collection.callCount;
      const res = await request(`${server.url}/${id}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].pointer, '#/path/task_id');
      assert.equal(fake.db.collection.callCount, reads);
    });
  }

  it('answers 404 without an id, and 405 to a POST', async () => {
    assert.equal((await request(server.url)).status, 404);
    const res = await request(`${server.url}/${TASK}`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  it('answers a Firestore failure with a 500 problem that hides it', async () => {
    const doc = fake.db.collection('group_tasks').doc(TASK) as { get: sinon.SinonStub };
    doc.get.rejects(new Error('UNAVAILABLE: firestore secret detail'));
    try {
      const res = await request(`${server.url}/${TASK}`);
      assert.equal(res.status, 500);
      assert.doesNotMatch(res.text, /secret detail/);
      assert.ok(logs.entries.some((e) => e.severity === 'ERROR'));
    } finally {
      doc.get.resetBehavior();
    }
  });
});
