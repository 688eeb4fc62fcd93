/**
 * Writes one deployable source folder per function: `build/functions/<name>/` holding a
 * `package.json` whose `main` is that function's compiled module, and the compiled
 * `dist/functions/**` JavaScript. Terraform (`infra/source.tf`) zips each folder and deploys it as
 * that function's source.
 *
 * Why one folder per function: the functions framework loads the package's `main` at cold start,
 * so with `main` pointing at the function's own module an instance loads only that module and
 * what it imports, never the other functions' code.
 *
 * Run after `tsc`: `node dist/scripts/packageFunctions.js [--out <dir>]`. It packages the build it
 * belongs to (the folder above this script), so `.build-*` trees package themselves too.
 * The output is deterministic: files and keys are sorted and nothing records the time, so an
 * unchanged function gets a byte-identical folder (and Terraform sees the same archive MD5).
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { deployName, FUNCTIONS, type FunctionDefinition } from '../functions/catalog';
import { SWAGGER_UI_FILES } from '../functions/docs/swaggerUiFiles';
import { repoRoot } from '../local/paths';

export interface PackageOptions {
  /** Where the per-function folders go; emptied first. */
  outDir: string;
  /** The compiled tree holding `functions/` (default: the one this script was compiled into). */
  compiledRoot?: string;
  /** Repository root holding `package.json` and `node_modules/` (default: found by walking up). */
  root?: string;
  /** Functions to package (default: every entry of `functions/catalog.ts`). */
  functions?: readonly FunctionDefinition[];
}

/** What was written for one function. */
export interface PackagedFunction {
  name: string;
  /** The function's folder, `<outDir>/<name>`. */
  dir: string;
  /** `main` of its package.json, e.g. `dist/functions/tags/incrementTag.js`. */
  main: string;
  /** Package-relative paths of the modules `main` loads through relative requires, sorted. */
  loads: string[];
}

/** The `package.json` written for each function. */
export interface FunctionPackageJson {
  name: string;
  version: string;
  private: true;
  description: string;
  license?: string;
  main: string;
  engines: { node: string };
  scripts: { 'gcp-build': string };
  dependencies: Record<string, string>;
}

/** The folder every function's compiled code is copied to, inside its package. */
const PACKAGE_CODE_DIR = 'dist';

/**
 * Files a function serves that are not its code, copied from an installed (development)
 * package into a folder beside the function's module: the docs page's Swagger UI.
 */
const STATIC_FILES: Record<string, { package: string; files: readonly string[]; dir: string }> = {
  docs: {
    package: SWAGGER_UI_FILES.package,
    files: [...Object.keys(SWAGGER_UI_FILES.served), ...SWAGGER_UI_FILES.legal],
    dir: SWAGGER_UI_FILES.dir,
  },
};

/** `functions/tags/incrementTag` → `dist/functions/tags/incrementTag.js`. */
export function mainOf(fn: Pick<FunctionDefinition, 'source'>): string {
  return `${PACKAGE_CODE_DIR}/${fn.source}.js`;
}

/** Packages every function; returns what was written, in catalog order. */
export function packageFunctions(options: PackageOptions): PackagedFunction[] {
  const root = options.root ?? repoRoot();
  const compiledRoot = options.compiledRoot ?? path.resolve(__dirname, '..');
  const functions = options.functions ?? FUNCTIONS;
  const outDir = path.resolve(options.outDir);
  guardOutDir(outDir, root);

  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
    engines?: { node?: string };
    dependencies?: Record<string, string>;
  };
  const dependencies = installedVersions(root, rootPackage.dependencies ?? {});
  const compiledFunctions = path.join(compiledRoot, 'functions');
  if (!fs.existsSync(compiledFunctions)) {
    throw new Error(`${compiledFunctions} does not exist: compile first (make build)`);
  }
  const files = listCode(compiledFunctions).map((f) => `functions/${f}`);

  fs.rmSync(outDir, { recursive: true, force: true });
  const packaged: PackagedFunction[] = [];
  for (const fn of functions) {
    const main = mainOf(fn);
    if (!files.includes(main.slice(PACKAGE_CODE_DIR.length + 1))) {
      throw new Error(`${fn.name}: ${path.join(compiledRoot, fn.source)}.js not found; is its source in functions/catalog.ts right?`);
    }
    const dir = path.join(outDir, fn.name);
    for (const file of files) {
      const target = path.join(dir, PACKAGE_CODE_DIR, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(compiledRoot, file), target);
    }
    const manifest: FunctionPackageJson = {
      // npm names are lower-case: the deployed (kebab-case) name, not the entry point.
      name: `${rootPackage.name}-${deployName(fn.name)}`,
      version: rootPackage.version,
      private: true,
      description: fn.summary,
      ...(rootPackage.license ? { license: rootPackage.license } : {}),
      main,
      engines: { node: rootPackage.engines?.node ?? '>=20' },
      // The code is already compiled: an empty gcp-build stops Cloud Build running `build`.
      scripts: { 'gcp-build': '' },
      dependencies,
    };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    const loads = moduleClosure(dir, main, dependencies);
    // Keep only what `main` loads: the archive then changes (and Terraform redeploys the
    // function) only when its own code does, not when another function's does.
    const kept = new Set(loads);
    for (const file of files) {
      const packagePath = `${PACKAGE_CODE_DIR}/${file}`;
      if (!kept.has(packagePath)) fs.rmSync(path.join(dir, packagePath));
    }
    removeEmptyDirs(path.join(dir, PACKAGE_CODE_DIR));
    copyStaticFiles(root, dir, main, STATIC_FILES[fn.name]);
    packaged.push({ name: fn.name, dir, main, loads });
  }
  return packaged;
}

