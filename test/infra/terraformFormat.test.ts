import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { INFRA_DIR, terraformFiles } from './support/terraformConfig';

/** `terraform fmt` is the format CI checks (make check-format); an unformatted file fails review. */
describe('infra: terraform fmt', () => {
  it('finds nothing to reformat in infra/', () => {
    assert.ok(terraformFiles().length > 0, 'infra/ has no .tf files');
    const run = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', INFRA_DIR], {
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
      timeout: 60_000,
    });
    assert.ifError(run.error);
    assert.equal(
      run.status,
      0,
      `terraform fmt would change: ${run.stdout.trim() || run.stderr.trim()} (run terraform fmt -recursive infra)`,
    );
  });
});
