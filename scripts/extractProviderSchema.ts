/**
 * Writes `test/infra/support/providerSchema.json`: the Terraform schema of every resource and data
 * source type `infra/` uses (plus the types listed in EXTRA_TYPES, which the kit is expected to
 * need), extracted from the prebuilt CDKTF providers. The infra tests check the configuration
 * against it (test/infra/providerSchema.test.ts).
 *
 * Why this way: the google provider binary cannot be downloaded here, so `terraform validate` and
 * `terraform providers schema -json` are out of reach; `@cdktf/provider-google` is generated from
 * that provider's schema and is on npm. It is ~340 MB, far too big for `npm ci`, so it is
 * installed only to run this script, and the few types the kit uses are kept in a small file.
 *
 * Run by hand (see infra/README.md, "Checking against the provider's schema"):
 *   npm install --no-save --no-audit --no-fund @cdktf/provider-google@16.12.1 @cdktf/provider-archive@11.0.1
 *   make build && node dist/scripts/extractProviderSchema.js [--packages <dir holding node_modules>]
 *   npm ci --no-audit --no-fund
 *
 * Where the schema is in a CDKTF provider module (`lib/<type>/index.js`), all of it generated:
 * - `synthesizeHclAttributes()` (the resource) and `<struct>ToHclTerraform()` (each nested block)
 *   list every configurable name with `isBlock`, its collection kind and element type;
 * - the getters (`this.getStringAttribute('url')`, `new XList(this, "conditions", wrapsSet)`)
 *   list every readable name, so a readable name that is not configurable is computed;
 * - the package's `.jsii` manifest says which config properties are optional, and carries the
 *   provider's documentation, whose "Possible values: [...]" are the enum values.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoPath, repoRoot } from '../local/paths';
import {
  PROVIDER_SCHEMA_FILE,
  type ProviderSchema,
  type SchemaBlock,
  type SchemaNestedBlock,
  type SchemaType,
} from '../test/infra/support/providerSchema';

// Loaded with require: the package's typings reference the DOM lib (see test/infra/support/terraformConfig.ts).
const hcl2json = require('@cdktf/hcl2json') as { parse(filename: string, contents: string): Promise<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Types not (yet) in infra/ whose schema is kept anyway, so the check knows them the day they are
 * added: what a GCP kit of this kind plausibly needs next (Pub/Sub, Scheduler, indexes, alerting,
 * resource-level IAM, Cloud Run v2). `data.` marks a data source. Not here:
 * `google_project_service_identity`, which exists only in the google-beta provider (the check
 * then rejects it as unknown, rightly: infra/ configures hashicorp/google only).
 */
const EXTRA_TYPES = [
  'google_bigquery_dataset_iam_member',
  'google_bigquery_table_iam_member',
  'google_cloud_run_service_iam_member',
  'google_cloud_run_v2_service',
  'google_cloud_run_v2_service_iam_member',
  'google_cloud_scheduler_job',
  'google_cloud_tasks_queue',
  'google_cloudfunctions2_function_iam_member',
  'google_eventarc_trigger',
  'google_firestore_database',
  'google_firestore_field',
  'google_firestore_index',
  'google_logging_metric',
  'google_monitoring_alert_policy',
  'google_monitoring_notification_channel',
  'google_project_iam_custom_role',
  'google_project_iam_member',
  'google_project_service',
  'google_pubsub_subscription',
  'google_pubsub_subscription_iam_member',
  'google_pubsub_topic',
  'google_pubsub_topic_iam_member',
  'google_secret_manager_secret',
  'google_secret_manager_secret_iam_member',
  'google_secret_manager_secret_version',
  'google_service_account',
  'google_service_account_iam_member',
  'google_storage_bucket',
  'google_storage_bucket_iam_member',
  'google_storage_bucket_object',
  'google_workflows_workflow',
  'data.archive_file',
  'data.google_client_config',
  'data.google_project',
  'data.google_storage_project_service_account',
];

/** The CDKTF packages, by Terraform provider local name. */
const PACKAGES: Record<string, { npm: string; source: string }> = {
  google: { npm: '@cdktf/provider-google', source: 'hashicorp/google' },
  archive: { npm: '@cdktf/provider-archive', source: 'hashicorp/archive' },
};

interface JsiiProperty {
  name: string;
  optional?: boolean;
  docs?: { summary?: string; remarks?: string };
}
interface JsiiType {
  name: string;
  locationInModule?: { filename: string };
  properties?: JsiiProperty[];
}

