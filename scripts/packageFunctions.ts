/**
 * Writes one deployable source folder per function of the manifest: `build/functions/<name>/`
 * holding a `package.json` whose `main` is that function's compiled module and whose dependencies
 * are the packages that module's closure imports (and the framework), a `package-lock.json` cut
 * from the repository's for exactly those, and the compiled files the module loads (its closure),
 * nothing else. With a lock file present the Node.js buildpack installs with `npm ci`: the
 * deployed function runs the transitive versions the tests ran, or its build fails. Terraform (`infra/source.tf`) zips each folder and
 * deploys it as that function's source.
 *
 * Why one folder per function, holding only its closure: the functions framework loads the
 * package's `main` at cold start, so an instance loads only that module and what it imports; and
 * an archive changes (Terraform redeploys the function) only when code the function loads does.
 * A function whose entry `ships` the OpenAPI fragments (the docs function, which loads each one
 * by the path the manifest holds) gets their closures too.
 *
 * Run after `tsc`: `node dist/scripts/packageFunctions.js [--out <dir>]`. It packages the build it
 * belongs to (the folder above this script), so `.build-*` trees package themselves too.
 * The output is deterministic: files and keys are sorted and nothing records the time, so an
 * unchanged function gets a byte-identical folder (and Terraform sees the same archive MD5).
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { deployName, functionEntries, openApiModules, type FunctionEntry } from '../manifest/manifest';
import { prunedLockfile, type Lockfile } from './functionLockfile';
import { SWAGGER_UI_FILES } from '../functions/docs/swaggerUiFiles';
import { repoRoot } from '../local/paths';

export interface PackageOptions {
  /** Where the per-function folders go; emptied first. */
  outDir: string;
  /** The compiled tree holding `functions/` and `manifest/` (default: the one this script was compiled into). */
  compiledRoot?: string;
  /** Repository root holding `package.json` and `node_modules/` (default: found by walking up). */
  root?: string;
  /** Functions to package (default: every function of the manifest). */
  functions?: readonly FunctionEntry[];
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
const STATIC_FILES: Record<'swagger_ui', { package: string; files: readonly string[]; dir: string }> = {
  swagger_ui: {
    package: SWAGGER_UI_FILES.package,
    files: [...Object.keys(SWAGGER_UI_FILES.served), ...SWAGGER_UI_FILES.legal],
    dir: SWAGGER_UI_FILES.dir,
  },
};

/** `functions/tags/incrementTag` → `dist/functions/tags/incrementTag.js`. */
export function mainOf(fn: Pick<FunctionEntry, 'source'>): string {
  return `${PACKAGE_CODE_DIR}/${fn.source}.js`;
}

/** Packages every function; returns what was written, in manifest order. */
export function packageFunctions(options: PackageOptions): PackagedFunction[] {
  const root = options.root ?? repoRoot();
  const compiledRoot = options.compiledRoot ?? path.resolve(__dirname, '..');
  const functions = options.functions ?? functionEntries();
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
  const rootLock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  if (!fs.existsSync(path.join(compiledRoot, 'functions'))) {
    throw new Error(`${path.join(compiledRoot, 'functions')} does not exist: compile first (make build)`);
  }

  fs.rmSync(outDir, { recursive: true, force: true });
  const packaged: PackagedFunction[] = [];
  for (const fn of functions) {
    const main = mainOf(fn);
    const entry = `${fn.source}.js`;
    if (!fs.existsSync(path.join(compiledRoot, entry))) {
      throw new Error(`${fn.name}: ${path.join(compiledRoot, entry)} not found; is its source in manifest/manifest.json right?`);
    }
    let closure = moduleClosure(compiledRoot, entry, dependencies);
    if (fn.ships?.includes('openapi')) {
      const named = openApiModules().flatMap((module) => moduleClosure(compiledRoot, `${module}.js`, dependencies));
      closure = [...new Set([...closure, ...named])].sort(compare);
    }
    const dir = path.join(outDir, fn.name);
    for (const file of closure) {
      const target = path.join(dir, PACKAGE_CODE_DIR, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(compiledRoot, file), target);
    }
    const manifest: FunctionPackageJson = {
      // npm names are lower-case: the deployed (kebab-case) name, not the entry point.
      name: `${rootPackage.name}-${deployName(fn.name)}`,
      version: rootPackage.version,
      private: true,
      description: fn.description,
      ...(rootPackage.license ? { license: rootPackage.license } : {}),
      main,
      engines: { node: rootPackage.engines?.node ?? '>=20' },
      // The code is already compiled: an empty gcp-build stops Cloud Build running `build`.
      scripts: { 'gcp-build': '' },
      dependencies: ownDependencies(dependencies, compiledRoot, closure),
    };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    const lock = prunedLockfile(rootLock, manifest.name, manifest.version, manifest.dependencies);
    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
    if (fn.ships?.includes('swagger_ui')) copyStaticFiles(root, dir, main, STATIC_FILES.swagger_ui);
    packaged.push({ name: fn.name, dir, main, loads: closure.map((file) => `${PACKAGE_CODE_DIR}/${file}`) });
  }
  return packaged;
}

