import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { repoPath } from '../../../local/paths';
import { prunedLockfile, type Lockfile } from '../../../scripts/functionLockfile';

const rootLock = JSON.parse(fs.readFileSync(repoPath('package-lock.json'), 'utf8')) as Lockfile;
const installed = (name: string): string => rootLock.packages[`node_modules/${name}`].version!;

describe('prunedLockfile', () => {
  it('holds every package the dependencies reach, each dependency resolvable inside it, and nothing else', () => {
    const lock = prunedLockfile(rootLock, 'fn', '1.0.0', { ajv: installed('ajv') });
    assert.deepEqual(Object.keys(lock.packages).sort(), [
      '',
      'node_modules/ajv',
      'node_modules/fast-deep-equal',
      'node_modules/fast-uri',
      'node_modules/json-schema-traverse',
      'node_modules/require-from-string',
    ]);
    assert.deepEqual(lock.packages[''], { name: 'fn', version: '1.0.0', dependencies: { ajv: installed('ajv') } });
    assert.deepEqual(lock.packages['node_modules/ajv'], rootLock.packages['node_modules/ajv'], 'entries copied as the tests ran them');
  });

  it('closes over a large tree (the Firestore client) with no dev package and no dangling dependency', () => {
    const lock = prunedLockfile(rootLock, 'fn', '1.0.0', { '@google-cloud/firestore': installed('@google-cloud/firestore') });
    const locations = Object.keys(lock.packages).filter((l) => l !== '');
    assert.ok(locations.length > 20, `${locations.length} packages`);
    for (const location of locations) {
      const pkg = lock.packages[location];
      assert.notEqual(pkg.dev, true, `${location} is a dev package`);
      for (const dependency of Object.keys(pkg.dependencies ?? {})) {
        const reachable = ancestors(location).some((base) => lock.packages[`${base}node_modules/${dependency}`] !== undefined);
        assert.ok(reachable, `${location} needs ${dependency}, which is not in the lock`);
      }
    }
    assert.equal(lock.packages['node_modules/mocha'], undefined);
  });

  it('refuses a dependency the repository lock does not have', () => {
    assert.throws(() => prunedLockfile(rootLock, 'fn', '1.0.0', { 'no-such-package-x': '1.0.0' }), /not in package-lock.json/);
  });
});

/** `a/node_modules/b` → [`a/node_modules/b/`, `a/`, ``]: where Node looks for its dependencies. */
function ancestors(location: string): string[] {
  const bases = [`${location}/`];
  let base = location;
  for (let cut = base.lastIndexOf('/node_modules/'); cut !== -1; cut = base.lastIndexOf('/node_modules/')) {
    base = base.slice(0, cut);
    bases.push(`${base}/`);
  }
  bases.push('');
  return bases;
}
