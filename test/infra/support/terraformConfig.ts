import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoPath } from '../../../local/paths';

/**
 * The Terraform configuration in `infra/`, read the way the infra tests need it: every `*.tf`
 * file parsed to JSON with `@cdktf/hcl2json`, plus a way to evaluate locals with Terraform
 * itself. The google provider cannot be downloaded here, so `terraform validate` is out of
 * reach; `terraform console` needs no provider for variables and locals, so expressions such as
 * the function map and the kebab-case service names are evaluated by the real evaluator rather
 * than re-implemented in the tests.
 */

/** One block as hcl2json renders it: attributes as values, nested blocks as arrays. */
export type Block = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Values of evaluated expressions, by the caller's keys, as decoded JSON. */
export type Evaluated = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface InfraConfig {
  /** `resources[type][name]` → the block. */
  resources: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variables: Record<string, Block>;
  outputs: Record<string, Block>;
  /** Every `locals` block, in file order, as parsed (values are `${...}` strings when not literal). */
  localsBlocks: Block[];
  /** Which file declared each resource (`type.name`), for messages. */
  files: Record<string, string>;
}

// Loaded with require and typed here: the package's typings reference the DOM lib, which must
// not leak into this Node project's global types.
const hcl2json = require('@cdktf/hcl2json') as { parse(filename: string, contents: string): Promise<Block> };

export const INFRA_DIR = repoPath('infra');

/** The `*.tf` files of `infra/` (or another configuration's directory), sorted. */
export function terraformFiles(dir = INFRA_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
}

const cached = new Map<string, Promise<InfraConfig>>();

/** Every `infra/*.tf` (or `<dir>/*.tf`) parsed and merged (cached: the files do not change during a run). */
export function loadInfra(dir = INFRA_DIR): Promise<InfraConfig> {
  if (cached.has(dir)) return cached.get(dir)!;
  const loading = (async () => {
    const config: InfraConfig = { resources: {}, data: {}, variables: {}, outputs: {}, localsBlocks: [], files: {} };
    for (const file of terraformFiles(dir)) {
      const parsed = await hcl2json.parse(file, fs.readFileSync(path.join(dir, file), 'utf8'));
      for (const [kind, target] of [
        ['resource', config.resources],
        ['data', config.data],
      ] as const) {
        for (const [type, byName] of Object.entries((parsed[kind] ?? {}) as Record<string, Record<string, Block[]>>)) {
          for (const [name, blocks] of Object.entries(byName)) {
            (target[type] ??= {})[name] = blocks[0];
            config.files[`${kind === 'data' ? 'data.' : ''}${type}.${name}`] = file;
          }
        }
      }
      for (const [name, blocks] of Object.entries((parsed.variable ?? {}) as Record<string, Block[]>)) config.variables[name] = blocks[0];
      for (const [name, blocks] of Object.entries((parsed.output ?? {}) as Record<string, Block[]>)) config.outputs[name] = blocks[0];
      config.localsBlocks.push(...((parsed.locals ?? []) as Block[]));
    }
    return config;
  })();
  cached.set(dir, loading);
  return loading;
}

/** The resource block, or a failure naming what is missing. */
export function resource(config: InfraConfig, type: string, name: string): Block {
  const found = config.resources[type]?.[name];
  if (!found) throw new Error(`infra/*.tf has no resource "${type}" "${name}"`);
  return found;
}

/** Every resource of the configuration, flattened. */
export function allResources(config: InfraConfig): { type: string; name: string; block: Block }[] {
  return Object.entries(config.resources).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, block]) => ({ type, name, block })),
  );
}

/** A nested block (hcl2json renders blocks as one-element arrays). */
export function nested(block: Block, name: string): Block {
  const value = block[name];
  if (!Array.isArray(value) || value.length === 0) throw new Error(`block has no nested "${name}" block`);
  return value[0] as Block;
}

/** Values given to variables without a default when evaluating (only their type matters). */
function placeholder(type: string): string {
  if (type === 'number') return '1';
  if (type === 'bool') return 'true';
  return 'test-project';
}