interface Package {
  dir: string;
  version: string;
  providerVersion: string;
  /** jsii types of one module (`src/<module>/index.ts`), by name. */
  jsiiTypes(module: string): Map<string, JsiiType>;
}

function loadPackage(npmName: string, searchFrom: string): Package {
  const manifest = require.resolve(`${npmName}/package.json`, { paths: [searchFrom] });
  const dir = path.dirname(manifest);
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string; cdktf: { provider: { version: string } } };
  const jsii = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8')) as { types: Record<string, JsiiType> };
  const byModule = new Map<string, Map<string, JsiiType>>();
  for (const type of Object.values(jsii.types)) {
    const module = type.locationInModule?.filename.match(/^src\/([^/]+)\/index\.ts$/)?.[1];
    if (!module) continue;
    if (!byModule.has(module)) byModule.set(module, new Map());
    byModule.get(module)!.set(type.name, type);
  }
  return {
    dir,
    version: pkg.version,
    providerVersion: pkg.cdktf.provider.version,
    jsiiTypes: (module) => byModule.get(module) ?? new Map(),
  };
}

/** Top-level `class X extends Y { ... }` and `function xToHclTerraform(struct) { ... }` of a generated module. */
function topLevelBodies(js: string, header: RegExp): Map<string, string> {
  const bodies = new Map<string, string>();
  for (const match of js.matchAll(header)) {
    const start = match.index! + match[0].length;
    const end = js.indexOf('\n}\n', start);
    bodies.set(match[1], js.slice(start, end));
  }
  return bodies;
}

interface ConfigArgument {
  name: string;
  camel: string;
  isBlock: boolean;
  /** simple, list, set, map. */
  kind: string;
  storage: string;
  /** For a block: the struct whose ToHclTerraform function describes it. */
  struct?: string;
}

/** The `attrs = { name: { value, isBlock, type, storageClassType } }` of a synthesize/ToHclTerraform body. */
function configArguments(body: string): ConfigArgument[] {
  const entries = body.matchAll(
    /\n\s+(\w+): \{\n\s+value: (.+),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}/g,
  );
  return [...entries].map(([, name, value, isBlock, kind, storage]) => {
    const camel = value.match(/(?:struct\.|this\._)(\w+)/)?.[1];
    if (!camel) throw new Error(`no property in the value of ${name}: ${value}`);
    const struct = value.match(/(?<![.\w])(\w+)ToHclTerraform/)?.[1];
    return { name, camel, isBlock: isBlock === 'true', kind, storage, ...(struct ? { struct } : {}) };
  });
}

interface Readable {
  name: string;
  /** A primitive or collection type, or the class of a complex value. */
  type?: SchemaType;
  complexClass?: string;
  wrapsSet?: boolean;
}

/** Every name a class's getters read: `this.getXAttribute('name')` or an object made in the constructor. */
function readables(classBody: string): Readable[] {
  const made = new Map<string, { cls: string; name: string; wrapsSet: boolean }>();
  for (const [, field, cls, name, wrapsSet] of classBody.matchAll(/this\._(\w+) = new ([\w.]+)\(this, "(\w+)"(?:, (true|false))?\);/g)) {
    made.set(field, { cls, name, wrapsSet: wrapsSet === 'true' });
  }
  const result: Readable[] = [];
  for (const [, , returned] of classBody.matchAll(/\n {4}get (\w+)\(\) \{\n\s+return (.+);\n\s+\}/g)) {
    const attribute = returned.match(/this\.get(\w+)Attribute\('(\w+)'\)/);
    if (attribute) {
      const [, getter, name] = attribute;
      const set = returned.startsWith('cdktf.Fn.tolist(');
      const types: Record<string, SchemaType> = {
        String: 'string',
        Number: 'number',
        Boolean: 'bool',
        List: [set ? 'set' : 'list', 'string'],
        NumberList: [set ? 'set' : 'list', 'number'],
        BooleanList: [set ? 'set' : 'list', 'bool'],
        StringMap: ['map', 'string'],
        NumberMap: ['map', 'number'],
        BooleanMap: ['map', 'bool'],
      };
      result.push({ name, type: types[getter] ?? 'dynamic' });
      continue;
    }
    const field = returned.match(/^this\._(\w+)$/)?.[1];
    const object = field && made.get(field);
    if (!object) continue;
    const simple: Record<string, SchemaType> = {
      'cdktf.StringMap': ['map', 'string'],
      'cdktf.NumberMap': ['map', 'number'],
      'cdktf.BooleanMap': ['map', 'bool'],
      'cdktf.AnyMap': ['map', 'dynamic'],
      'cdktf.StringMapList': ['list', ['map', 'string']],
    };
    if (simple[object.cls]) result.push({ name: object.name, type: simple[object.cls] });
    else if (object.cls.startsWith('cdktf.')) result.push({ name: object.name, type: 'dynamic' });
    else result.push({ name: object.name, complexClass: object.cls, wrapsSet: object.wrapsSet });
  }
  return result;
}

