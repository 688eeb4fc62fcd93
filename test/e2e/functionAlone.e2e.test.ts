import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from '../../local/ports';
import { repoPath } from '../../local/paths';
import { localEndpoints } from '../support/endpoints';
import { request } from '../support/http';

/**
 * `make alone FUNCTION=<name>`: the printed command runs that function alone under the Functions
 * Framework (`npx functions-framework`), with the environment the local cloud gives it, so it
 * reads the same emulators: run as printed, it answers as the cloud's copy does.
 */
describe('make alone: one function under the Functions Framework', function () {
  this.timeout(90_000);

  it('prints a command that runs tagStats alone, answering from the same Firestore as the local cloud', async () => {
    const port = await freePort();
    const printed = spawnSync(process.execPath, [repoPath('dist', 'scripts', 'functionAlone.js'), 'tagStats', `--port=${port}`], {
      encoding: 'utf8',
      env: { ...process.env, LOCAL_ENDPOINTS_FILE: process.env.LOCAL_CLOUD_ENDPOINTS },
    });
    assert.equal(printed.status, 0, printed.stderr);
    const command = printed.stdout
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    assert.match(command, /npx functions-framework --target=tagStats --signature-type=http --source=dist\/functions\/tags\/tagStats\.js/);
    assert.match(command, /FIRESTORE_EMULATOR_HOST=/);
    // In its own process group, so stopping it stops npx's child too.
    const alone = spawn('bash', ['-c', command], { cwd: repoPath(), detached: true, stdio: 'ignore', env: { PATH: process.env.PATH } });
    try {
      const url = `http://127.0.0.1:${port}/`;
      let answer;
      for (const deadline = Date.now() + 60_000; !answer;) {
        answer = await request(url).catch(() => undefined);
        if (!answer && Date.now() > deadline) assert.fail(`the printed command did not answer on ${url}`);
        if (!answer) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body, (await request(localEndpoints().functions.tagStats)).body);
    } finally {
      process.kill(-alone.pid!, 'SIGTERM');
    }
  });

  it('names the functions there are when asked for one that is not', () => {
    const run = spawnSync(process.execPath, [path.join(repoPath('dist', 'scripts', 'functionAlone.js')), 'nope'], {
      encoding: 'utf8',
      env: { ...process.env, LOCAL_ENDPOINTS_FILE: process.env.LOCAL_CLOUD_ENDPOINTS },
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /no function nope; the functions are incrementTag, tagStats/);
  });
});
