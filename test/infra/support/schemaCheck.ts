import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HclAttribute, type HclBlock, type HclItem, outlineHcl } from './hclOutline';
import { RESOURCE_REFERENCE } from './terraformConfig';
import { type ProviderSchema, type SchemaAttribute, type SchemaBlock, type SchemaType, providerSchema } from './providerSchema';

/**
 * Checks a Terraform configuration against the providers' schema (providerSchema.json), the part
 * of `terraform validate` that needs the provider, which cannot be downloaded here: in every
 * resource and data block, each argument and nested block must exist and be written as what it
 * is (attribute or block), required ones must be present, blocks written at most once must be,
 * literals must convert to the argument's type and be one of its documented values, and every
 * reference (`google_x.y[k].service_config[0].uri`, `data.archive_file.z[k].output_md5`, a
 * `for` variable over resource instances, `var.`, `local.`, `each.`, `count.`, a dynamic
 * block's iterator) must name something that exists and be indexed the way it can be.
 *
 * Values that come from expressions are not evaluated; only literals (including each branch of a
 * conditional) are type-checked. Structure comes from hclOutline.ts, expressions are parsed by
 * `@cdktf/hcl2json` (Terraform's own HCL parser, compiled to WebAssembly).
 */

export interface Problem {
  file: string;
  line: number;
  /** `google_storage_bucket.audio_files`, `data.archive_file.function_source`, `output.x`... */
  address: string;
  /** The argument or block concerned, with its path: `service_config.ingress_settings`. */
  argument: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.address}${p.argument ? `: ${p.argument}` : ''}: ${p.message}`;
}

/** A node of hcl2json's expression syntax tree (the fields this check reads). */
interface Ast {
  type: string;
  meta: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  children: Ast[];
}

// Loaded with require and typed here: the package's typings reference the DOM lib.
const hcl2json = require('@cdktf/hcl2json') as {
  getExpressionAst(filename: string, expression: string): Promise<Ast | null>;
  parse(filename: string, contents: string): Promise<Parsed>;
};

/** A file as hcl2json parses it: `resource[type][name]` is the list of blocks so declared. */
type Parsed = Partial<Record<'resource' | 'data', Record<string, Record<string, Record<string, unknown>[]>>>>;

/** The providers whose resources the configuration may declare (by type prefix). */
const PROVIDERS = ['google', 'archive'];

/** Arguments and blocks Terraform itself defines on every resource and data block. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider']);
const META_BLOCKS = new Set(['lifecycle', 'provisioner', 'connection']);

interface Declared {
  kind: 'resource' | 'data';
  type: string;
  name: string;
  /** How instances are keyed, when there is more than one. */
  repeat?: 'count' | 'for_each';
  file: string;
  line: number;
  block: HclBlock;
}

/** What a traversal step lands on. */
type Target =
  | { kind: 'block'; block: SchemaBlock; what: string }
  | { kind: 'many'; element: Target; indexable: boolean; key: 'number' | 'string'; what: string; hint: string }
  | { kind: 'type'; type: SchemaType; what: string }
  | { kind: 'unknown' };

type Step = { name: string } | { index: number | string | null } | { splat: true };

/** Names a scope gives meaning to, beyond the configuration's own: for variables, iterators, each. */
type Binding =
  | { kind: 'each'; repeat: 'count' | 'for_each'; instances?: Map<string, unknown> }
  | { kind: 'iterator' }
  | { kind: 'value'; target: Target };

/**
 * Evaluates Terraform expressions offline (with `terraform console`: see terraformConfig.ts),
 * returning each one's value as JSON. Expressions that reference resources are never passed.
 */
export type Evaluator = (expressions: Record<string, string>) => Promise<Record<string, unknown>>;

interface Context {
  file: string;
  address: string;
  argument: string;
  line: number;
  scope: Map<string, Binding>;
}

const describe = (type: SchemaType): string =>
  typeof type === 'string' ? type : type[0] === 'object' ? 'object' : `${type[0]}(${describe(type[1])})`;

export class SchemaChecker {
  private readonly problems: Problem[] = [];
  private readonly declared = new Map<string, Declared>();
  private readonly variables = new Set<string>();
  private readonly locals = new Set<string>();

  /**
   * With an evaluator, each `for_each` that needs no resource attribute is evaluated, so that
   * `each.value.x` is checked against every instance's value: that it exists, and when an argument
   * is set to it, that it converts to the argument's type and is one of its values.
   */
  constructor(
    private readonly evaluator?: Evaluator,
    private readonly schema: ProviderSchema = providerSchema(),
  ) {}

  /** Each `for_each` resource's instances (key → each.value), where they could be evaluated. */
  private readonly instances = new Map<string, Map<string, unknown>>();

  /** Addresses whose `for_each` was evaluated (for tests: proof the evaluation is not silently off). */
  evaluatedForEach(): string[] {
    return [...this.instances.keys()];
  }

  private async evaluateForEach(): Promise<void> {
    if (!this.evaluator) return;
    const expressions: Record<string, string> = {};
    for (const [address, declared] of this.declared) {
      const forEach = declared.block.body.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === 'for_each');
      if (forEach && !RESOURCE_REFERENCE.test(forEach.expression)) expressions[address] = forEach.expression;
    }
    if (Object.keys(expressions).length === 0) return;
    let values: Record<string, unknown>;
    try {
      values = await this.evaluator(expressions);
    } catch {
      // One expression Terraform cannot evaluate offline fails the whole batch: evaluate one by one.
      values = {};
      for (const [address, expression] of Object.entries(expressions)) {
        try {
          Object.assign(values, await this.evaluator({ [address]: expression }));
        } catch {
          // Not evaluable offline (a data source's value, a function of the filesystem...): unchecked.
        }
      }
    }
    for (const [address, value] of Object.entries(values)) {
      // A set of strings is keyed by its elements; a map or object by its keys.
      const entries: [string, unknown][] = Array.isArray(value)
        ? value.map((v) => [String(v), v])
        : value && typeof value === 'object'
          ? Object.entries(value)
          : [];
      this.instances.set(address, new Map(entries));
    }
  }

  /** Checks one configuration: the named files' text (name → contents). Returns every problem, in file order. */
  async check(files: Record<string, string>): Promise<Problem[]> {
    const outlines = Object.entries(files).map(([file, text]) => ({ file, items: outlineHcl(text, file) }));
    for (const { file, items } of outlines) agree(items, await hcl2json.parse(file, files[file]), file);
    for (const { file, items } of outlines) this.collect(file, items);
    // Every distinct expression parsed once, one after the other: each parse is a round trip to
    // the WebAssembly module, and concurrent ones are slower than serial ones.
    const expressions = new Map<string, string>();
    const gather = (file: string, items: HclItem[]): void => {
      for (const item of items) {
        if (item.kind === 'attribute') expressions.set(item.expression, file);
        else gather(file, item.body);
      }
    };
    for (const { file, items } of outlines) gather(file, items);
    for (const [expression, file] of expressions) {
      try {
        // A heredoc ends with a newline after its marker.
        this.asts.set(expression, await hcl2json.getExpressionAst(file, `${expression}\n`));
      } catch (err) {
        this.asts.set(expression, err as Error);
      }
    }
    await this.evaluateForEach();
    for (const { file, items } of outlines) {
      for (const item of items) if (item.kind === 'block') this.topLevel(file, item);
    }
    return this.problems;
  }

  /** Each expression's syntax tree, or why it does not parse. */
  private readonly asts = new Map<string, Ast | null | Error>();

  private report(ctx: Pick<Context, 'file' | 'line' | 'address' | 'argument'>, message: string): void {
    this.problems.push({ file: ctx.file, line: ctx.line, address: ctx.address, argument: ctx.argument, message });
  }

  /** Every declared resource, data source, variable and local, so references can be resolved in any order. */
  private collect(file: string, items: HclItem[]): void {
    for (const item of items) {
      if (item.kind !== 'block') continue;
      if (item.type === 'variable') this.variables.add(item.labels[0]);
      if (item.type === 'locals') for (const local of item.body) if (local.kind === 'attribute') this.locals.add(local.name);
      if (item.type !== 'resource' && item.type !== 'data') continue;
      const [type, name] = item.labels;
      const key = `${item.type === 'data' ? 'data.' : ''}${type}.${name}`;
      const previous = this.declared.get(key);
      if (previous) {
        this.report({ file, line: item.line, address: key, argument: '' }, `declared twice (also at ${previous.file}:${previous.line})`);
        continue;
      }
      const names = new Set(item.body.filter((i) => i.kind === 'attribute').map((i) => i.name));
      const repeat = names.has('for_each') ? 'for_each' : names.has('count') ? 'count' : undefined;
      this.declared.set(key, { kind: item.type, type, name, ...(repeat ? { repeat } : {}), file, line: item.line, block: item });
    }
  }

  private topLevel(file: string, block: HclBlock): void {
    const base = { file, line: block.line, argument: '', scope: new Map<string, Binding>() };
    if (block.type === 'resource' || block.type === 'data') {
      const [type, name] = block.labels;
      const address = `${block.type === 'data' ? 'data.' : ''}${type}.${name}`;
      const declared = this.declared.get(address);
      const scope = new Map<string, Binding>();
      const instances = this.instances.get(address);
      if (declared?.repeat)
        scope.set(declared.repeat === 'count' ? 'count' : 'each', {
          kind: 'each',
          repeat: declared.repeat,
          ...(instances ? { instances } : {}),
        });
      const ctx: Context = { ...base, address, scope };
      const schema = this.schema[block.type][type];
      if (!schema) {
        const known = PROVIDERS.some((p) => type.startsWith(`${p}_`) || type === p);
        this.report(
          ctx,
          known
            ? `unknown ${block.type === 'data' ? 'data source' : 'resource'} type "${type}": not in providerSchema.json (${Object.entries(
                this.schema.providers,
              )
                .map(([s, v]) => `${s} ${v}`)
                .join(', ')}); if it is a real type, add it with scripts/extractProviderSchema.ts`
            : `resource type "${type}" belongs to no provider this configuration uses (${PROVIDERS.join(', ')})`,
        );
        return;
      }
      this.body(ctx, block.body, schema, '', block.type);
      return;
    }
    const address = [block.type, ...block.labels].join('.');
    if (block.type === 'moved' || block.type === 'removed') {
      // `from` names an address that must no longer be declared (Terraform refuses to move an
      // object that still exists), unless it moves within the same resource (adding for_each:
      // `from = x.y`, `to = x.y["key"]`); `to` must be declared, like any reference.
      const resourceOf = (name: string): string | undefined => {
        const item = block.body.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
        const ast = item && this.asts.get(item.expression);
        const chain = ast && !(ast instanceof Error) ? toChain(ast) : undefined;
        const first = chain && nameAt(chain.steps, 0);
        return chain && first !== undefined ? `${chain.root}.${first}` : undefined;
      };
      for (const item of block.body) {
        if (item.kind !== 'attribute') continue;
        const ctx = { ...base, address, line: item.line, argument: item.name };
        if (item.name !== 'from') {
          this.expression(item, ctx);
          continue;
        }
        const from = resourceOf('from');
        if (from !== undefined && from !== resourceOf('to') && this.declared.has(from)) {
          this.report(ctx, `${from} is still declared: a ${block.type} block's from must name an address that no longer exists`);
        }
      }
      return;
    }
    // Other blocks (locals, output, variable, terraform, provider, module...) are not in the
    // providers' schema; only their references are checked.
    this.references(block.body, { ...base, address });
  }

  /** Checks every expression of a body (and its nested blocks) for references only. */
  private references(items: HclItem[], ctx: Context): void {
    for (const item of items) {
      if (item.kind === 'attribute') this.expression(item, { ...ctx, line: item.line, argument: item.name });
      else this.references(item.body, ctx);
    }
  }

  /** A resource's or nested block's body against its schema. */
  private body(ctx: Context, items: HclItem[], schema: SchemaBlock, prefix: string, topLevel?: 'resource' | 'data'): void {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (const item of items) {
      const name = item.kind === 'attribute' ? item.name : item.type;
      const argument = `${prefix}${item.kind === 'block' && item.type === 'dynamic' ? item.labels[0] : name}`;
      const here = { ...ctx, line: item.line, argument };
      if (topLevel && item.kind === 'attribute' && META_ARGUMENTS.has(name)) {
        this.expression(item, here);
        continue;
      }
      if (topLevel && item.kind === 'block' && META_BLOCKS.has(name)) {
        if (name === 'lifecycle') this.lifecycle(item, here);
        continue;
      }
      if (item.kind === 'block' && item.type === 'dynamic') {
        this.dynamic(item, here, schema, prefix, counts);
        seen.add(item.labels[0]);
        continue;
      }
      if (item.kind === 'attribute' && seen.has(name)) this.report(here, 'set twice');
      seen.add(name);
      const attribute = schema.attributes[name];
      const nested = schema.blocks[name];
      if (item.kind === 'attribute') {
        const ast = this.expression(item, here);
        if (nested) this.report(here, `is a block, not an argument: write \`${name} { ... }\`, not \`${name} = ...\``);
        else if (!attribute) this.report(here, `unknown argument: ${this.nameHint(schema, name)}`);
        else if (attribute.computed) this.report(here, 'is computed by the provider (read-only): it cannot be set');
        else if (ast) {
          this.literal(ast, here, attribute);
          this.eachValue(ast, here, attribute);
        }
        continue;
      }
      if (attribute) {
        this.report(here, `is an argument, not a block: write \`${name} = ...\`, not \`${name} { ... }\``);
        continue;
      }
      if (!nested) {
        this.report(here, `unknown block: ${this.nameHint(schema, name)}`);
        continue;
      }
      if (item.labels.length > 0) this.report(here, `a ${name} block takes no labels`);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      this.body(ctx, item.body, nested, `${argument}.`);
    }
    for (const [name, count] of counts) {
      if (schema.blocks[name].maxItems === 1 && count > 1) {
        const first = items.find((i) => i.kind === 'block' && i.type === name)!;
        this.report(
          { ...ctx, line: first.line, argument: `${prefix}${name}` },
          `written ${count} times; at most one ${name} block is allowed`,
        );
      }
    }
    const line = ctx.line;
    for (const [name, attribute] of Object.entries(schema.attributes)) {
      if (attribute.required && !seen.has(name))
        this.report({ ...ctx, line, argument: `${prefix}${name}` }, 'required argument is missing');
    }
    for (const [name, nested] of Object.entries(schema.blocks)) {
      if (nested.required && !seen.has(name)) this.report({ ...ctx, line, argument: `${prefix}${name}` }, 'required block is missing');
    }
  }

  /** `dynamic "name" { for_each = ..., iterator = it, content { ... } }`. */
  private dynamic(block: HclBlock, ctx: Context, schema: SchemaBlock, prefix: string, counts: Map<string, number>): void {
    const name = block.labels[0];
    const nested = schema.blocks[name];
    if (!nested) {
      this.report(
        ctx,
        schema.attributes[name] ? 'is an argument: dynamic blocks generate blocks only' : `unknown block: ${this.nameHint(schema, name)}`,
      );
      return;
    }
    // Several dynamic instances may be generated: a block written at most once is not counted.
    counts.set(name, counts.get(name) ?? 0);
    let iterator = name;
    let content: HclBlock | undefined;
    for (const item of block.body) {
      const here = { ...ctx, line: item.line, argument: `${ctx.argument}.${item.kind === 'attribute' ? item.name : item.type}` };
      if (item.kind === 'attribute' && item.name === 'for_each') this.expression(item, here);
      else if (item.kind === 'attribute' && item.name === 'labels') this.expression(item, here);
      else if (item.kind === 'attribute' && item.name === 'iterator') iterator = item.expression;
      else if (item.kind === 'block' && item.type === 'content') content = item;
      else this.report(here, 'not an argument of a dynamic block (for_each, iterator, labels, content)');
    }
    if (!block.body.some((i) => i.kind === 'attribute' && i.name === 'for_each')) this.report(ctx, 'dynamic block without for_each');
    if (!content) {
      this.report(ctx, 'dynamic block without a content block');
      return;
    }
    const scope = new Map(ctx.scope).set(iterator, { kind: 'iterator' });
    this.body({ ...ctx, scope }, content.body, nested, `${prefix}${name}.`);
  }

  private lifecycle(block: HclBlock, ctx: Context): void {
    for (const item of block.body) {
      const here = { ...ctx, line: item.line, argument: `lifecycle.${item.kind === 'attribute' ? item.name : item.type}` };
      if (item.kind === 'block' && (item.type === 'precondition' || item.type === 'postcondition')) {
        this.references(item.body, { ...here, scope: new Map(ctx.scope).set('self', { kind: 'iterator' }) });
      } else if (item.kind === 'attribute' && item.name === 'replace_triggered_by') this.expression(item, here);
      // ignore_changes names this resource's own arguments, not references; the rest are literals.
    }
  }

  /** Suggests the nearest name of a block's schema. */
  private nameHint(schema: SchemaBlock, name: string): string {
    const names = [...Object.keys(schema.attributes).filter((n) => !schema.attributes[n].computed), ...Object.keys(schema.blocks)];
    const near = names.filter((n) => distance(n, name) <= Math.max(2, Math.floor(name.length / 4)));
    return `no argument or block "${name}" in the provider's schema${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : ''}`;
  }

  // ---- literals ----

  /** Type and enum checks of a literal value (each branch of a conditional counts as one). */
  private literal(ast: Ast, ctx: Context, attribute: SchemaAttribute): void {
    for (const candidate of branches(ast)) {
      const problem = conforms(candidate, attribute.type);
      if (problem) {
        this.report(ctx, `${problem} (the argument is ${describe(attribute.type)})`);
        continue;
      }
      const text = stringLiteral(candidate);
      if (attribute.enum && text !== undefined && !attribute.enum.includes(text)) {
        this.report(ctx, `"${text}" is not one of the provider's values: ${attribute.enum.map((v) => `"${v}"`).join(', ')}`);
      }
    }
  }

  /** An argument set to `each.value...` (or a conditional of them): every instance's value must fit it. */
  private eachValue(ast: Ast, ctx: Context, attribute: SchemaAttribute): void {
    const each = ctx.scope.get('each');
    if (!each || each.kind !== 'each' || !each.instances) return;
    for (const candidate of branches(ast)) {
      const chain = toChain(candidate);
      if (!chain || chain.root !== 'each' || nameAt(chain.steps, 0) !== 'value') continue;
      for (const [key, value] of each.instances) {
        const found = follow(value, chain.steps.slice(1));
        if (!found.ok) continue; // Reported by the reference check.
        const problem = conformsValue(found.value, attribute.type);
        const text = chainText(chain.root, chain.steps);
        if (problem) {
          this.report(
            ctx,
            `${text} is ${JSON.stringify(found.value)} for ${JSON.stringify(key)}: ${problem} (the argument is ${describe(attribute.type)})`,
          );
          return;
        }
        if (attribute.enum && typeof found.value === 'string' && !attribute.enum.includes(found.value)) {
          this.report(
            ctx,
            `${text} is "${found.value}" for ${JSON.stringify(key)}, not one of the provider's values: ${attribute.enum.map((v) => `"${v}"`).join(', ')}`,
          );
          return;
        }
      }
    }
  }

  // ---- references ----

  /** Checks an attribute's references; returns its syntax tree (null when it does not parse). */
  private expression(item: HclAttribute, ctx: Context): Ast | null {
    const ast = this.asts.get(item.expression);
    if (ast instanceof Error) {
      this.report(ctx, `expression does not parse: ${ast.message}`);
      return null;
    }
    if (ast) this.walk(ast, ctx, ctx.scope);
    return ast ?? null;
  }

  private walk(node: Ast, ctx: Context, scope: Map<string, Binding>): void {
    if (node.type === 'for') {
      const [collection, ...rest] = node.children;
      this.walk(collection, ctx, scope);
      const inner = new Map(scope);
      const element = this.element(this.chainTarget(collection, ctx, scope, false));
      if (node.meta.keyVar) inner.set(node.meta.keyVar as string, { kind: 'iterator' });
      inner.set(node.meta.valVar as string, element ? { kind: 'value', target: element } : { kind: 'iterator' });
      for (const child of rest) this.walk(child, ctx, inner);
      return;
    }
    const chain = toChain(node);
    if (chain) {
      this.resolve(chain.root, chain.steps, ctx, scope, true);
      for (const side of chain.sides) this.walk(side, ctx, scope);
      return;
    }
    for (const child of node.children ?? []) this.walk(child, ctx, scope);
  }

  /** Where a traversal chain leads, without reporting (for binding `for` variables). */
  private chainTarget(node: Ast, ctx: Context, scope: Map<string, Binding>, report: boolean): Target {
    const chain = toChain(node);
    return chain ? this.resolve(chain.root, chain.steps, ctx, scope, report) : { kind: 'unknown' };
  }

  /** The element a `for` over this target iterates on: a resource's instances, a list of blocks... */
  private element(target: Target): Target | undefined {
    if (target.kind === 'many') return target.element;
    if (target.kind === 'type' && Array.isArray(target.type) && target.type[0] !== 'object') {
      return { kind: 'type', type: target.type[1], what: `an element of ${target.what}` };
    }
    return undefined;
  }

  /** Resolves `root.steps...`, reporting the first step that does not exist. */
  private resolve(root: string, steps: Step[], ctx: Context, scope: Map<string, Binding>, report: boolean): Target {
    const fail = (message: string): Target => {
      if (report) this.report(ctx, message);
      return { kind: 'unknown' };
    };
    const text = () => chainText(root, steps);
    const bound = scope.get(root);
    if (bound) {
      if (bound.kind === 'each') {
        const first = steps[0];
        const allowed = bound.repeat === 'count' ? ['index'] : ['key', 'value'];
        if (!first || !('name' in first) || !allowed.includes(first.name))
          return fail(`${text()}: ${root} has only ${allowed.join(' and ')}`);
        if (first.name === 'value' && bound.instances) {
          for (const [key, value] of bound.instances) {
            const found = follow(value, steps.slice(1));
            if (!found.ok) return fail(`${text()}: the for_each value for ${JSON.stringify(key)} ${found.why}`);
          }
        }
        return { kind: 'unknown' };
      }
      if (bound.kind === 'iterator') return { kind: 'unknown' };
      return this.walkSteps(bound.target, steps, text(), fail);
    }
    switch (root) {
      case 'var': {
        const name = nameAt(steps, 0);
        if (name !== undefined && !this.variables.has(name)) return fail(`${text()}: no variable "${name}" is declared`);
        return { kind: 'unknown' };
      }
      case 'local': {
        const name = nameAt(steps, 0);
        if (name !== undefined && !this.locals.has(name)) return fail(`${text()}: no local value "${name}" is declared`);
        return { kind: 'unknown' };
      }
      case 'each':
      case 'count':
        return fail(`${text()}: "${root}" is only available in a block with ${root === 'each' ? 'for_each' : 'count'}`);
      case 'data': {
        const type = nameAt(steps, 0);
        const name = nameAt(steps, 1);
        if (type === undefined || name === undefined) return { kind: 'unknown' };
        return this.instance(`data.${type}.${name}`, 'data', type, steps.slice(2), text(), fail);
      }
      case 'path':
      case 'terraform':
      case 'module':
      case 'self':
        return { kind: 'unknown' };
      default: {
        if (!PROVIDERS.some((p) => root.startsWith(`${p}_`))) return { kind: 'unknown' };
        const name = nameAt(steps, 0);
        if (name === undefined) return { kind: 'unknown' };
        return this.instance(`${root}.${name}`, 'resource', root, steps.slice(1), text(), fail);
      }
    }
  }

  private instance(
    address: string,
    kind: 'resource' | 'data',
    type: string,
    steps: Step[],
    text: string,
    fail: (m: string) => Target,
  ): Target {
    const declared = this.declared.get(address);
    if (!declared) return fail(`${text}: no ${kind === 'data' ? 'data source' : 'resource'} ${address} is declared`);
    const schema = this.schema[kind][type];
    if (!schema) return { kind: 'unknown' }; // Reported where it is declared.
    const one: Target = { kind: 'block', block: schema, what: address };
    const target: Target = declared.repeat
      ? {
          kind: 'many',
          element: one,
          indexable: true,
          key: declared.repeat === 'count' ? 'number' : 'string',
          what: address,
          hint: `${address} has ${declared.repeat}: pick an instance, ${address}[${declared.repeat === 'count' ? '0' : 'each.key'}].…`,
        }
      : one;
    return this.walkSteps(target, steps, text, fail);
  }

  private walkSteps(start: Target, steps: Step[], text: string, fail: (m: string) => Target): Target {
    let target = start;
    for (const step of steps) {
      if (target.kind === 'unknown') return target;
      if ('splat' in step) {
        target = target.kind === 'many' ? target.element : (this.element(target) ?? target);
        continue;
      }
      if (target.kind === 'many') {
        if ('name' in step) return fail(`${text}: ${target.hint}`);
        if (!target.indexable) return fail(`${text}: ${target.what} is a set: its elements have no index (use a for expression or one())`);
        if (typeof step.index === 'string' && target.key === 'number')
          return fail(`${text}: ${target.what} is indexed by number, not "${step.index}"`);
        target = target.element;
        continue;
      }
      if (target.kind === 'block') {
        if (!('name' in step)) return fail(`${text}: ${target.what} is a single object; it cannot be indexed`);
        const attribute = target.block.attributes[step.name];
        const nested = target.block.blocks[step.name];
        const what = `${target.what}.${step.name}`;
        if (attribute) target = { kind: 'type', type: attribute.type, what };
        else if (nested) {
          target = {
            kind: 'many',
            element: { kind: 'block', block: nested, what: `${what}[0]` },
            indexable: nested.nesting === 'list',
            key: 'number',
            what,
            hint: `${step.name} is a ${nested.nesting} of blocks${nested.maxItems === 1 ? ' (of at most one)' : ''}: write ${step.name}[0].…`,
          };
        } else return fail(`${text}: ${target.what} has no attribute "${step.name}"`);
        continue;
      }
      // A value of a Terraform type.
      const type = target.type;
      if (typeof type === 'string') {
        if (type === 'dynamic') return { kind: 'unknown' };
        return fail(`${text}: ${target.what} is a ${type}; it has no ${'name' in step ? `attribute "${step.name}"` : 'elements'}`);
      }
      const [collection, inner] = type;
      if (collection === 'object') {
        const field = 'name' in step ? step.name : typeof step.index === 'string' ? step.index : undefined;
        if (field === undefined) return { kind: 'unknown' };
        const fields = inner as Record<string, SchemaType>;
        if (!(field in fields)) return fail(`${text}: ${target.what} has no attribute "${field}"`);
        target = { kind: 'type', type: fields[field], what: `${target.what}.${field}` };
        continue;
      }
      if (collection === 'map') {
        target = { kind: 'type', type: inner as SchemaType, what: `${target.what}[…]` };
        continue;
      }
      if ('name' in step) return fail(`${text}: ${target.what} is a ${collection}: index it ([0]) before .${step.name}`);
      if (collection === 'set') return fail(`${text}: ${target.what} is a set: its elements have no index`);
      target = { kind: 'type', type: inner as SchemaType, what: `${target.what}[…]` };
    }
    return target;
  }
}

