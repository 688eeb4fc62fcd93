import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../../../local/paths';

/**
 * The environment variables a function's code reads, found by walking the relative imports of
 * its module (TypeScript sources, type-only imports skipped) and collecting the config helper
 * calls of `functions/shared/config.ts` with a literal name, plus direct `process.env.X` reads.
 *
 * `required`: the function does not start without it (`requiredString`, `url`, `integer` with no
 * default, any helper named `required*`). `optional`: read, with a fallback.
 */
export interface ConfigReads {
  required: Set<string>;
  optional: Set<string>;
  /** Read with `integer(...)`: must be an integer literal when set. */
  integers: Set<string>;
  /** Repository-relative source files visited, sorted. */
  files: string[];
}

const NAME = `'([A-Z][A-Z0-9_]*)'`;

export function configReads(source: string): ConfigReads {
  const reads: ConfigReads = { required: new Set(), optional: new Set(), integers: new Set(), files: [] };
  const seen = new Set<string>();
  const pending = [resolveSource(repoPath(source))];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = stripComments(fs.readFileSync(file, 'utf8'));
    collect(code, reads);
    for (const specifier of runtimeImports(code)) {
      if (specifier.startsWith('.')) pending.push(resolveSource(path.resolve(path.dirname(file), specifier)));
    }
  }
  reads.files = [...seen].map((f) => path.relative(repoPath(), f)).sort();
  for (const name of reads.required) reads.optional.delete(name);
  return reads;
}

function collect(code: string, reads: ConfigReads): void {
  for (const m of code.matchAll(new RegExp(`\\b(required\\w*|url)\\(\\s*${NAME}`, 'g'))) reads.required.add(m[2]);
  for (const m of code.matchAll(new RegExp(`\\b(integer|number|boolean|duration)\\(\\s*${NAME}\\s*,\\s*\\{([^}]*)\\}`, 'g'))) {
    (/\bdefault\s*:/.test(m[3]) ? reads.optional : reads.required).add(m[2]);
    if (m[1] === 'integer') reads.integers.add(m[2]);
  }
  for (const m of code.matchAll(new RegExp(`\\b(optional\\w*)\\(\\s*${NAME}`, 'g'))) reads.optional.add(m[2]);
  for (const m of code.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)|process\.env\[\s*'([A-Z_][A-Z0-9_]*)'\s*\]/g)) {
    reads.optional.add(m[1] ?? m[2]);
  }
}

/** Module specifiers loaded at run time: value imports, re-exports, `require` and `import()`. */
export function runtimeImports(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*'([^']+)'/gm)) {
    if (!m[2]) found.push(m[4]);
  }
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(m[1]);
  for (const m of code.matchAll(/(?<![\w.$])(?:require|import)\(\s*'([^']+)'\s*\)/g)) found.push(m[1]);
  return found;
}

function resolveSource(base: string): string {
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`cannot resolve ${path.relative(repoPath(), base)} to a TypeScript source`);
}

/** Drops comments so a JSDoc example such as requiredString('X') is not taken for a read. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}
