import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as firestoreClient from '../../../functions/shared/clients/firestore';
import { captureLogs } from '../../support/captureLogs';
import { serveFunction } from '../../support/functionServer';
import { postRaw, request } from '../../support/http';
import { assertProblem } from '../../support/problems';
import { fakeFirestore } from '../../support/fakeFirestore';
import { useFunctionEnv } from '../../support/functionEnv';

/**
 * nodeSim with Firestore in memory: the node API, per-node state, and the switches. That
 * concurrent requests consume a counted switch once is Firestore's preconditions at work:
 * test/emulator/groups/simulatedNodes.emulator.test.ts.
 */
describe('nodeSim handler (Firestore stubbed)', () => {
  const fake = fakeFirestore();
  let server: Awaited<ReturnType<typeof serveFunction>>;
  let logs: ReturnType<typeof captureLogs>;
  const node = (name: string): string => `${server.url}/${name}`;
  const createOn = (name: string, groupId: string) => request(`${node(name)}/v1/group/`, { method: 'POST', json: { groupId } });
  const deleteOn = (name: string, groupId: string) => request(`${node(name)}/v1/group/`, { method: 'DELETE', json: { groupId } });
  const getOn = (name: string, groupId: string) => request(`${node(name)}/v1/group/${groupId}/`);
  const flip = (name: string, what: string) => request(`${node(name)}/v1/${what}`, { method: 'POST' });

  let restoreEnv: () => void;

  before(async () => {
    restoreEnv = useFunctionEnv('nodeSim');
    sinon.stub(firestoreClient, 'firestore').returns(fake.db as never);
    require('../../../functions/groups/nodeSim');
    server = await serveFunction('nodeSim');
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

  it('creates (201), refuses a duplicate (400), reads (200/404) and deletes (200, then 404)', async () => {
    assert.equal((await createOn('node1', 'team-a')).status, 201);
    assert.ok(fake.read('node_sim/n-node1/groups/g-team-a'), 'kept in Firestore under the node');
    const duplicate = await createOn('node1', 'team-a');
    assertProblem(duplicate, 400);
    assert.equal((await getOn('node1', 'team-a')).status, 200);
    assert.deepEqual((await getOn('node1', 'team-a')).body, { groupId: 'team-a' });
    assert.equal((await getOn('node2', 'team-a')).status, 404, 'each node has its own groups');
    assert.equal((await deleteOn('node1', 'team-a')).status, 200);
    assert.equal(fake.read('node_sim/n-node1/groups/g-team-a'), undefined);
    assert.equal((await deleteOn('node1', 'team-a')).status, 404);
    assert.equal((await getOn('node1', 'team-a')).status, 404);
  });

  it('answers a switched status to the node API, doing nothing, until reset', async () => {
    assert.equal((await flip('node3', 'group/500')).status, 200);
    const refused = await createOn('node3', 'g1');
    assertProblem(refused, 500);
    assert.equal(fake.read('node_sim/n-node3/groups/g-g1'), undefined, 'nothing was created');
    assert.equal((await getOn('node3', 'g1')).status, 500);
    assert.equal((await createOn('node1', 'g1')).status, 201, 'other nodes are not affected');
    assert.equal((await flip('node3', 'group/0')).status, 200);
    assert.equal((await createOn('node3', 'g1')).status, 201);
  });

  it('limits a switch to the listed methods and to the next N requests', async () => {
    const res = await flip('node2', 'group/503?methods=post,DELETE&times=2');
    assert.deepEqual(res.body, { node: 'node2', status: { value: 503, methods: ['POST', 'DELETE'], remaining: 2 } });
    assert.equal((await getOn('node2', 'g')).status, 404, 'GET is not switched');
    assert.equal((await createOn('node2', 'g')).status, 503);
    assert.equal((await deleteOn('node2', 'g')).status, 503);
    assert.equal((await createOn('node2', 'g')).status, 201, 'the two uses are spent');
    assert.deepEqual((await request(`${node('node2')}/v1/switches`)).body, { node: 'node2' });
  });

  it('lets the first N matching requests through with after=N', async () => {
    await flip('node2', 'group/503?methods=GET&after=1&times=1');
    assert.equal((await getOn('node2', 'g')).status, 404, 'the first GET goes through');
    assert.equal((await createOn('node2', 'g')).status, 201, 'a POST is not matched');
    assert.equal((await getOn('node2', 'g')).status, 503);
    assert.equal((await getOn('node2', 'g')).status, 200);
  });

  it('answers a switched 2xx without doing anything', async () => {
    await flip('node1', 'group/204?times=1');
    assert.equal((await createOn('node1', 'g')).status, 204);
    assert.equal((await getOn('node1', 'g')).status, 404);
  });

  it('answers a switched status as an HTML page, and after serving the request with apply=true', async () => {
    await flip('node1', 'group/502?body=html&apply=true&times=1');
    const res = await createOn('node1', 'g');
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.text, /<html>/);
    assert.equal((await getOn('node1', 'g')).status, 200, 'the create was done all the same');
    await flip('node1', 'group/200?body=html&times=1');
    assert.equal((await deleteOn('node1', 'g')).status, 200);
    assert.equal((await getOn('node1', 'g')).status, 200, 'without apply, nothing was done');
  });

  it('redirects a path ending in a slash to the same path without it (FastAPI), and serves that path', async () => {
    await flip('node1', 'redirect/307');
    const redirected = await request(`${node('node1')}/v1/group/`, { method: 'POST', json: { groupId: 'g' }, redirect: 'manual' });
    assert.equal(redirected.status, 307);
    assert.equal(redirected.headers.get('location'), `${node('node1')}/v1/group`);
    assert.equal((await request(`${node('node1')}/v1/group/g/`, { redirect: 'manual' })).status, 307);
    assert.equal((await request(`${node('node1')}/v1/group`, { method: 'POST', json: { groupId: 'g' } })).status, 201);
    assert.equal((await request(`${node('node1')}/v1/group/g`)).status, 200);
    assertProblem(await flip('node1', 'redirect/303'), 400);
    await flip('node1', 'redirect/0');
    assert.equal((await getOn('node1', 'g')).status, 200);
  });

  it('hangs before serving, then still serves the request', async () => {
    await flip('node1', 'hang/150?methods=POST');
    const started = Date.now();
    assert.equal((await createOn('node1', 'slow')).status, 201);
    assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`);
    // The hang is for POST only: only the POST logged one (a lower bound above, never an upper
    // bound, so no timing can flake).
    assert.equal((await getOn('node1', 'slow')).status, 200);
    assert.equal(logs.entries.filter((e) => e.event === 'node_sim_hang').length, 1);
    await flip('node1', 'hang/0');
    assert.deepEqual((await request(`${node('node1')}/v1/switches`)).body, { node: 'node1' });
  });

  const badSwitches: [string, string][] = [
    ['a 2-digit status', 'group/42'],
    ['a status above 599', 'group/600'],
    ['a negative hang', 'hang/-1'],
    ['a hang above 10 minutes', 'hang/600001'],
    ['an unknown method', 'group/500?methods=PUT'],
    ['times 0', 'group/500?times=0'],
    ['times not a number', 'hang/10?times=x'],
    ['after 0', 'group/500?after=0'],
  ];
  for (const [name, what] of badSwitches) {
    it(`refuses ${name} with a 400 problem and changes nothing`, async () => {
      const res = await flip('node1', what);
      assertProblem(res, 400);
      assert.deepEqual(fake.paths(), []);
    });
  }

  const badRequests: [string, () => ReturnType<typeof request>, number][] = [
    ['a node name with a dot', () => createOn('no.de', 'g'), 400],
    ['a body without groupId', () => postRaw(`${server.url}/node1/v1/group/`, '{"group": "g"}'), 400],
    ['a group id with a space', () => createOn('node1', 'a b'), 400],
    // URL parsing turns `/v1/group/%2E%2E/` into `/v1/`: why ".." is not a valid group id anywhere.
    ['a path group id of ".." (normalised away by the URL parser)', () => request(`${node('node1')}/v1/group/%2E%2E/`), 404],
    ['no body', () => request(`${node('node1')}/v1/group/`, { method: 'POST' }), 400],
    ['PUT on the group API', () => request(`${node('node1')}/v1/group/`, { method: 'PUT' }), 405],
    ['an unknown path', () => request(`${node('node1')}/v2/group/`), 404],
  ];
  for (const [name, send, status] of badRequests) {
    it(`answers ${name} with a ${status} problem`, async () => {
      const res = await send();
      assertProblem(res, status);
    });
  }

  it('answers a Firestore failure with a 500 problem', async () => {
    const create = fake.db.collection('node_sim').doc('n-node1').create as sinon.SinonStub;
    create.onCall(create.callCount).rejects(new Error('UNAVAILABLE'));
    const res = await flip('node1', 'group/500');
    assertProblem(res, 500);
  });
});
