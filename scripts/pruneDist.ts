import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../local/paths';

/**
 * Removes what `tsc` compiled from a source that is gone. tsc never deletes an output, so a test
 * file deleted or moved keeps running from `dist/` (mocha's globs read `dist/`), against code
 * that no longer matches it, until someone empties `dist/` by hand. Only `.js` and `.js.map` of a
 * missing `.ts` go; JSON copied beside them (resolveJsonModule) and tsc's build info stay.
 */
function prune(dir: string): number {
  let removed = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += prune(file);
      continue;
    }
    const compiled = /\.js(\.map)?$/.exec(entry.name);
    if (!compiled) continue;
    const source = repoPath(path.relative(repoPath('dist'), file).replace(/\.js(\.map)?$/, '.ts'));
    if (fs.existsSync(source)) continue;
    fs.rmSync(file);
    removed++;
  }
  return removed;
}

const removed = prune(repoPath('dist'));
if (removed > 0) console.log(`pruneDist: removed ${removed} outputs of deleted sources from dist/`);
