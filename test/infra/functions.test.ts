import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { deployName, FUNCTIONS } from '../../functions/catalog';
import { repoPath } from '../../local/paths';
import { evaluatedFunctions, INFRA_DIR, loadInfra, nested, resource, type InfraConfig } from './support/terraformConfig';

/**
 * functions.tf and source.tf against functions/catalog.ts: every catalog entry is deployed, as
 * itself (entry point, service name, its own source archive and service account), and nothing
 * else is.
 */
describe('infra: functions', () => {
  let config: InfraConfig;
  before(async () => {
    config = await loadInfra();
  });

  it('deploys every catalog function and nothing else', async () => {
    const { functions } = await evaluatedFunctions();
    assert.deepEqual(Object.keys(functions).sort(), FUNCTIONS.map((f) => f.name).sort());
  });

  it('creates one google_cloudfunctions2_function per entry of local.functions', () => {
    const fn = resource(config, 'google_cloudfunctions2_function', 'function');
    assert.equal(fn.for_each, '${local.functions}');
    // A second function resource would be deployed outside the catalog's bookkeeping.
    assert.deepEqual(Object.keys(config.resources.google_cloudfunctions2_function), ['function']);
  });

  it('uses the catalog name as entry point and its kebab-case as the service name', async () => {
    const fn = resource(config, 'google_cloudfunctions2_function', 'function');
    assert.equal(nested(fn, 'build_config').entry_point, '${each.key}');
    assert.equal(fn.name, '${local.service_names[each.key]}');
    const { serviceNames } = await evaluatedFunctions();
    for (const f of FUNCTIONS) assert.equal(serviceNames[f.name], deployName(f.name), `service name of ${f.name}`);
  });

  it('runs each function as its own service account, with its own source object', () => {
    const fn = resource(config, 'google_cloudfunctions2_function', 'function');
    const service = nested(fn, 'service_config');
    assert.equal(service.service_account_email, '${google_service_account.function[each.key].email}');
    assert.equal(resource(config, 'google_service_account', 'function').for_each, '${local.functions}');
    const storage = nested(nested(nested(fn, 'build_config'), 'source'), 'storage_source');
    assert.equal(storage.object, '${google_storage_bucket_object.function_source[each.key].name}');
  });

  it("zips the folder packageFunctions writes for each function, so the archive's main is its module", () => {
    const archive = config.data.archive_file?.function_source;
    assert.ok(archive, 'data "archive_file" "function_source" is missing');
    assert.equal(archive.for_each, '${local.functions}');
    assert.equal(archive.type, 'zip');
    // packageFunctions writes <out>/<catalog name>/ with main = dist/<source>.js (tested in
    // packageFunctions.test.ts); the archive must take that same folder.
    assert.equal(archive.source_dir, '${var.function_source_dir}/${each.key}');
    const defaultDir = path.resolve(INFRA_DIR, config.variables.function_source_dir.default as string);
    assert.equal(
      defaultDir,
      repoPath('build', 'functions'),
      'function_source_dir default must be where packageFunctions writes by default',
    );
  });

  it('names each uploaded object after the archive MD5, so a code change redeploys', () => {
    const object = resource(config, 'google_storage_bucket_object', 'function_source');
    assert.equal(object.for_each, '${local.functions}');
    assert.match(object.name as string, /\$\{data\.archive_file\.function_source\[each\.key\]\.output_md5\}/);
    assert.equal(object.source, '${data.archive_file.function_source[each.key].output_path}');
  });

  it('sets memory, cpu, timeout and concurrency from the map, within what Cloud Run accepts', async () => {
    const service = nested(resource(config, 'google_cloudfunctions2_function', 'function'), 'service_config');
    assert.equal(service.available_memory, '${each.value.memory}');
    assert.equal(service.available_cpu, '${each.value.cpu}');
    assert.equal(service.timeout_seconds, '${each.value.timeout_seconds}');
    assert.equal(service.max_instance_request_concurrency, '${each.value.concurrency}');
    const { functions } = await evaluatedFunctions();
    for (const [name, f] of Object.entries(functions)) {
      assert.match(f.memory, /^\d+(Mi|Gi)$/, `${name}.memory`);
      assert.ok(f.timeout_seconds >= 1 && f.timeout_seconds <= 3600, `${name}.timeout_seconds must be 1..3600 for an HTTP function`);
      assert.ok(f.concurrency >= 1 && f.concurrency <= 1000, `${name}.concurrency must be 1..1000`);
      // Cloud Run refuses concurrency above 1 on less than one vCPU.
      if (f.concurrency > 1) assert.ok(Number(f.cpu) >= 1, `${name}: concurrency ${f.concurrency} needs cpu >= 1, got ${f.cpu}`);
      assert.ok(f.min_instances <= f.max_instances, `${name}: min_instances above max_instances`);
    }
  });
});
