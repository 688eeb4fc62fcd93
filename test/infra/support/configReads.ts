import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../../../local/paths';

/**
 * The environment variables a function's code reads. It walks the relative imports of the
 * function's module (TypeScript sources; type-only imports skipped) and collects the config
 * helper calls of `functions/shared/config.ts` that have a literal name, plus direct
 * `process.env.X` reads.
 *
 * A module's top-level functions count only when they run: when the function's code imports them
 * by name, or when code that runs calls them. So `process`, which calls `readProcessConfig()`, is
 * not charged with what `readWorkflowConfig()` in the same `config.ts` reads.
 *
 * `required`: the function does not start without it (`requiredString`, `url`, any helper named
 * `required*`, an `integer` with no default). `optional`: read, with a fallback.
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
/** Every name a module exports is used (namespace or side-effect import, or the entry module). */
const ALL = '*';

export function configReads(source: string): ConfigReads {
  const used = new Map<string, Set<string>>();
  const code = new Map<string, string>();
  const entry = resolveSource(repoPath(source));
  used.set(entry, new Set([ALL]));
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (code.has(file)) continue;
    const text = stripComments(fs.readFileSync(file, 'utf8'));
    code.set(file, text);
    for (const { specifier, names } of runtimeImports(text)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveSource(path.resolve(path.dirname(file), specifier));
      const set = used.get(target) ?? new Set<string>();
      for (const name of names) set.add(name);
      used.set(target, set);
      pending.push(target);
    }
  }

  const reads: ConfigReads = { required: new Set(), optional: new Set(), integers: new Set(), files: [] };
  for (const [file, text] of code) collect(runningCode(text, used.get(file) ?? new Set()), reads);
  reads.files = [...code.keys()].map((f) => path.relative(repoPath(), f)).sort();
  for (const name of reads.required) reads.optional.delete(name);
  return reads;
}

/**
 * The parts of a module that run when `usedNames` are imported from it: every top-level
 * statement that is not a function declaration, the used functions, and the functions those
 * call. Top-level declarations start at column 0 in this (prettier-formatted) code base.
 */
function runningCode(text: string, usedNames: Set<string>): string {
  const segments: { name?: string; text: string }[] = [];
  let current: { name?: string; lines: string[] } = { lines: [] };
  for (const line of text.split('\n')) {
    const fn = /^(?:export\s+)?(?:async\s+)?function\*?\s+([A-Za-z_$][\w$]*)/.exec(line);
    const other = /^(?:export\s+)?(?:const|let|var|class|type|interface|enum)\b/.test(line) || /^(?:import|export)\b/.test(line);
    if (fn || other) {
      segments.push({ name: current.name, text: current.lines.join('\n') });
      current = { name: fn?.[1], lines: [] };
    }
    current.lines.push(line);
  }
  segments.push({ name: current.name, text: current.lines.join('\n') });

  const running = new Set(segments.filter((s) => s.name === undefined || usedNames.has(ALL) || usedNames.has(s.name)));
  for (let grew = true; grew;) {
    grew = false;
    const runningText = [...running].map((s) => s.text).join('\n');
    for (const segment of segments) {
      if (!running.has(segment) && segment.name && new RegExp(`\\b${segment.name}\\s*\\(`).test(runningText)) {
        running.add(segment);
        grew = true;
      }
    }
  }
  return [...running].map((s) => s.text).join('\n');
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

/** Modules loaded at run time and the names taken from each (`*` for all). */
export function runtimeImports(code: string): { specifier: string; names: string[] }[] {
  const found: { specifier: string; names: string[] }[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*'([^']+)'/gm)) {
    if (m[2]) continue;
    const clause = m[3];
    const braces = /\{([\s\S]*)\}/.exec(clause);
    if (m[1] === 'import' && braces && !/\*/.test(clause) && !/^[\w$]+\s*,/.test(clause.trim())) {
      const names = braces[1]
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n && !n.startsWith('type '))
        .map((n) => n.split(/\s+as\s+/)[0].trim());
      if (names.length > 0) found.push({ specifier: m[4], names });
    } else {
      found.push({ specifier: m[4], names: [ALL] });
    }
  }
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push({ specifier: m[1], names: [ALL] });
  for (const m of code.matchAll(/(?<![\w.$])(?:require|import)\(\s*'([^']+)'\s*\)/g)) found.push({ specifier: m[1], names: [ALL] });
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
