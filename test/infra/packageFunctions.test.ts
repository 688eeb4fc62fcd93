import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { functionEntries } from '../../manifest/manifest';
import { SWAGGER_UI_FILES } from '../../functions/docs/swaggerUiFiles';
import { repoPath } from '../../local/paths';
import { evaluatedFunctions } from './support/terraformConfig';

/** The compiled tree these tests run from (`dist/` or `.build-*`), which the script packages. */
const COMPILED_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(COMPILED_ROOT, 'scripts', 'packageFunctions.js');

interface Manifest {
  name: string;
  main: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: unknown;
}

function runScript(outDir: string): void {
  const run = spawnSync(process.execPath, [SCRIPT, '--out', outDir], { encoding: 'utf8', timeout: 60_000 });
  assert.ifError(run.error);
  assert.equal(run.status, 0, `packageFunctions failed: ${run.stderr}`);
}

/** Every file under dir with a hash of its bytes, sorted: two equal trees give equal lists. */
function treeDigest(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * `scripts/packageFunctions.ts`: the per-function source folders Terraform zips. What matters at
 * deploy time: each folder's `main` is its function's module and loads on its own with the
 * environment Terraform gives it; the dependencies are the runtime ones its code imports, pinned,
 * with a lock file `npm ci` installs from; the output does not change unless the code does.
 */
const FUNCTIONS = functionEntries();

/**
 * The runtime dependencies the compiled code shipped in `dir` requires by name (read here
 * independently of the script), and the framework that runs it.
 */
function requiredPackages(dir: string, runtime: Record<string, string>): string[] {
  const names = new Set(['@google-cloud/functions-framework']);
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.js'))
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/require\(["']((?:@[^/"']+\/)?[^/"'.][^/"']*)[^"']*["']\)/g))
          if (m[1] in runtime) names.add(m[1]);
    }
  };
  walk(path.join(dir, 'dist'));
  return [...names].sort();
}

