import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { repoPath } from '../../../local/paths';
import { MANIFEST } from '../../../manifest/manifest';
import { parseWorkflow } from '../../../local/workflows/parse';
import { validateWorkflow } from '../../../local/workflows/validate';

/** Every workflow of the project: `workflow.yaml` and `workflows/*.yaml`. */
function workflowFiles(): string[] {
  const extra = fs.existsSync(repoPath('workflows'))
    ? fs
        .readdirSync(repoPath('workflows'))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join('workflows', f))
    : [];
  return ['workflow.yaml', ...extra];
}

describe('workflow sources', () => {
  const schema = JSON.parse(fs.readFileSync(repoPath('test', 'schemas', 'cloud-workflows.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  for (const file of workflowFiles()) {
    describe(file, () => {
      const source = fs.readFileSync(repoPath(file), 'utf8');

      it('matches the Cloud Workflows syntax schema', () => {
        assert.ok(validate(parseYaml(source)), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
      });

      it('is accepted by the local engine, which refuses anything it would not run faithfully', () => {
        validateWorkflow(parseWorkflow(source));
      });

      it('opens with a comment paragraph saying what it does and returns', () => {
        const header = source
          .split('\n')
          .filter((l) => l.startsWith('#'))
          .join('\n');
        assert.match(header, /Returns/i);
      });

      it('reads every URL and id from sys.get_env, with no hard-coded host', () => {
        assert.doesNotMatch(source, /https?:\/\//, 'no literal URLs');
        assert.match(source, /sys\.get_env\(/);
      });

      it('is a workflow of the manifest (so Terraform and the local cloud deploy it)', () => {
        assert.ok(
          Object.values(MANIFEST.workflows).some((w) => w.source === file),
          `${file} is not in manifest/manifest.json`,
        );
      });
    });
  }

  it('the schema refuses a misspelt key (it can fail)', () => {
    assert.equal(validate({ main: { steps: [{ call_it: { call: 'http.get', arg: { url: '${u}' } } }] } }), false);
    assert.equal(validate({ main: { steps: [{ ok: { call: 'http.get', args: { url: '${u}' }, result: 'r' } }] } }), true);
  });
});
