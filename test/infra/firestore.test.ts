import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { repoPath } from '../../local/paths';
import { evaluate, evaluatedFunctions, loadInfra, resource } from './support/terraformConfig';

/** Firestore (firestore.tf): the database and the TTL policy the tag counter relies on. */
describe('infra: Firestore', () => {
  it('creates the (default) database in Native mode, protected by deletion_protection', async () => {
    const db = resource(await loadInfra(), 'google_firestore_database', 'default');
    assert.equal(db.name, '(default)');
    assert.equal(db.type, 'FIRESTORE_NATIVE');
    assert.match(db.delete_protection_state as string, /var\.deletion_protection/);
  });

  it('expires the tag counter markers where the functions write them', async () => {
    const ttl = resource(await loadInfra(), 'google_firestore_field', 'tag_marker_ttl');
    assert.ok(Array.isArray(ttl.ttl_config), 'tag_marker_ttl has no ttl_config block');
    assert.equal(ttl.field, 'expires_at');
    // The marker documents carry that field (tagCounter.ts writes it in the increment batch).
    assert.match(fs.readFileSync(repoPath('functions', 'tags', 'tagCounter.ts'), 'utf8'), /\bexpires_at:/);

    // The policy's collection is the one both tag functions are configured with.
    assert.equal(ttl.collection, '${local.tag_counter.markers_collection}');
    const { functions } = await evaluatedFunctions();
    const { markers } = await evaluate({ markers: 'local.tag_counter.markers_collection' });
    for (const name of ['incrementTag', 'tagStats']) {
      assert.equal(functions[name].environment.TAG_MARKERS_COLLECTION, markers, `TAG_MARKERS_COLLECTION of ${name}`);
    }
  });

  it('expires the group tasks where the functions and the groups workflow write them, with no index on expires_at', async () => {
    const ttl = resource(await loadInfra(), 'google_firestore_field', 'group_task_ttl');
    assert.ok(Array.isArray(ttl.ttl_config), 'group_task_ttl has no ttl_config block');
    assert.deepEqual(ttl.index_config, [{}], 'an empty index_config: no single-field index');
    assert.equal(ttl.field, 'expires_at');
    assert.equal(ttl.collection, '${local.groups.tasks_collection}');
    // Both writers set that field, with the retention they are configured with.
    assert.match(fs.readFileSync(repoPath('functions', 'groups', 'taskStore.ts'), 'utf8'), /\bexpires_at:/);
    assert.match(fs.readFileSync(repoPath('workflows', 'groups.yaml'), 'utf8'), /fields\.expires_at:/);
    const { functions } = await evaluatedFunctions();
    const { tasks, workflowEnv } = await evaluate({
      tasks: 'local.groups.tasks_collection',
      workflowEnv: 'local.groups_workflow_environment',
    });
    const env = workflowEnv as Record<string, string>;
    assert.equal(env.GROUP_TASKS_COLLECTION, tasks);
    for (const name of ['createGroup', 'deleteGroup']) {
      assert.equal(functions[name].environment.GROUP_TASKS_COLLECTION, tasks, `GROUP_TASKS_COLLECTION of ${name}`);
      assert.equal(
        functions[name].environment.GROUP_TASK_RETENTION_DAYS,
        env.GROUP_TASK_RETENTION_DAYS,
        `GROUP_TASK_RETENTION_DAYS of ${name}`,
      );
    }
    assert.match(env.GROUP_TASK_RETENTION_DAYS, /^[1-9]\d*$/);
  });
});