describe('scripts/packageFunctions', function () {
  this.timeout(120_000);
  let outDir: string;
  const manifests: Record<string, Manifest> = {};
  const rootPackage = JSON.parse(fs.readFileSync(repoPath('package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    engines: { node: string };
  };

  before(() => {
    assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} is missing: compile first`);
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-functions-'));
    runScript(outDir);
    for (const fn of FUNCTIONS) {
      manifests[fn.name] = JSON.parse(fs.readFileSync(path.join(outDir, fn.name, 'package.json'), 'utf8')) as Manifest;
    }
  });

  after(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('writes one folder per function of the manifest, named as Terraform expects', () => {
    assert.deepEqual(fs.readdirSync(outDir).sort(), FUNCTIONS.map((f) => f.name).sort());
  });

  it("points each package's main at its own function's module, which exists", () => {
    for (const fn of FUNCTIONS) {
      const { main } = manifests[fn.name];
      assert.equal(main, `dist/${fn.source}.js`, `main of ${fn.name}`);
      assert.ok(fs.existsSync(path.join(outDir, fn.name, main)), `${fn.name}/${main} is missing`);
    }
  });

  it('declares exactly the packages its shipped code requires (and the framework), from the runtime ones', () => {
    for (const fn of FUNCTIONS)
      assert.deepEqual(
        Object.keys(manifests[fn.name].dependencies ?? {}).sort(),
        requiredPackages(path.join(outDir, fn.name), rootPackage.dependencies),
        fn.name,
      );
    // What the narrowing buys: a function installs none of the clients it never calls.
    assert.deepEqual(Object.keys(manifests.docs.dependencies ?? {}).sort(), ['@google-cloud/functions-framework', 'yaml']);
    assert.ok(!('@google-cloud/bigquery' in (manifests.incrementTag.dependencies ?? {})), 'incrementTag calls no BigQuery');
  });

  it('ships a lock file holding exactly what its dependencies pull in, at the versions the tests ran', () => {
    const repoLock = JSON.parse(fs.readFileSync(repoPath('package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string; dev?: boolean }>;
    };
    for (const fn of FUNCTIONS) {
      const lock = JSON.parse(fs.readFileSync(path.join(outDir, fn.name, 'package-lock.json'), 'utf8')) as {
        name: string;
        packages: Record<string, { version?: string; integrity?: string; dev?: boolean; dependencies?: Record<string, string> }>;
      };
      assert.equal(lock.name, manifests[fn.name].name);
      assert.deepEqual(lock.packages[''].dependencies, manifests[fn.name].dependencies, `${fn.name}: the lock's root is its package.json`);
      for (const [location, pkg] of Object.entries(lock.packages)) {
        if (location === '') continue;
        assert.ok(!pkg.dev, `${fn.name}: ${location} is a development package`);
        assert.equal(pkg.version, repoLock.packages[location]?.version, `${fn.name}: ${location}`);
        assert.equal(pkg.integrity, repoLock.packages[location]?.integrity, `${fn.name}: ${location}`);
      }
    }
  });

  it('installs with npm ci from its lock file alone (what the buildpack runs), offline, and loads from what it installed', async function () {
    this.timeout(180_000);
    const { environments } = await evaluatedFunctions();
    for (const name of ['incrementTag']) {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-ci-'));
      try {
        fs.cpSync(path.join(outDir, name), copy, { recursive: true });
        execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
          cwd: copy,
          stdio: 'pipe',
        });
        const installed = fs.readdirSync(path.join(copy, 'node_modules'));
        assert.ok(!installed.includes('mocha') && !installed.includes('typescript'), `${name}: nothing for development`);
        // Its own node_modules only (no NODE_PATH): a package its code needs but does not declare fails here.
        // Run from the copy (cwd): bare requires resolve from its node_modules, and nowhere else.
        // ...and every package its code requires, lazily loaded ones included, loads from there.
        const probe = `require(require('node:path').join(process.argv[1], require(process.argv[1] + '/package.json').main));
          for (const name of JSON.parse(process.argv[3])) require(name);
          process.stdout.write(typeof require('@google-cloud/functions-framework/testing').getFunction(process.argv[2]))`;
        const required = JSON.stringify(requiredPackages(copy, rootPackage.dependencies));
        const run = spawnSync(process.execPath, ['-e', probe, copy, name, required], {
          encoding: 'utf8',
          cwd: copy,
          timeout: 60_000,
          env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...environments[name] },
        });
        assert.equal(run.stdout, 'function', `${name} does not load from its own install: ${run.stderr}`);
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    }
  });

  it('pins the runtime dependencies at their installed versions, and nothing for development', () => {
    for (const fn of FUNCTIONS) {
      const manifest = manifests[fn.name];
      assert.equal(manifest.devDependencies, undefined, `${fn.name} declares devDependencies`);
      for (const name of Object.keys(manifest.dependencies ?? {})) assert.ok(name in rootPackage.dependencies, `${fn.name}: ${name}`);
      for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
        const installed = (JSON.parse(fs.readFileSync(repoPath('node_modules', name, 'package.json'), 'utf8')) as { version: string })
          .version;
        assert.equal(version, installed, `${fn.name}: ${name} must be pinned to the installed ${installed}`);
      }
      assert.equal(manifest.engines?.node, rootPackage.engines.node);
      // Present and empty: Cloud Build skips the (TypeScript) build of already compiled code.
      assert.equal(manifest.scripts?.['gcp-build'], '', `${fn.name}: scripts.gcp-build must be ""`);
      assert.match(manifest.name, /^[a-z0-9][a-z0-9._-]*$/, 'npm package names are lower-case');
    }
  });

  it("ships Swagger UI's files in the docs function's folder, beside its module, byte for byte", () => {
    const from = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    const into = path.join(outDir, 'docs', 'dist', 'functions', 'docs', SWAGGER_UI_FILES.dir);
    for (const file of [...Object.keys(SWAGGER_UI_FILES.served), ...SWAGGER_UI_FILES.legal]) {
      assert.ok(fs.readFileSync(path.join(into, file)).equals(fs.readFileSync(path.join(from, file))), `${file} differs or is missing`);
    }
    assert.ok(!('swagger-ui-dist' in (manifests.docs.dependencies ?? {})), 'Cloud Build must not install swagger-ui-dist');
    // The packaged module finds its copies (not the repository's node_modules).
    const moduleDir = path.dirname(path.join(outDir, 'docs', manifests.docs.main));
    const probe = `process.stdout.write(require(process.argv[1]).swaggerUiDir(process.argv[2]))`;
    const run = spawnSync(process.execPath, ['-e', probe, path.join(moduleDir, 'swaggerUiFiles.js'), moduleDir], { encoding: 'utf8' });
    assert.equal(run.stdout, into, run.stderr);
  });

  it('ships compiled JavaScript only (and the docs page files, and the manifest, which holds the body limits): no sources, maps, tests or local cloud', () => {
    for (const fn of FUNCTIONS) {
      const files = treeDigest(path.join(outDir, fn.name)).map((line) => line.split(' ')[0]);
      for (const file of files) {
        if (['package.json', 'package-lock.json', 'dist/manifest/manifest.json', 'dist/manifest/manifest.js'].includes(file)) continue;
        if (fn.name === 'docs' && file.startsWith(`dist/functions/docs/${SWAGGER_UI_FILES.dir}/`)) continue;
        assert.match(file, /^dist\/functions\/.+\.js$/, `${fn.name} ships ${file}`);
        assert.doesNotMatch(file, /\.(test|spec)\.js$/, `${fn.name} ships a test: ${file}`);
      }
    }
  });

  it("holds no other function's module, so a change to one function leaves the others' archives as they were", () => {
    for (const fn of FUNCTIONS) {
      const files = treeDigest(path.join(outDir, fn.name)).map((line) => line.split(' ')[0]);
      assert.ok(files.includes(`dist/${fn.source}.js`), `${fn.name} ships its own module`);
      assert.ok(files.includes('dist/functions/shared/http/httpFunction.js'), `${fn.name} ships the shared code it loads`);
      for (const other of FUNCTIONS.filter((o) => o.source !== fn.source)) {
        assert.ok(!files.includes(`dist/${other.source}.js`), `${fn.name} ships ${other.name}'s module`);
      }
    }
  });

  it("loads only its own function's module at cold start, with the environment Terraform sets", async () => {
    const { environments } = await evaluatedFunctions();
    const ownModules = new Set(FUNCTIONS.map((f) => `dist/${f.source}.js`));
    for (const fn of FUNCTIONS) {
      const dir = path.join(outDir, fn.name);
      // What the runtime does: load `main`, then look up the entry point it registered.
      const probe = `
        const path = require('node:path');
        const dir = process.argv[1];
        require(path.join(dir, require(path.join(dir, 'package.json')).main));
        const { getFunction } = require('@google-cloud/functions-framework/testing');
        const loaded = Object.keys(require.cache).filter((f) => f.startsWith(dir + path.sep)).map((f) => path.relative(dir, f));
        process.stdout.write(JSON.stringify({ registered: typeof getFunction(process.argv[2]) === 'function', loaded }));
      `;
      // The folder has no node_modules (Cloud Build installs them): link in the repository's copy of
      // each dependency it declares, and only those, so a package its code requires without
      // declaring it fails to load here as it would deployed.
      const modules = path.join(dir, 'node_modules');
      for (const name of Object.keys(manifests[fn.name].dependencies ?? {})) {
        fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
        fs.symlinkSync(repoPath('node_modules', name), path.join(modules, name), 'dir');
      }
      const run = spawnSync(process.execPath, ['-e', probe, dir, fn.name], {
        encoding: 'utf8',
        timeout: 60_000,
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          METADATA_SERVER_DETECTION: 'none',
          ...environments[fn.name],
        },
      });
      fs.rmSync(modules, { recursive: true, force: true });
      assert.equal(run.status, 0, `${fn.name} does not load from its package: ${run.stderr}`);
      const { registered, loaded } = JSON.parse(run.stdout) as { registered: boolean; loaded: string[] };
      assert.ok(registered, `${fn.name}'s main does not register the entry point ${fn.name}`);
      const others = loaded.filter(
        (f) => ownModules.has(f.split(path.sep).join('/')) && f.split(path.sep).join('/') !== `dist/${fn.source}.js`,
      );
      assert.deepEqual(others, [], `${fn.name} loads other functions' modules at cold start`);
      assert.ok(!loaded.some((f) => f.includes(`${path.sep}local${path.sep}`)), `${fn.name} loads local cloud code`);
    }
  });

  it('writes byte-identical output when nothing changed', () => {
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'package-functions-'));
    try {
      runScript(second);
      assert.deepEqual(treeDigest(second), treeDigest(outDir));
    } finally {
      fs.rmSync(second, { recursive: true, force: true });
    }
  });

  it('refuses to empty a folder that contains the repository', () => {
    const run = spawnSync(process.execPath, [SCRIPT, '--out', path.dirname(repoPath())], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /refusing/);
    assert.ok(fs.existsSync(repoPath('package.json')));
  });
});
