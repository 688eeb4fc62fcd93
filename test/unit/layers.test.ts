import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../../local/paths';

/**
 * The layers of the tree: no import circle anywhere (type-only imports included: a circle of
 * types is still two modules that cannot be understood apart), and the local emulators generic:
 * they are handed what to serve, so none of them imports the manifest, a function or the wiring.
 */
const ROOTS = ['manifest', 'functions', 'local', 'scripts', 'bench', 'test'];

/** The generic emulators. */
const EMULATORS = ['local/bigquery', 'local/storage', 'local/firestore', 'local/workflows'];
/** What knows the kit's products: the manifest, the functions, and the code that wires the local cloud from them. */
const PRODUCT = /^(manifest\/|functions\/|local\/(wiring|cloud|dev|withCloud)\.ts$)/;
/** Standalone runners (`node dist/local/bigquery/main.js`) wire an emulator, like local/cloud.ts does. */
const RUNNER = /\/main\.ts$/;

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(repoPath(dir), { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...sources(relative));
    else if (entry.name.endsWith('.ts')) found.push(relative);
  }
  return found;
}

/** Repository-relative `.ts` files a module imports (relative specifiers only; packages are leaves). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/(?<![\w.$])(?:require|import)\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]);
  const resolved: string[] = [];
  for (const specifier of specifiers) {
    if (!specifier.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const target = [`${base}.ts`, `${base}/index.ts`].find((candidate) => fs.existsSync(repoPath(candidate)));
    if (target) resolved.push(target);
  }
  return resolved;
}

/** Every import circle of the graph, each once, as the modules on it in order. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('layers', () => {
  const graph = new Map<string, string[]>();
  for (const file of ROOTS.flatMap(sources)) graph.set(file, importsOf(file, fs.readFileSync(repoPath(file), 'utf8')));

  it('finds the imports it checks (it can fail)', () => {
    assert.ok(graph.get('local/cloud.ts')?.includes('local/wiring.ts'));
    assert.deepEqual(
      circles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
      [['a', 'b', 'c', 'a']],
    );
  });

  it('has no import circle anywhere', () => {
    assert.deepEqual(
      circles(graph).map((circle) => circle.join(' -> ')),
      [],
    );
  });

  it('keeps the emulators generic: none imports the manifest, a function or the wiring', () => {
    for (const [file, imports] of graph) {
      const emulator = EMULATORS.find((dir) => file.startsWith(`${dir}/`));
      if (!emulator || RUNNER.test(file)) continue;
      for (const target of imports) {
        const otherEmulator = EMULATORS.some((dir) => dir !== emulator && target.startsWith(`${dir}/`));
        if (PRODUCT.test(target) || otherEmulator)
          assert.fail(`${file} imports ${target}: an emulator is handed what it serves by local/cloud.ts`);
      }
    }
  });

  it('keeps the manifest module a leaf of the product: it imports no function and nothing local', () => {
    for (const target of graph.get('manifest/manifest.ts') ?? []) assert.fail(`manifest/manifest.ts imports ${target}`);
  });
});