/**
 * The root package's runtime dependencies at the exact versions installed, so the deployed
 * function runs what the tests ran (Cloud Build installs from the registry, without the lock file).
 */
function installedVersions(root: string, declared: Record<string, string>): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const name of Object.keys(declared).sort()) {
    const manifest = path.join(root, 'node_modules', name, 'package.json');
    if (!fs.existsSync(manifest)) throw new Error(`dependency ${name} is not installed (${manifest}); run npm ci`);
    pinned[name] = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  return pinned;
}

/** Copies a function's static files beside its `main`, where it looks for them first. */
function copyStaticFiles(root: string, dir: string, main: string, files: (typeof STATIC_FILES)[string] | undefined): void {
  if (!files) return;
  const from = path.join(root, 'node_modules', files.package);
  const into = path.join(dir, path.posix.dirname(main), files.dir);
  fs.mkdirSync(into, { recursive: true });
  for (const file of files.files) {
    const source = path.join(from, file);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing: run npm ci (${files.package} provides it)`);
    fs.copyFileSync(source, path.join(into, file));
  }
}

/** Removes the folders under `dir` left empty by pruning. */
function removeEmptyDirs(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    removeEmptyDirs(sub);
    if (fs.readdirSync(sub).length === 0) fs.rmdirSync(sub);
  }
}

/** Compiled `.js` files under `dir`, relative and sorted; tests are not deployed. */
function listCode(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compare(a.name, b.name))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...listCode(path.join(dir, entry.name), relative));
    else if (entry.isFile() && entry.name.endsWith('.js') && !/\.(test|spec)\.js$/.test(entry.name)) found.push(relative);
  }
  return found;
}

/**
 * Every package file `main` loads through relative `require`s, checking on the way that each
 * one resolves inside the package and that each bare `require` is a declared dependency or a
 * Node built-in. A module reaching outside `dist/functions` (say into `local/`) would crash the
 * deployed function at cold start; this makes it fail the packaging instead.
 */
export function moduleClosure(packageDir: string, main: string, dependencies: Record<string, string>): string[] {
  const seen = new Set<string>();
  const pending = [main];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const code = fs.readFileSync(path.join(packageDir, current), 'utf8');
    for (const specifier of requiredSpecifiers(code)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveRelative(packageDir, path.posix.dirname(current), specifier);
        if (!resolved) throw new Error(`${current} requires ${specifier}, which is not in the package`);
        pending.push(resolved);
      } else if (!isBuiltin(specifier) && !(packageName(specifier) in dependencies)) {
        throw new Error(`${current} requires ${specifier}, which is not a dependency in package.json`);
      }
    }
  }
  return [...seen].sort(compare);
}

/** String-literal `require('x')` calls of compiled CommonJS (TypeScript emits `require("x")`). */
export function requiredSpecifiers(code: string): string[] {
  const found: string[] = [];
  for (const match of code.matchAll(/(?<![\w.$])require\(\s*(['"])([^'"]+)\1\s*\)/g)) found.push(match[2]);
  return found;
}

function resolveRelative(packageDir: string, fromDir: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(fromDir, specifier));
  if (base.startsWith('..')) return undefined;
  for (const candidate of [base, `${base}.js`, `${base}.json`, `${base}/index.js`]) {
    const file = path.join(packageDir, candidate);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return candidate;
  }
  return undefined;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Code-point order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The output folder is deleted before writing: refuse one that holds the repository. */
function guardOutDir(outDir: string, root: string): void {
  const relative = path.relative(outDir, root);
  if (relative === '' || !relative.startsWith('..')) {
    throw new Error(`refusing to empty ${outDir}: it contains the repository`);
  }
}

function parseArgs(argv: string[]): { outDir: string } {
  let outDir = path.join(repoRoot(), 'build', 'functions');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) outDir = argv[++i];
    else throw new Error(`usage: node dist/scripts/packageFunctions.js [--out <dir>] (got ${argv[i]})`);
  }
  return { outDir };
}

if (require.main === module) {
  try {
    const { outDir } = parseArgs(process.argv.slice(2));
    for (const fn of packageFunctions({ outDir })) {
      process.stdout.write(
        `${path.relative(process.cwd(), fn.dir) || fn.dir}  main=${fn.main}  (${fn.loads.length} modules at cold start)\n`,
      );
    }
  } catch (err) {
    process.stderr.write(`packageFunctions: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
