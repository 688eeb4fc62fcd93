import * as assert from 'node:assert/strict';
import { SimulatedNodes } from '../../../functions/groups/simulatedNodes';
import { emulatorFirestore, uniqueCollection } from '../../support/emulatorFirestore';

/**
 * The node simulator's state on the Firestore emulator: a counted switch is consumed with a
 * conditional write, so concurrent requests at a node never use one use twice.
 */
describe('SimulatedNodes on the Firestore emulator', function () {
  this.timeout(60_000);
  let nodes: SimulatedNodes;

  beforeEach(() => {
    nodes = new SimulatedNodes(emulatorFirestore(), uniqueCollection('node_sim'));
  });

  it('of twelve concurrent requests at a node switched for the next three, exactly three meet the switch', async () => {
    await nodes.setSwitch('node2', 'status', { value: 503, methods: null, remaining: 3 });
    const met = await Promise.all(Array.from({ length: 12 }, () => nodes.take('node2', 'POST')));
    assert.equal(met.filter((d) => d.status?.value === 503).length, 3);
    assert.deepEqual(await nodes.switches('node2'), {}, 'the three uses are spent');
  });

  it('keeps each node its own groups: a create, a duplicate, a delete', async () => {
    assert.equal(await nodes.create('node1', 'team-a'), true);
    assert.equal(await nodes.create('node1', 'team-a'), false);
    assert.equal(await nodes.has('node2', 'team-a'), false);
    assert.equal(await nodes.delete('node1', 'team-a'), true);
    assert.equal(await nodes.delete('node1', 'team-a'), false);
  });
});
