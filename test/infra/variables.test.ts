import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INFRA_DIR, loadInfra, terraformFiles } from './support/terraformConfig';

/** Variables are the interface of the configuration: each is typed and says what it is for. */
describe('infra: variables', () => {
  it('gives every variable a type and a description', async () => {
    const { variables } = await loadInfra();
    assert.ok(Object.keys(variables).length > 0, 'no variables found');
    for (const [name, block] of Object.entries(variables)) {
      assert.ok(typeof block.type === 'string' && block.type.length > 0, `variable "${name}" has no type`);
      assert.ok(typeof block.description === 'string' && block.description.trim().length >= 10, `variable "${name}" has no description`);
    }
  });

  it('declares the variables a deployment sets', async () => {
    const { variables } = await loadInfra();
    for (const name of ['project_id', 'region', 'deletion_protection', 'tag_counter_shards', 'function_source_dir']) {
      assert.ok(name in variables, `variable "${name}" is missing`);
    }
    // The project has no sensible default: a plan without it must fail, not deploy somewhere.
    assert.ok(!('default' in variables.project_id), 'project_id must not have a default');
    assert.equal(variables.deletion_protection.default, true, 'deletion_protection must default to on');
  });

  it('uses every variable it declares', async () => {
    const { variables } = await loadInfra();
    const text = terraformFiles()
      .map((f) => fs.readFileSync(path.join(INFRA_DIR, f), 'utf8'))
      .join('\n');
    for (const name of Object.keys(variables)) {
      assert.ok(new RegExp(`\\bvar\\.${name}\\b`).test(text), `variable "${name}" is declared but never used`);
    }
  });
});
