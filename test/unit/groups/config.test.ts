import * as assert from 'node:assert/strict';
import { readGroupOperationConfig } from '../../../functions/groups/config';
import { useFunctionEnv } from '../../support/functionEnv';

describe('groups config', () => {
  it('gives createGroup/deleteGroup the workflow and the collections, and no node: only the workflow knows them', () => {
    const restoreEnv = useFunctionEnv('createGroup');
    try {
      Object.assign(process.env, { WORKFLOW_LOCATION: 'l', WORKFLOW_NAME: 'groups', GROUP_TASK_URL: 'http://t' });
      delete process.env.WORKFLOW_NAME;
      assert.throws(() => readGroupOperationConfig(), /environment variable WORKFLOW_NAME is required/);
      process.env.WORKFLOW_NAME = 'groups';
      const config = readGroupOperationConfig();
      assert.equal('nodes' in config, false);
      assert.equal(config.workflowPath, `projects/${process.env.GOOGLE_CLOUD_PROJECT}/locations/l/workflows/groups`);
      assert.equal(config.tasksCollection, 'group_tasks');
    } finally {
      restoreEnv();
    }
  });

  it('reads GROUP_TASK_RETENTION_DAYS (default 30) and refuses a value outside 1 to 3650, naming it', () => {
    const restoreEnv = useFunctionEnv('createGroup');
    try {
      Object.assign(process.env, { WORKFLOW_LOCATION: 'l', WORKFLOW_NAME: 'groups', GROUP_TASK_URL: 'http://t', NODES: 'http://a' });
      delete process.env.GROUP_TASK_RETENTION_DAYS;
      assert.equal(readGroupOperationConfig().retentionDays, 30);
      process.env.GROUP_TASK_RETENTION_DAYS = '7';
      assert.equal(readGroupOperationConfig().retentionDays, 7);
      for (const bad of ['0', '3651', '30d']) {
        process.env.GROUP_TASK_RETENTION_DAYS = bad;
        assert.throws(() => readGroupOperationConfig(), /environment variable GROUP_TASK_RETENTION_DAYS must be/);
      }
    } finally {
      restoreEnv();
    }
  });
});
