import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoPath } from '../../local/paths';
import * as net from 'node:net';

/** Every descendant of `pid` (children, their children, ...), read from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so read after ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * A base port with `count` free ports after it, below the kernel's ephemeral range (32768 and up
 * here), where no port is handed out unasked, so none is taken between this check and `make dev`.
 */
async function freeRange(count: number): Promise<number> {
  const bindable = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let free = true;
    for (let port = base; free && port < base + count; port++) free = await bindable(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found below 32000`);
}

function processInfo(pid: number): string {
  try {
    return (
      fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(0, 80) + ' ' + fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
    );
  } catch {
    return '(gone)';
  }
}

/** Running, and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * `make dev` itself (`dist/local/dev.js`): it comes up, and SIGTERM stops every process it
 * started, the Firestore emulator's Java child included (the gcloud launcher leaves it behind
 * unless the whole process group is stopped).
 */
describe('make dev lifecycle', function () {
  this.timeout(120_000);

  it('starts, then on SIGTERM leaves no child behind, the emulator Java process included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-lifecycle-'));
    const endpointsFile = path.join(dir, 'endpoints.json');
    // The control port; services and functions take the ports after it.
    const basePort = await freeRange(40);
    const dev = spawn(process.execPath, [repoPath('dist', 'local', 'dev.js')], {
      env: { ...process.env, LOCAL_CLOUD_PORT: String(basePort), LOCAL_ENDPOINTS_FILE: endpointsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stdout.on('data', (d: Buffer) => (output += d.toString()));
    dev.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + 90_000; !fs.existsSync(endpointsFile);) {
        if (dev.exitCode !== null) assert.fail(`make dev exited during start-up:\n${output}`);
        if (Date.now() > deadline) assert.fail(`make dev did not write its endpoints:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const endpoints = JSON.parse(fs.readFileSync(endpointsFile, 'utf8')) as {
        gateway: string;
        control: string;
        functions: Record<string, string>;
      };
      assert.equal((await fetch(`${endpoints.functions.tagStats}`)).status, 200);
      assert.equal((await fetch(`${endpoints.gateway}/tag-stats`)).status, 200);
      // The table follows the endpoints file: the front door first, then the docs page on it.
      for (const deadline = Date.now() + 10_000; !output.includes('Ctrl-C stops everything') && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const rows = output
        .slice(output.indexOf('Local cloud ready'))
        .split('\n')
        .slice(2, 4)
        .map((line) => line.trim().split(/\s{2,}/));
      assert.deepEqual(rows, [
        ['gateway', `${endpoints.gateway}/<function>/<path>`],
        ['docs page', `${endpoints.gateway}/docs/`],
      ]);
      const children = descendants(dev.pid!);
      const commands = children.map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      assert.ok(
        commands.some((c) => c.includes('java')),
        'the emulator runs a Java process',
      );
      dev.kill('SIGTERM');
      assert.equal(await exited, 0, output);
      // A process killed with SIGKILL a moment ago may still be tearing down: give it a few
      // seconds to be gone (a deadline to wait, not a timing assertion).
      let left = children.filter(alive);
      for (const deadline = Date.now() + 10_000; left.length && Date.now() < deadline; left = children.filter(alive)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(left, [], `still running after SIGTERM: ${left.map((pid) => `${pid} ${processInfo(pid)}`).join(' | ')}`);
    } finally {
      if (dev.exitCode === null) dev.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