/** `${string}` → `string`: hcl2json wraps type expressions like any other expression. */
function unwrap(expression: unknown): string {
  const text = String(expression);
  return text.startsWith('${') && text.endsWith('}') ? text.slice(2, -1) : text;
}

/** References a local may not contain to be evaluable offline (resources and data sources). */
export const RESOURCE_REFERENCE = /\b(google_[a-z0-9_]+|archive_[a-z0-9_]+|data\.[a-z0-9_]+)\.[a-z0-9_]+/;

/**
 * Evaluates Terraform expressions over the configuration's variables (defaults, or a placeholder
 * where there is none) and locals, with `terraform console` in a scratch directory. Locals that
 * reference resources are left out (they cannot be evaluated before apply); an expression that
 * needs one fails with Terraform's message, unless `standIns` gives that local a value (an HCL
 * expression) to use in its place. Returns each expression's value, decoded from JSON.
 */
export async function evaluate(
  expressions: Record<string, string>,
  overrides: Record<string, string> = {},
  configDir = INFRA_DIR,
  standIns: Record<string, string> = {},
): Promise<Evaluated> {
  const config = await loadInfra(configDir);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-eval-'));
  // The configuration's directory is recreated one level down, beside links to what surrounds it
  // in the repository, so that paths leaving it (`${path.module}/../manifest/manifest.json`)
  // resolve as they do there.
  const parent = path.dirname(configDir);
  for (const entry of fs.readdirSync(parent)) {
    if (entry !== path.basename(configDir)) fs.symlinkSync(path.join(parent, entry), path.join(scratch, entry));
  }
  const dir = path.join(scratch, path.basename(configDir));
  fs.mkdirSync(dir);
  try {
    const variable: Record<string, Block> = {};
    const args = ['console'];
    for (const [name, block] of Object.entries(config.variables)) {
      const type = unwrap(block.type ?? 'any');
      variable[name] = { type, ...('default' in block ? { default: block.default } : {}) };
      if (name in overrides) args.push('-var', `${name}=${overrides[name]}`);
      else if (!('default' in block)) args.push('-var', `${name}=${placeholder(type)}`);
    }
    const locals = config.localsBlocks.map((block) =>
      Object.fromEntries(
        Object.entries(block).filter(([name, value]) => {
          const text = JSON.stringify(value);
          return !(name in standIns) && !(text.includes('${') && RESOURCE_REFERENCE.test(text));
        }),
      ),
    );
    if (Object.keys(standIns).length > 0)
      locals.push(Object.fromEntries(Object.entries(standIns).map(([name, expression]) => [name, `\${${expression}}`])));
    // An empty "variable" object is a syntax error in Terraform's JSON syntax.
    const declarations = Object.keys(variable).length > 0 ? { variable, locals } : { locals };
    fs.writeFileSync(path.join(dir, 'eval.tf.json'), JSON.stringify(declarations, null, 2));
    // Files the expressions may read with file() (table schemas...), at the same relative paths.
    for (const entry of fs.readdirSync(configDir)) {
      if (entry.endsWith('.tf') || entry.startsWith('.') || entry.includes('tfstate')) continue;
      fs.symlinkSync(path.join(configDir, entry), path.join(dir, entry));
    }
    const object = Object.entries(expressions)
      .map(([key, expression]) => `${JSON.stringify(key)} = ${expression}`)
      .join(', ');
    let stdout: string;
    try {
      stdout = execFileSync('terraform', args, {
        cwd: dir,
        input: `jsonencode({ ${object} })\n`,
        encoding: 'utf8',
        // Offline and quiet: no version check against checkpoint.hashicorp.com.
        env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
        timeout: 60_000,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`terraform console failed: ${e.stderr || e.stdout || e.message}`);
    }
    // The console prints the JSON text as an HCL string literal: decode the literal, undo HCL's
    // template escapes, then decode the JSON.
    const literal = JSON.parse(stdout.trim()) as string;
    return JSON.parse(literal.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Meta-arguments: not the resource's own arguments. */
const META_ARGUMENTS = new Set(['for_each', 'count', 'depends_on', 'lifecycle', 'provider']);

/** A parsed value written back as an HCL expression, `each.key`/`each.value` renamed to the loop's. */
function asExpression(value: unknown): string {
  if (typeof value === 'string') {
    const renamed = value.replace(/\beach\.value\b/g, 'instance_value').replace(/\beach\.key\b/g, 'instance_key');
    // A lone interpolation is written as its expression: Terraform gives `"${x}"` x's own value, and
    // an expression with quotes (`local.names["x"]`) cannot be escaped inside a JSON-quoted template.
    const lone = /^\$\{([^]*)\}$/.exec(renamed);
    if (lone && !lone[1].includes('${')) return `(${lone[1]})`;
    return JSON.stringify(renamed);
  }
  if (Array.isArray(value)) return `[${value.map(asExpression).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)} = ${asExpression(v)}`)
      .join(', ')} }`;
  return JSON.stringify(value);
}

/** A block's arguments without those that reference another resource's attributes, nested blocks included. */
function knownBeforeApply(block: Block): Block {
  const blocks = (value: unknown): value is Block[] =>
    Array.isArray(value) && value.length > 0 && value.every((v) => v && typeof v === 'object' && !Array.isArray(v));
  return Object.fromEntries(
    Object.entries(block)
      .filter(([key, value]) => !META_ARGUMENTS.has(key) && (blocks(value) || !RESOURCE_REFERENCE.test(JSON.stringify(value))))
      .map(([key, value]) => [key, blocks(value) ? value.map(knownBeforeApply) : value]),
  );
}

/**
 * A resource's arguments as each instance gets them, by instance key (a resource without
 * `for_each` has the one key ""): the values a plan would show, evaluated by Terraform, rather
 * than the `${each.value.x}` text of the file. Nested blocks come as arrays of objects, as
 * `nested()` reads them. Arguments that reference another resource's attributes are left out:
 * they are known only after apply; where `for_each` itself needs one, `standIns` gives the local
 * it reads a value (see `evaluate`).
 */
export async function evaluateInstances(
  type: string,
  name: string,
  overrides: Record<string, string> = {},
  standIns: Record<string, string> = {},
): Promise<Record<string, Block>> {
  const block = resource(await loadInfra(), type, name);
  const args = asExpression(knownBeforeApply(block));
  const expression =
    'for_each' in block
      ? `{ for instance_key, instance_value in ${unwrap(block.for_each)} : instance_key => ${args} }`
      : `{ "" = ${args} }`;
  return (await evaluate({ instances: expression }, overrides, INFRA_DIR, standIns)).instances as Record<string, Block>;
}

/** Shape of one entry of `local.functions` (infra/manifest.tf). */
export interface TerraformFunction {
  description: string;
  public: boolean;
  invokers: string[];
  memory: string;
  cpu: string;
  timeout_seconds: number;
  concurrency: number;
  min_instances: number;
  max_instances: number;
  environment: Record<string, string>;
}

export interface EvaluatedFunctions {
  functions: Record<string, TerraformFunction>;
  serviceNames: Record<string, string>;
  /** Each deployed function's `environment_variables` (the common ones and its own), evaluated from the resource itself. */
  environments: Record<string, Record<string, string>>;
}

let functionsCache: Promise<EvaluatedFunctions> | undefined;

/**
 * `local.functions`, `local.service_names` and the environment each function resource is
 * given, evaluated once for every test file that needs them.
 */
export function evaluatedFunctions(): Promise<EvaluatedFunctions> {
  // With the simulator deployed, as in a test project: every function of the manifest then has its Terraform entry.
  const overrides = { deploy_node_simulator: 'true' };
  functionsCache ??= (async () => {
    const locals = await evaluate({ functions: 'local.functions', serviceNames: 'local.service_names' }, overrides);
    const deployed = await evaluateInstances('google_cloudfunctions2_function', 'function', overrides);
    const environments = Object.fromEntries(
      Object.entries(deployed).map(([name, fn]) => [name, nested(fn, 'service_config').environment_variables as Record<string, string>]),
    );
    return { ...locals, environments } as EvaluatedFunctions;
  })();
  return functionsCache;
}
