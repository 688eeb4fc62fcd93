import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath, repoRoot } from '../../local/paths';
import { providerSchema } from './support/providerSchema';
import { checkDirectory, formatProblem, readConfiguration, SchemaChecker, type Problem } from './support/schemaCheck';
import { evaluate, INFRA_DIR } from './support/terraformConfig';

/** Whether a Terraform version constraint (`>= 6.11, < 7`, `~> 2.4`) admits a version. */
function admits(constraint: string, version: string): boolean {
  const parse = (v: string) => v.split('.').map(Number);
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  const v = parse(version);
  return constraint.split(',').every((part) => {
    const [, op, bound] = part.trim().match(/^(>=|<=|>|<|=|!=|~>)?\s*([\d.]+)$/) ?? [];
    if (bound === undefined) throw new Error(`unsupported version constraint ${part}`);
    const b = parse(bound);
    const c = compare(v, b);
    switch (op ?? '=') {
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      case '<':
        return c < 0;
      case '!=':
        return c !== 0;
      case '~>': {
        // ~> 2.4 admits >= 2.4, < 3; ~> 2.4.1 admits >= 2.4.1, < 2.5.
        const upper = b.slice(0, Math.max(1, b.length - 1));
        upper[upper.length - 1]++;
        return c >= 0 && compare(v, upper) < 0;
      }
      default:
        return c === 0;
    }
  });
}

const FIXTURES = repoPath('test/infra/fixtures/providerSchema');

/**
 * One fixture checked as a configuration of its own: a `.tf` file, or a directory whose `for_each`
 * values are evaluated with `terraform console` (so that `each.value` is checked too).
 */
async function checkFixture(name: string): Promise<Problem[]> {
  const fixture = path.join(FIXTURES, name);
  if (fs.statSync(fixture).isDirectory()) return checkDirectory(fixture, repoRoot(), (expressions) => evaluate(expressions, {}, fixture));
  return new SchemaChecker().check({ [path.relative(repoRoot(), fixture)]: fs.readFileSync(fixture, 'utf8') });
}

/**
 * Each fixture seeds one error `terraform validate` would report with the real provider; the
 * check must report exactly that one, naming the file and line, the resource (or output) and
 * the argument.
 */
const SEEDED: { fixture: string; line: number; address: string; argument: string; message: RegExp }[] = [
  {
    fixture: 'unknownArgument.tf',
    line: 5,
    address: 'google_storage_bucket.images',
    argument: 'storage_clas',
    message: /unknown argument.*did you mean "storage_class"/,
  },
  {
    fixture: 'blockAsAttribute.tf',
    line: 5,
    address: 'google_storage_bucket.images',
    argument: 'soft_delete_policy',
    message: /is a block, not an argument/,
  },
  {
    fixture: 'attributeAsBlock.tf',
    line: 5,
    address: 'google_storage_bucket.images',
    argument: 'labels',
    message: /is an argument, not a block/,
  },
  {
    fixture: 'missingRequired.tf',
    line: 2,
    address: 'google_project_iam_member.runtime',
    argument: 'role',
    message: /required argument is missing/,
  },
  {
    fixture: 'wrongEnum.tf',
    line: 10,
    address: 'google_cloudfunctions2_function.fn',
    argument: 'service_config.ingress_settings',
    message: /"ALLOW_INTERNAL" is not one of the provider's values: "ALLOW_ALL", "ALLOW_INTERNAL_ONLY"/,
  },
  {
    fixture: 'wrongType.tf',
    line: 6,
    address: 'google_cloudfunctions2_function.fn',
    argument: 'service_config.max_instance_count',
    message: /"ten" is not a number/,
  },
  { fixture: 'computedSet.tf', line: 5, address: 'google_storage_bucket.images', argument: 'url', message: /computed by the provider/ },
  {
    fixture: 'blockTwice.tf',
    line: 5,
    address: 'google_storage_bucket.images',
    argument: 'versioning',
    message: /at most one versioning block/,
  },
  {
    fixture: 'unknownType.tf',
    line: 2,
    address: 'google_storage_buckets.images',
    argument: '',
    message: /unknown resource type "google_storage_buckets"/,
  },
  {
    fixture: 'unknownAttributeReference.tf',
    line: 9,
    address: 'google_project_iam_member.runtime',
    argument: 'member',
    message: /google_service_account\.runtime has no attribute "mail"/,
  },
  {
    fixture: 'unknownNestedReference.tf',
    line: 8,
    address: 'output.fn_url',
    argument: 'value',
    message: /google_cloudfunctions2_function\.fn\.service_config\[0\] has no attribute "url"/,
  },
  {
    fixture: 'unindexedBlockReference.tf',
    line: 8,
    address: 'output.fn_uri',
    argument: 'value',
    message: /service_config is a list of blocks .*service_config\[0\]/,
  },
  {
    fixture: 'setIndexed.tf',
    line: 9,
    address: 'output.order',
    argument: 'value',
    message: /indexes is a set: its elements have no index/,
  },
  {
    fixture: 'missingInstanceKey.tf',
    line: 8,
    address: 'output.email',
    argument: 'value',
    message: /google_service_account\.fn has for_each: pick an instance/,
  },
  {
    fixture: 'undeclaredResource.tf',
    line: 3,
    address: 'google_storage_bucket_object.source',
    argument: 'bucket',
    message: /no resource google_storage_bucket\.missing is declared/,
  },
  {
    fixture: 'undeclaredVariable.tf',
    line: 4,
    address: 'google_service_account.fn',
    argument: 'project',
    message: /no variable "project" is declared/,
  },
  {
    fixture: 'eachWithoutForEach.tf',
    line: 3,
    address: 'google_service_account.fn',
    argument: 'account_id',
    message: /"each" is only available in a block with for_each/,
  },
  {
    fixture: 'dynamicUnknownBlock.tf',
    line: 5,
    address: 'google_storage_bucket.images',
    argument: 'lifecycle_rules',
    message: /unknown block.*did you mean "lifecycle_rule"/,
  },
  {
    fixture: 'dynamicContentError.tf',
    line: 11,
    address: 'google_storage_bucket.images',
    argument: 'lifecycle_rule.action.age',
    message: /unknown argument/,
  },
  {
    fixture: 'movedStillDeclared.tf',
    line: 11,
    address: 'moved',
    argument: 'from',
    message: /google_service_account\.old is still declared/,
  },
  {
    fixture: 'eachValueAttribute',
    line: 15,
    address: 'google_cloudfunctions2_function.fn',
    argument: 'service_config.available_memory',
    message: /each\.value\.memroy: the for_each value for "alpha" has no attribute "memroy" \(it has "memory"\)/,
  },
  {
    fixture: 'eachValueEnum',
    line: 18,
    address: 'google_cloudfunctions2_function.fn',
    argument: 'service_config.ingress_settings',
    message: /each\.value\.ingress is "INTERNAL" for "beta", not one of the provider's values/,
  },
  {
    fixture: 'eachValueType',
    line: 15,
    address: 'google_cloudfunctions2_function.fn',
    argument: 'service_config.max_instance_count',
    message: /each\.value\.max_instances is \[10\] for "beta": not a number/,
  },
];

