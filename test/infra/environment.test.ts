import * as assert from 'node:assert/strict';
import { FUNCTIONS } from '../../functions/catalog';
import { configReads } from './support/configReads';
import { evaluatedFunctions, loadInfra, nested, resource } from './support/terraformConfig';

/**
 * Variables the platform or the functions framework reads, not our code: set on purpose.
 * LOG_EXECUTION_ID: Cloud Functions adds it to every 2nd gen function; declaring it avoids a
 * permanent plan diff.
 */
const PLATFORM_VARIABLES = new Set(['LOG_EXECUTION_ID']);

/** Set by Cloud Run / Cloud Functions themselves: a deploy that sets one is rejected. */
const RESERVED_VARIABLES = new Set(['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION', 'FUNCTION_TARGET', 'FUNCTION_SIGNATURE_TYPE']);

/**
 * Environment variables (functions.tf) against what each function's code reads: a missing
 * required one stops the function at cold start; a misspelt optional one is silently ignored
 * and the default used instead, which is worse.
 */
describe('infra: function environment', () => {
  it('sets the common variables plus the map entry on every function', async () => {
    const service = nested(resource(await loadInfra(), 'google_cloudfunctions2_function', 'function'), 'service_config');
    assert.equal(service.environment_variables, '${merge(local.function_common_environment, each.value.environment)}');
  });

  for (const fn of FUNCTIONS) {
    describe(fn.name, () => {
      const reads = configReads(fn.source);
      let environment: Record<string, string>;
      before(async () => {
        const { functions, commonEnvironment } = await evaluatedFunctions();
        assert.ok(functions[fn.name], `${fn.name} is not in local.functions (functions.tf)`);
        environment = { ...commonEnvironment, ...functions[fn.name].environment };
      });

      it('gets every variable its code requires', () => {
        assert.ok(
          reads.required.has('GOOGLE_CLOUD_PROJECT') || reads.optional.has('GOOGLE_CLOUD_PROJECT'),
          `scan of ${fn.source} found no config reads at all`,
        );
        for (const name of reads.required) {
          assert.ok(name in environment, `${name} is required by ${reads.files.join(', ')} but not set in Terraform`);
          assert.notEqual(environment[name].trim(), '', `${name} is set to an empty string`);
        }
        assert.ok('GOOGLE_CLOUD_PROJECT' in environment, 'GOOGLE_CLOUD_PROJECT is not set');
      });

      it('gets no variable its code does not read', () => {
        for (const name of Object.keys(environment)) {
          if (PLATFORM_VARIABLES.has(name)) continue;
          assert.ok(
            reads.required.has(name) || reads.optional.has(name),
            `${name} is set in Terraform but nothing in ${fn.source} reads it (misspelt?)`,
          );
        }
      });

      it('sets no variable the platform reserves', () => {
        for (const name of Object.keys(environment)) {
          assert.ok(!RESERVED_VARIABLES.has(name) && !name.startsWith('X_GOOGLE_'), `${name} is reserved by Cloud Run / Cloud Functions`);
        }
      });

      it('gets integers where the code reads integers', () => {
        for (const name of reads.integers) {
          if (name in environment) assert.match(environment[name], /^[+-]?\d+$/, `${name}=${environment[name]} is not an integer`);
        }
      });
    });
  }
});
