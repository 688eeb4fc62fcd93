import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { functionEntries, MANIFEST } from '../../manifest/manifest';
import { localEnv, placeholderFunctionUrls } from '../../local/wiring';
import { repoPath } from '../../local/paths';
import { evaluatedFunctions, type EvaluatedFunctions } from './support/terraformConfig';
import { workflowUserEnvVars } from './support/workflowEnv';

/**
 * The one rule that keeps the manifest honest: what each function's code reads is declared for
 * it, and nothing declared is unused. Each function is loaded in its own process with exactly the
 * environment Terraform gives it, then with the one the local cloud gives it; it must start with
 * both (so both sets of values pass its config module's validation), and the variables its code
 * read must be exactly the ones its manifest entry declares. Each workflow must read with
 * sys.get_env exactly what its entry declares.
 */

/**
 * Variables every function gets from the platform, or from Terraform's common environment
 * (infra/functions.tf, PUBLIC_BASE_URL: the front door) and the local cloud's, not from its
 * manifest entry.
 */
const PLATFORM = new Set(['GOOGLE_CLOUD_PROJECT', 'K_SERVICE', 'K_REVISION', 'FUNCTION_TARGET', 'PORT', 'NODE_ENV', 'PUBLIC_BASE_URL']);

const PROBE = path.join(__dirname, 'support', 'envProbe.js');

function probe(source: string, env: Record<string, string>): string[] {
  const run = spawnSync(process.execPath, [PROBE, source, JSON.stringify(env)], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: repoPath('node_modules'), METADATA_SERVER_DETECTION: 'none' },
  });
  assert.equal(run.status, 0, `${source} does not start with this environment: ${run.stderr}\n${JSON.stringify(env, null, 1)}`);
  return (JSON.parse(run.stdout) as string[]).filter((name) => !PLATFORM.has(name));
}

describe('infra: every variable a function or workflow reads is declared for it, and nothing else', function () {
  this.timeout(120_000);
  let terraform: EvaluatedFunctions;
  before(async () => {
    terraform = await evaluatedFunctions();
  });

  const functionUrls = placeholderFunctionUrls();
  const context = { projectId: 'probe-project', location: 'us-central1', functionUrls, baseUrl: 'http://127.0.0.1:9', variables: {} };

  for (const fn of functionEntries()) {
    const declared = Object.keys(fn.env).sort();
    it(`${fn.name}, with the environment Terraform sets`, () => {
      const env = terraform.environments[fn.name];
      assert.deepEqual(Object.keys(terraform.functions[fn.name].environment).sort(), declared, 'Terraform sets what the manifest declares');
      assert.deepEqual(probe(fn.source, env), declared, `what ${fn.source} reads (left) against its env in manifest/manifest.json (right)`);
    });

    // Locally a switch may turn a part off (ADMIN_AUTH=off: no admin list to read), so the code
    // reads what is declared or less, never more.
    it(`${fn.name}, with the environment the local cloud sets`, () => {
      const env = { GOOGLE_CLOUD_PROJECT: context.projectId, ...localEnv(fn.env, context) };
      const undeclared = probe(fn.source, env).filter((name) => !declared.includes(name));
      assert.deepEqual(undeclared, [], `${fn.source} reads these, undeclared in manifest/manifest.json`);
    });
  }

  for (const [name, workflow] of Object.entries(MANIFEST.workflows)) {
    it(`workflow ${name} (${workflow.source})`, () => {
      assert.deepEqual(workflowUserEnvVars(workflow.source), Object.keys(workflow.env).sort());
    });
  }
});
