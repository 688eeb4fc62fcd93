import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { MANIFEST } from '../../manifest/manifest';
import { repoPath } from '../../local/paths';

/**
 * A function's facts are written once, in its manifest entry and its own folder: Terraform, the
 * local cloud, packaging and the workflows derive the rest, so no code outside them names a
 * function. Adding one is then a manifest entry plus its module, not edits found by reading test
 * failures. Prose is exempt (comments, READMEs); so is `infra/moved.tf`, whose whole job is to
 * name the addresses resources had before they became manifest entries. The workflows are their
 * systems' own code: they reach functions only through the env the manifest gives them (the
 * declared-env rule checks it), and their state's words are the systems' contracts (System A's
 * `done` lists "process").
 */
const SCANNED = ['infra', 'local', 'scripts'];
const FILES = ['Makefile', '.ci/run'];
const EXEMPT = new Set(['infra/moved.tf']);
const CODE = /\.(ts|tf|yaml|sh)$/;

function files(dir: string): string[] {
  return fs.readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return files(relative);
    return CODE.test(entry.name) && !EXEMPT.has(relative) ? [relative] : [];
  });
}

/** The text of a file with its comments blanked: `//`, `/* *\/` and `#` to the end of the line. */
function code(file: string, text: string): string {
  const hash = !file.endsWith('.ts');
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed.startsWith('*') || trimmed.startsWith('/*') || trimmed.startsWith('//')) return '';
      if (hash && trimmed.startsWith('#')) return '';
      return line;
    })
    .join('\n');
}

/** Each function name written as a string literal (`'x'`, `"x"`, `` `x` ``) or a key (`["x"]`). */
function namedFunctions(text: string, names: string[]): string[] {
  return names.filter((name) => new RegExp(`['"\`]${name}['"\`]`).test(text));
}

describe('function names', () => {
  const names = Object.keys(MANIFEST.functions);

  it('finds a name written as a literal, and not one in a comment (it can fail)', () => {
    assert.deepEqual(namedFunctions(code('x.tf', 'a = local.urls["incrementTag"]\n# tagStats'), names), ['incrementTag']);
    assert.deepEqual(namedFunctions(code('x.ts', "// 'tagStats'\nconst a = 'docs';"), names), ['docs']);
  });

  it("are written only in the manifest and each function's own folder", () => {
    const found: string[] = [];
    for (const file of [...SCANNED.flatMap(files), ...FILES]) {
      for (const name of namedFunctions(code(file, fs.readFileSync(repoPath(file), 'utf8')), names)) found.push(`${file}: ${name}`);
    }
    assert.deepEqual(found, []);
  });
});
