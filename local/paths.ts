import * as fs from 'node:fs';
import * as path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The repository root, found by walking up from this file to the nearest `package.json`.
 * Why: the same module runs from `local/` (sources) and from `dist/local/` (compiled), so a
 * fixed number of `..` would be wrong in one of them.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

/** A path inside the repository, e.g. `repoPath('infra', 'schemas', 'results.json')`. */
export function repoPath(...segments: string[]): string {
  return path.join(repoRoot(), ...segments);
}