/** A configurable attribute's type from its ToHclTerraform kind and storage class. */
function configType(arg: ConfigArgument): SchemaType {
  const element = (storage: string): SchemaType => {
    if (/^string(List|Map)?$/.test(storage)) return 'string';
    if (/^number(List|Map)?$/.test(storage)) return 'number';
    if (/^boolean(List|Map)?$/.test(storage)) return 'bool';
    return 'dynamic';
  };
  const inner = element(arg.storage);
  if (arg.kind === 'simple') return inner;
  if (arg.kind === 'list' || arg.kind === 'set' || arg.kind === 'map') return [arg.kind, inner];
  return 'dynamic';
}

/** The values an argument admits, from the provider documentation's "Possible values: [...]". */
function enumValues(property: JsiiProperty | undefined): string[] | undefined {
  const docs = `${property?.docs?.summary ?? ''} ${property?.docs?.remarks ?? ''}`;
  const list = docs.match(/Possible values: \[([^\]]*)\]/)?.[1];
  if (list === undefined) return undefined;
  const values = JSON.parse(`[${list}]`) as string[];
  return values.length > 0 ? values : undefined;
}

class ModuleReader {
  private readonly classes: Map<string, string>;
  private readonly structs: Map<string, string>;
  private readonly jsii: Map<string, JsiiType>;