/**
 * The root package's runtime dependencies at the exact versions installed, so the deployed
 * function runs what the tests ran (its lock file, cut from ours, pins the transitive ones).
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
function copyStaticFiles(root: string, dir: string, main: string, files: (typeof STATIC_FILES)['swagger_ui']): void {
  const from = path.join(root, 'node_modules', files.package);
  const into = path.join(dir, path.posix.dirname(main), files.dir);
  fs.mkdirSync(into, { recursive: true });
  for (const file of files.files) {
    const source = path.join(from, file);
    if (!fs.existsSync(source)) throw new Error(`${source} is missing: run npm ci (${files.package} provides it)`);
    fs.copyFileSync(source, path.join(into, file));
  }
}

/**
 * Every compiled file `main` loads through relative `require`s (paths relative to `root`, the
 * compiled tree), checking on the way that each bare `require` is a declared dependency or a Node
 * built-in, and that nothing reaches into code that is never deployed (`local/`, `test/`...): that
 * would crash the deployed function at cold start; this makes it fail the packaging instead.
 */
export function moduleClosure(root: string, main: string, dependencies: Record<string, string>): string[] {
  const seen = new Set<string>();
  const pending = [main];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    if (current.endsWith('.json')) continue;
    const code = fs.readFileSync(path.join(root, current), 'utf8');
    for (const specifier of requiredSpecifiers(code)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveRelative(root, path.posix.dirname(current), specifier);
        if (!resolved || !DEPLOYED.test(resolved)) throw new Error(`${current} requires ${specifier}, which is not deployable code`);
        pending.push(resolved);
      } else if (!isBuiltin(specifier) && !(packageName(specifier) in dependencies)) {
        throw new Error(`${current} requires ${specifier}, which is not a dependency in package.json`);
      }
    }
  }
  return [...seen].sort(compare);
}

/** The framework that serves every function: a dependency of each, whatever its code imports. */
const FRAMEWORK = '@google-cloud/functions-framework';

/**
 * Of the installed runtime dependencies, those the closure's files require by name, and the
 * framework: what this function's archive installs. A package only another function imports is
 * left out, so it is neither installed nor able to change this function's build.
 */
function ownDependencies(installed: Record<string, string>, compiledRoot: string, closure: string[]): Record<string, string> {
  const used = new Set([FRAMEWORK]);
  for (const file of closure.filter((f) => f.endsWith('.js'))) {
    for (const specifier of requiredSpecifiers(fs.readFileSync(path.join(compiledRoot, file), 'utf8')))
      if (!specifier.startsWith('.') && !isBuiltin(specifier)) used.add(packageName(specifier));
  }
  return Object.fromEntries(Object.entries(installed).filter(([name]) => used.has(name)));
}

/** String-literal `require('x')` calls of compiled CommonJS (TypeScript emits `require("x")`). */
export function requiredSpecifiers(code: string): string[] {
  const found: string[] = [];
  for (const match of code.matchAll(/(?<![\w.$])require\(\s*(['"])([^'"]+)\1\s*\)/g)) found.push(match[2]);
  return found;
}

/** What a function may load from the compiled tree: function code and the manifest (its body limit, the docs' fragment list). */
const DEPLOYED = /^(functions\/.+\.js|manifest\/manifest\.(js|json))$/;

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
