/**
 * A function's own `package-lock.json`, cut from the repository's: exactly the packages its
 * dependencies pull in, at the versions, tarballs and integrity hashes the tests ran with. Why:
 * without a lock file Cloud Build resolves every transitive range afresh at each deploy, so two
 * deploys of the same source can run different code; with one, the Node.js buildpack runs
 * `npm ci`, which installs exactly this tree or fails.
 */
export interface LockedPackage {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockedPackage>;
}

/**
 * The lock file of a package named `name`@`version` depending on `dependencies` (exact versions
 * as written in its package.json), holding every package of `root` those dependencies reach,
 * resolved the way Node and npm resolve them (the nearest `node_modules` up the tree).
 */
export function prunedLockfile(root: Lockfile, name: string, version: string, dependencies: Record<string, string>): Lockfile {
  if (root.lockfileVersion < 2)
    throw new Error(`lockfileVersion ${root.lockfileVersion}: npm 7 or later writes the packages map this reads`);
  const kept = new Set<string>();
  const visit = (from: string, dependency: string, optional: boolean): void => {
    const location = resolve(root.packages, from, dependency);
    if (location === undefined) {
      if (optional) return;
      throw new Error(`${dependency} (needed by ${from || name}) is not in package-lock.json: run npm install`);
    }
    if (kept.has(location)) return;
    kept.add(location);
    const pkg = root.packages[location];
    for (const d of Object.keys(pkg.dependencies ?? {})) visit(location, d, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(location, d, true);
    // npm installs peers too; a missing optional one is simply absent.
    for (const d of Object.keys(pkg.peerDependencies ?? {})) visit(location, d, pkg.peerDependenciesMeta?.[d]?.optional ?? true);
  };
  for (const dependency of Object.keys(dependencies)) visit('', dependency, false);

  const packages: Record<string, LockedPackage> = { '': { name, version, dependencies: sortedKeys(dependencies) } };
  for (const location of [...kept].sort()) packages[location] = root.packages[location];
  return { name, version, lockfileVersion: root.lockfileVersion, requires: true, packages };
}

/** Where `dependency` required from the package at `from` is installed: `from`'s own node_modules, then each parent's. */
function resolve(packages: Record<string, LockedPackage>, from: string, dependency: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : base + '/'}node_modules/${dependency}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