  constructor(
    private readonly module: string,
    js: string,
    pkg: Package,
  ) {
    this.classes = topLevelBodies(js, /^class (\w+) extends [\w.]+ \{\n/gm);
    this.structs = topLevelBodies(js, /^function (\w+)ToHclTerraform\(struct\) \{\n/gm);
    this.jsii = pkg.jsiiTypes(module);
  }

  /** The resource or data source class's schema. */
  topLevel(className: string): SchemaBlock {
    const body = this.classBody(className);
    const synthesize = body.slice(body.indexOf('synthesizeHclAttributes() {'));
    return this.block(configArguments(synthesize), readables(body), `${className}Config`, className);
  }

  private classBody(name: string): string {
    const body = this.classes.get(name);
    if (body === undefined) throw new Error(`${this.module}: no class ${name}`);
    return body;
  }

  /** The element class of a complex list (`XList` → `XOutputReference`), or the class itself. */
  private elementClass(cls: string): string {
    return cls.endsWith('List') ? `${cls.slice(0, -'List'.length)}OutputReference` : cls;
  }

  private block(args: ConfigArgument[], readable: Readable[], interfaceName: string, where: string): SchemaBlock {
    const properties = new Map((this.jsii.get(interfaceName)?.properties ?? []).map((p) => [p.name, p]));
    if (args.length > 0 && !this.jsii.has(interfaceName)) throw new Error(`${this.module}: no jsii interface ${interfaceName}`);
    const readableByName = new Map(readable.map((r) => [r.name, r]));
    const result: SchemaBlock = { attributes: {}, blocks: {} };
    for (const arg of args) {
      const property = properties.get(arg.camel);
      if (!property) throw new Error(`${this.module}: ${interfaceName} has no property ${arg.camel} (${arg.name})`);
      const required = property.optional !== true;
      if (!arg.isBlock) {
        const values = enumValues(property);
        result.attributes[arg.name] = {
          type: configType(arg),
          ...(required ? { required: true } : {}),
          ...(values ? { enum: values } : {}),
        };
        continue;
      }
      if (!arg.struct) throw new Error(`${this.module}: block ${arg.name} of ${where} has no struct`);
      const structName = arg.struct[0].toUpperCase() + arg.struct.slice(1);
      const structBody = this.structs.get(arg.struct);
      if (structBody === undefined) throw new Error(`${this.module}: no function ${arg.struct}ToHclTerraform`);
      const reader = readableByName.get(arg.name);
      // A block written at most once is read through an OutputReference; others through a List.
      const single = !reader?.complexClass || reader.complexClass.endsWith('OutputReference');
      const childClass = reader?.complexClass ? this.elementClass(reader.complexClass) : undefined;
      const child = this.block(
        configArguments(structBody),
        childClass && this.classes.has(childClass) ? readables(this.classBody(childClass)) : [],
        structName,
        `${where}.${arg.name}`,
      );
      const nested: SchemaNestedBlock = {
        nesting: arg.kind === 'set' || reader?.wrapsSet ? 'set' : 'list',
        ...(single ? { maxItems: 1 } : {}),
        ...(required ? { required: true } : {}),
        ...child,
      };
      result.blocks[arg.name] = nested;
    }
    const configurable = new Set(args.map((a) => a.name));
    for (const r of readable) {
      if (configurable.has(r.name)) continue;
      result.attributes[r.name] = { type: r.type ?? this.computedObjectType(r), computed: true };
    }
    result.attributes = sortKeys(result.attributes);
    result.blocks = sortKeys(result.blocks);
    return result;
  }

  /** The type of a computed complex value: a list (or set) of objects, or one object. */
  private computedObjectType(r: Readable): SchemaType {
    const cls = r.complexClass!;
    const element = this.elementClass(cls);
    const fields: Record<string, SchemaType> = {};
    for (const field of this.classes.has(element) ? readables(this.classBody(element)) : []) {
      fields[field.name] = field.type ?? this.computedObjectType(field);
    }
    const object: SchemaType = ['object', sortKeys(fields)];
    return cls.endsWith('OutputReference') ? object : [r.wrapsSet ? 'set' : 'list', object];
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** `google_cloudfunctions2_function` → the module `cloudfunctions2-function`; data sources get `data-`. */
function moduleOf(kind: 'resource' | 'data', type: string, provider: string): string {
  const rest = kind === 'data' ? `data_${type}` : type.slice(provider.length + 1);
  return rest.replace(/_/g, '-');
}

/** Resource and data types of every `*.tf` file under infra/. */
async function typesInInfra(): Promise<string[]> {
  const types = new Set<string>();
  const dir = repoPath('infra');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const parsed = await hcl2json.parse(file, fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const type of Object.keys(parsed.resource ?? {})) types.add(type);
    for (const type of Object.keys(parsed.data ?? {})) types.add(`data.${type}`);
  }
  return [...types];
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--packages');
  const searchFrom = at > 0 ? path.resolve(process.argv[at + 1]) : repoRoot();
  const wanted = [...new Set([...(await typesInInfra()), ...EXTRA_TYPES])].sort();
  const schema: ProviderSchema = { providers: {}, extractedFrom: {}, resource: {}, data: {} };
  const packages = new Map<string, Package>();
  for (const qualified of wanted) {
    const kind = qualified.startsWith('data.') ? 'data' : 'resource';
    const type = qualified.replace(/^data\./, '');
    const provider = type.split('_')[0];
    const info = PACKAGES[provider];
    if (!info) throw new Error(`${qualified}: no CDKTF package known for provider "${provider}"`);
    if (!packages.has(provider)) {
      const pkg = loadPackage(info.npm, searchFrom);
      packages.set(provider, pkg);
      schema.providers[info.source] = pkg.providerVersion;
      schema.extractedFrom[info.npm] = pkg.version;
    }
    const pkg = packages.get(provider)!;
    const module = moduleOf(kind, type, provider);
    const file = path.join(pkg.dir, 'lib', module, 'index.js');
    if (!fs.existsSync(file)) throw new Error(`${qualified}: ${info.npm} has no module ${module} (is the type name right?)`);
    const js = fs.readFileSync(file, 'utf8');
    const declared = js.match(/^(\w+)\.tfResourceType = "(\w+)";$/m);
    if (!declared || declared[2] !== type) throw new Error(`${qualified}: ${file} declares ${declared?.[2] ?? 'no type'}`);
    schema[kind][type] = new ModuleReader(module, js, pkg).topLevel(declared[1]);
  }
  fs.writeFileSync(PROVIDER_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
  // The file is checked by `make check-format` like every other: write it as Prettier would.
  execFileSync(path.join(repoRoot(), 'node_modules/.bin/prettier'), ['--write', '--log-level', 'warn', PROVIDER_SCHEMA_FILE], {
    stdio: 'inherit',
  });
  const counts = Object.entries(schema.providers).map(([source, version]) => `${source} ${version}`);
  console.log(
    `wrote ${path.relative(repoRoot(), PROVIDER_SCHEMA_FILE)}: ${Object.keys(schema.resource).length} resource and ${Object.keys(schema.data).length} data source types from ${counts.join(', ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