/**
 * Throws unless the outline of a file names the same arguments and blocks as hcl2json's parse of
 * it, in every resource and data block: the outline is this check's own scanner, and a scanner
 * that lost track of where an expression ends would silently check the wrong names.
 */
function agree(items: HclItem[], parsed: Parsed, file: string): void {
  const compare = (body: HclItem[], json: Record<string, unknown>, where: string): void => {
    const names = new Set(body.map((i) => (i.kind === 'attribute' ? i.name : i.type)));
    const keys = new Set(Object.keys(json));
    const ours = [...names].sort().join(', ');
    const theirs = [...keys].sort().join(', ');
    if (ours !== theirs)
      throw new Error(`${file}: ${where}: the outline finds ${ours || 'nothing'} where hcl2json finds ${theirs || 'nothing'}`);
    for (const type of names) {
      const blocks = body.filter((i): i is HclBlock => i.kind === 'block' && i.type === type && type !== 'dynamic');
      const parsedBlocks = json[type];
      if (blocks.length === 0 || !Array.isArray(parsedBlocks) || parsedBlocks.length !== blocks.length) continue;
      blocks.forEach((block, n) => compare(block.body, parsedBlocks[n] as Record<string, unknown>, `${where}.${type}`));
    }
  };
  const seen = new Map<string, number>();
  for (const item of items) {
    if (item.kind !== 'block' || (item.type !== 'resource' && item.type !== 'data')) continue;
    const [type, name] = item.labels;
    const key = `${item.type}.${type}.${name}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const json = parsed[item.type]?.[type]?.[name]?.[n];
    if (!json) throw new Error(`${file}: hcl2json finds no ${item.type} "${type}" "${name}"`);
    compare(item.body, json, `${type}.${name}`);
  }
}

/** A traversal chain: a root name and the steps after it, plus the expressions inside it (index keys) to walk on their own. */
interface Chain {
  root: string;
  steps: Step[];
  sides: Ast[];
}

function parts(node: Ast): Step[] {
  return ((node.meta.traversal ?? []) as { type: string; segment: string }[]).map((part) => {
    if (part.type === 'nameTraversal') return { name: part.segment };
    const segment = part.segment;
    if (/^-?\d+$/.test(segment)) return { index: Number(segment) };
    if (segment.startsWith('"')) return { index: JSON.parse(segment) as string };
    return { index: null };
  });
}

function toChain(node: Ast): Chain | undefined {
  switch (node.type) {
    case 'scopeTraversal': {
      const [first, ...steps] = parts(node);
      if (!first || !('name' in first)) return undefined;
      return { root: first.name, steps, sides: [] };
    }
    case 'index': {
      const [collection, key] = node.children;
      const chain = toChain(collection);
      if (!chain) return undefined;
      const literal = key ? stringLiteral(key) : undefined;
      const number = key?.type === 'literalValue' && key.meta.type === 'number' ? Number(key.meta.value) : undefined;
      chain.steps.push({ index: number ?? literal ?? null });
      if (key) chain.sides.push(key);
      return chain;
    }
    case 'relativeTraversal': {
      const chain = toChain(node.children[0]);
      if (!chain) return undefined;
      chain.steps.push(...parts(node));
      return chain;
    }
    case 'splat': {
      const [source, each] = node.children;
      const chain = toChain(source);
      if (!chain) return undefined;
      chain.steps.push({ splat: true });
      if (each?.type === 'relativeTraversal' && each.children[0]?.type === '') chain.steps.push(...parts(each));
      else if (each) chain.sides.push(each);
      return chain;
    }
    default:
      return undefined;
  }
}

function nameAt(steps: Step[], at: number): string | undefined {
  const step = steps[at];
  return step && 'name' in step ? step.name : undefined;
}

function chainText(root: string, steps: Step[]): string {
  return (
    root +
    steps
      .map((s) => ('name' in s ? `.${s.name}` : 'splat' in s ? '[*]' : s.index === null ? '[…]' : `[${JSON.stringify(s.index)}]`))
      .join('')
  );
}

/** The literal values an expression may take: itself, or each branch of a conditional (recursively). */
function branches(node: Ast): Ast[] {
  if (node.type === 'conditional') return [...branches(node.children[1]), ...branches(node.children[2])];
  if (node.type === '' && node.children.length === 1) return branches(node.children[0]);
  return [node];
}

/** A string literal's value: a template made of literal parts only (a quoted string or a heredoc). */
function stringLiteral(node: Ast): string | undefined {
  if (node.type !== 'template') return undefined;
  if (!node.children.every((c) => c.type === 'literalValue')) return undefined;
  return node.children.map((c) => c.meta.value as string).join('');
}

/** What a literal is, when it is one: Terraform's conversion rules decide whether it fits a type. */
type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'null' }
  | { kind: 'tuple'; items: Ast[] }
  | { kind: 'object'; values: Ast[] };

function literalOf(node: Ast): Literal | undefined {
  const text = stringLiteral(node);
  if (text !== undefined) return { kind: 'string', value: text };
  if (node.type === 'literalValue') {
    if (node.meta.type === 'number') return { kind: 'number' };
    if (node.meta.type === 'bool') return { kind: 'bool' };
    if (node.meta.value === 'null') return { kind: 'null' };
  }
  if (node.type === 'unaryOp' && node.meta.operator === 'negate' && node.children[0]?.type === 'literalValue') return { kind: 'number' };
  if (node.type === 'tuple') return { kind: 'tuple', items: node.children };
  // An object constructor's children alternate key, value.
  if (node.type === 'object') return { kind: 'object', values: node.children.filter((_, i) => i % 2 === 1) };
  return undefined;
}

/** Why a literal cannot be converted to the type, or undefined when it can (or is not a literal). */
function conforms(node: Ast, type: SchemaType): string | undefined {
  const literal = literalOf(node);
  if (!literal || literal.kind === 'null' || type === 'dynamic') return undefined;
  const shown =
    literal.kind === 'string'
      ? `"${literal.value}"`
      : literal.kind === 'tuple'
        ? 'a list'
        : literal.kind === 'object'
          ? 'an object'
          : `a ${literal.kind}`;
  if (type === 'string') return literal.kind === 'tuple' || literal.kind === 'object' ? `${shown} where a string is expected` : undefined;
  if (type === 'number') {
    if (literal.kind === 'number') return undefined;
    if (literal.kind === 'string' && literal.value.trim() !== '' && Number.isFinite(Number(literal.value))) return undefined;
    return `${shown} is not a number`;
  }
  if (type === 'bool') {
    if (literal.kind === 'bool') return undefined;
    if (literal.kind === 'string' && (literal.value === 'true' || literal.value === 'false')) return undefined;
    return `${shown} is not a bool`;
  }
  const [collection, inner] = type;
  if (collection === 'object') return literal.kind === 'object' ? undefined : `${shown} where an object is expected`;
  if (collection === 'map') {
    if (literal.kind !== 'object') return `${shown} where a map is expected`;
    return literal.values.map((v) => conforms(v, inner as SchemaType)).find(Boolean);
  }
  if (literal.kind !== 'tuple') return `${shown} where a ${collection} is expected`;
  return literal.items.map((v) => conforms(v, inner as SchemaType)).find(Boolean);
}

/** Follows traversal steps into an evaluated (JSON) value; a dynamic index stops the walk. */
function follow(value: unknown, steps: Step[]): { ok: true; value: unknown } | { ok: false; why: string } {
  let current = value;
  let path = 'each.value';
  for (const step of steps) {
    if ('splat' in step || ('index' in step && step.index === null)) return { ok: true, value: undefined };
    const key = 'name' in step ? step.name : step.index;
    const what = typeof key === 'number' ? `element [${key}]` : `attribute "${key}"`;
    if (current === null || typeof current !== 'object') return { ok: false, why: `has no ${what}: ${path} is ${JSON.stringify(current)}` };
    if (!(String(key) in current)) {
      const has = Object.keys(current).map((k) => `"${k}"`);
      return { ok: false, why: `has no ${what} (it has ${has.join(', ') || 'none'})` };
    }
    current = (current as Record<string, unknown>)[String(key)];
    path += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return { ok: true, value: current };
}

/** Why an evaluated value cannot be converted to the type (Terraform's conversions), or undefined. */
function conformsValue(value: unknown, type: SchemaType): string | undefined {
  if (value === null || value === undefined || type === 'dynamic') return undefined;
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (type === 'string') return scalar ? undefined : 'not a string';
  if (type === 'number') {
    if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))) return undefined;
    return 'not a number';
  }
  if (type === 'bool') return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'not a bool';
  const [collection, inner] = type;
  if (collection === 'object') return typeof value === 'object' && !Array.isArray(value) ? undefined : 'not an object';
  if (collection === 'map') {
    if (typeof value !== 'object' || Array.isArray(value)) return 'not a map';
    return Object.values(value)
      .map((v) => conformsValue(v, inner as SchemaType))
      .find(Boolean);
  }
  if (!Array.isArray(value)) return `not a ${collection}`;
  return value.map((v) => conformsValue(v, inner as SchemaType)).find(Boolean);
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The `*.tf` files of a directory, one configuration: name (relative to `relativeTo`) → text. */
export function readConfiguration(dir: string, relativeTo: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()) {
    files[path.relative(relativeTo, path.join(dir, file))] = fs.readFileSync(path.join(dir, file), 'utf8');
  }
  return files;
}

/** Checks every `*.tf` file of a directory as one configuration; file names in problems are relative to `relativeTo`. */
export async function checkDirectory(dir: string, relativeTo: string, evaluator?: Evaluator): Promise<Problem[]> {
  return new SchemaChecker(evaluator).check(readConfiguration(dir, relativeTo));
}