describe("infra: the configuration against the providers' schema", () => {
  it('infra/ has no unknown, misplaced or missing argument, wrong literal or dangling reference', async () => {
    const checker = new SchemaChecker((expressions) => evaluate(expressions));
    const problems = await checker.check(readConfiguration(INFRA_DIR, repoRoot()));
    assert.deepEqual(problems.map(formatProblem), []);
    // each.value was checked against the evaluated for_each values, not skipped.
    const evaluated = checker.evaluatedForEach();
    assert.ok(
      evaluated.some((address) => address.startsWith('google_cloudfunctions2_function.')),
      `evaluated: ${evaluated.join(', ')}`,
    );
  });

  it('versions.tf admits the provider versions the schema was extracted from', () => {
    const versions = fs.readFileSync(path.join(INFRA_DIR, 'versions.tf'), 'utf8');
    for (const [source, version] of Object.entries(providerSchema().providers)) {
      const declared = versions.match(new RegExp(`source\\s*=\\s*"${source}"\\s*\\n\\s*version\\s*=\\s*"([^"]+)"`));
      assert.ok(declared, `versions.tf declares no version of ${source}`);
      assert.ok(admits(declared[1], version), `${source} "${declared[1]}" does not admit ${version}, the version checked against`);
    }
  });

  describe('seeded errors', () => {
    it('every fixture is covered by a case here', () => {
      const fixtures = fs.readdirSync(FIXTURES).filter((f) => f !== 'valid');
      assert.deepEqual(fixtures.sort(), SEEDED.map((c) => c.fixture).sort());
    });

    it('reports nothing on a configuration using for_each, count, dynamic blocks, iterators, splats and nested references correctly', async () => {
      assert.deepEqual((await checkFixture('valid')).map(formatProblem), []);
    });

    for (const seeded of SEEDED) {
      it(`${seeded.fixture}: ${seeded.address}${seeded.argument ? ` ${seeded.argument}` : ''}`, async () => {
        const problems = await checkFixture(seeded.fixture);
        assert.equal(problems.length, 1, `exactly one problem expected, got:\n${problems.map(formatProblem).join('\n')}`);
        const [problem] = problems;
        const file = `test/infra/fixtures/providerSchema/${seeded.fixture}${seeded.fixture.endsWith('.tf') ? '' : '/main.tf'}`;
        assert.deepEqual(
          { ...problem, message: '' },
          { file, line: seeded.line, address: seeded.address, argument: seeded.argument, message: '' },
        );
        assert.match(problem.message, seeded.message);
        assert.ok(formatProblem(problem).startsWith(`${file}:${seeded.line}: ${seeded.address}`), formatProblem(problem));
      });
    }
  });
});
