import { isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar, YAMLMap } from 'yaml';
import {
  Assignment,
  AssignTarget,
  ForSpec,
  MapKey,
  Param,
  RetrySpec,
  Step,
  Subworkflow,
  SwitchCase,
  Template,
  WorkflowDefinition,
} from './ast';
import { DeployError, SourcePos } from './errors';
import { ExpressionSyntaxError } from './expressions/lexer';
import { Expr, parseExpression } from './expressions/parser';
import { setKey, Value, ValueMap } from './values';

/** The retry policies the language names (https://cloud.google.com/workflows/docs/reference/syntax/retrying). */
export const DEFAULT_RETRY_POLICIES: Record<string, string> = {
  'http.default_retry': 'http.default_retry_predicate',
  'http.default_retry_non_idempotent': 'http.default_retry_predicate_non_idempotent',
};
export const BUILTIN_PREDICATES = ['http.default_retry_predicate', 'http.default_retry_predicate_non_idempotent'];

/** The keys a step may have, and the step form each key starts. */
const STEP_KEYS = new Set([
  'assign',
  'call',
  'args',
  'result',
  'next',
  'switch',
  'for',
  'parallel',
  'raise',
  'return',
  'steps',
  'try',
  'retry',
  'except',
]);

/**
 * Parses workflow source (YAML or JSON) into a definition, refusing with a DeployError that names
 * the construct and its line anything malformed or not supported by this engine.
 */
export function parseWorkflow(source: string): WorkflowDefinition {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const lp = err.linePos?.[0];
    throw new DeployError(
      `YAML syntax error: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      lp ? { line: lp.line, column: lp.col } : undefined,
      'yaml',
    );
  }
  const p = new Parser(lc, doc);
  return p.workflow(doc.contents as Node | null);
}

class Parser {
  constructor(
    private lc: LineCounter,
    private doc: ReturnType<typeof parseDocument>,
  ) {}

  pos(node: Node | null | undefined): SourcePos {
    const off = node?.range?.[0] ?? 0;
    const lp = this.lc.linePos(off);
    return { line: lp.line, column: lp.col };
  }

  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  fail(message: string, node: Node | null | undefined, construct?: string): never {
    throw new DeployError(message, this.pos(node), construct);
  }

  /** A map node's entries as [key, keyNode, valueNode]. */
  entries(node: Node | null, what: string): [string, Node, Node | null][] {
    if (!isMap(node)) this.fail(`${what} must be a map`, node);
    return (node as YAMLMap).items.map((pair) => {
      const k = pair.key as Node;
      if (!isScalar(k) || typeof k.value !== 'string') this.fail(`${what}: keys must be strings`, k);
      return [(k as Scalar).value as string, k, this.resolve(pair.value)];
    });
  }

  workflow(root: Node | null): WorkflowDefinition {
    const subworkflows = new Map<string, Subworkflow>();
    if (isSeq(root)) {
      // A plain list of steps is the main workflow.
      subworkflows.set('main', { name: 'main', params: [], steps: this.steps(root, 'main'), pos: this.pos(root) });
    } else if (isMap(root)) {
      for (const [name, keyNode, body] of this.entries(root, 'workflow')) {
        subworkflows.set(name, this.subworkflow(name, keyNode, body));
      }
      if (!subworkflows.has('main')) this.fail('the workflow has no "main" block', root, 'main');
    } else {
      this.fail('a workflow must be a list of steps or a map of subworkflows', root);
    }
    return { subworkflows };
  }

  subworkflow(name: string, keyNode: Node, body: Node | null): Subworkflow {
    let params: Param[] = [];
    let steps: Step[] | undefined;
    for (const [k, kn, v] of this.entries(body, `subworkflow "${name}"`)) {
      if (k === 'params') params = this.params(v);
      else if (k === 'steps') steps = this.steps(v, name);
      else this.fail(`unsupported key "${k}" in subworkflow "${name}"`, kn, k);
    }
    if (!steps) this.fail(`subworkflow "${name}" has no steps`, keyNode, 'steps');
    if (name === 'main' && params.length > 1) this.fail('main accepts at most one parameter (the execution argument)', keyNode, 'params');
    return { name, params, steps, pos: this.pos(keyNode) };
  }

  params(node: Node | null): Param[] {
    if (!isSeq(node)) this.fail('params must be a list', node, 'params');
    return node.items.map((it) => {
      const n = this.resolve(it);
      if (isScalar(n) && typeof n.value === 'string') return { name: n.value };
      if (isMap(n) && n.items.length === 1) {
        const [[name, , v]] = this.entries(n, 'param');
        return { name, default: this.template(v) };
      }
      return this.fail('a param is a name or a one-key map {name: default}', n, 'params');
    });
  }

  steps(node: Node | null, where: string): Step[] {
    if (!isSeq(node)) this.fail(`steps of "${where}" must be a list`, node, 'steps');
    const seen = new Set<string>();
    return node.items.map((it) => {
      const n = this.resolve(it);
      if (!isMap(n) || n.items.length !== 1) this.fail('each step must be a map with exactly one key, the step name', n);
      const [[name, keyNode, body]] = this.entries(n, 'step');
      if (seen.has(name)) this.fail(`duplicate step name "${name}"`, keyNode);
      seen.add(name);
      return this.step(name, keyNode, body);
    });
  }

  step(name: string, keyNode: Node, body: Node | null): Step {
    const pos = this.pos(keyNode);
    const fields = new Map<string, [Node, Node | null]>();
    for (const [k, kn, v] of this.entries(body, `step "${name}"`)) {
      if (!STEP_KEYS.has(k)) this.fail(`step "${name}": unsupported construct "${k}"`, kn, k);
      fields.set(k, [kn, v]);
    }
    const has = (k: string): boolean => fields.has(k);
    const val = (k: string): Node | null => fields.get(k)![1];
    const allow = (...keys: string[]): void => {
      for (const [k, [kn]] of fields) {
        if (!keys.includes(k)) this.fail(`step "${name}": "${k}" cannot be combined with the other keys of this step`, kn, k);
      }
    };
    const next = has('next') ? this.name(val('next'), 'next') : undefined;
    const base = { name, pos, next };
    if (has('call')) {
      allow('call', 'args', 'result', 'next');
      const fnNode = val('call');
      const fn = this.name(fnNode, 'call');
      const args = has('args')
        ? this.entries(val('args'), `args of "${name}"`).map(([k, , v]): [string, Template] => [k, this.template(v)])
        : undefined;
      const result = has('result') ? this.name(val('result'), 'result') : undefined;
      return { ...base, kind: 'call', fn, args, result, fnPos: this.pos(fnNode) };
    }
    if (has('try')) {
      allow('try', 'retry', 'except', 'next');
      return {
        ...base,
        kind: 'try',
        body: this.tryBody(val('try'), name),
        retry: has('retry') ? this.retry(val('retry')) : undefined,
        except: has('except') ? this.except(val('except'), name) : undefined,
      };
    }
    if (has('switch')) {
      allow('switch', 'next');
      return { ...base, kind: 'switch', cases: this.switchCases(val('switch'), name) };
    }
    if (has('for')) {
      allow('for', 'next');
      return { ...base, kind: 'for', loop: this.forSpec(val('for'), fields.get('for')![0], name) };
    }
    if (has('parallel')) {
      allow('parallel', 'next');
      return this.parallel(base, val('parallel'), fields.get('parallel')![0]);
    }
    if (has('assign')) {
      allow('assign', 'next');
      return { ...base, kind: 'assign', assign: this.assignments(val('assign')) };
    }
    if (has('steps')) {
      allow('steps', 'next');
      return { ...base, kind: 'steps', steps: this.steps(val('steps'), name) };
    }
    if (has('raise')) {
      allow('raise');
      return { ...base, kind: 'raise', value: this.template(val('raise')) };
    }
    if (has('return')) {
      allow('return');
      return { ...base, kind: 'return', value: this.template(val('return')) };
    }
    if (has('next')) {
      allow('next');
      return { ...base, kind: 'next' };
    }
    const stray = [...fields.entries()][0];
    return this.fail(
      `step "${name}" has no action (assign, call, switch, for, parallel, raise, return, steps, try or next)`,
      stray ? stray[1][0] : keyNode,
    );
  }

  name(node: Node | null, what: string): string {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') this.fail(`"${what}" must be a name`, node, what);
    return (node as Scalar).value as string;
  }

  tryBody(node: Node | null, name: string): Step[] {
    // `try` holds either `steps: [...]` or the body of a single step (commonly a call).
    if (isMap(node) && node.items.length === 1 && isScalar(node.items[0].key) && (node.items[0].key as Scalar).value === 'steps') {
      return this.steps(this.resolve(node.items[0].value), name);
    }
    const keyNode = node as Node;
    return [this.step(name, keyNode, node)];
  }

  except(node: Node | null, name: string): { as?: string; steps: Step[] } {
    let as: string | undefined;
    let steps: Step[] | undefined;
    for (const [k, kn, v] of this.entries(node, `except of "${name}"`)) {
      if (k === 'as') as = this.name(v, 'as');
      else if (k === 'steps') steps = this.steps(v, name);
      else this.fail(`except: unsupported key "${k}"`, kn, k);
    }
    if (!steps) this.fail('except needs steps', node, 'except');
    return { as, steps };
  }

  retry(node: Node | null): RetrySpec {
    const pos = this.pos(node);
    if (isScalar(node) && typeof node.value === 'string') {
      const m = /^\$\{\s*([\w.]+)\s*\}$/.exec(node.value);
      const predicate = m ? DEFAULT_RETRY_POLICIES[m[1]] : undefined;
      if (!predicate)
        this.fail(
          `retry: unknown retry policy "${node.value}" (use \${http.default_retry}, \${http.default_retry_non_idempotent} or a map with a predicate)`,
          node,
          'retry',
        );
      // Documented: the default policies use max_retries 5 and retry.default_backoff (1 s, 60 s, x1.25).
      return { predicate, maxRetries: c(5n), initialDelay: c(1n), maxDelay: c(60n), multiplier: c(1.25), pos };
    }
    let predicate: string | undefined;
    let maxRetries: Template | undefined;
    const backoff: { initialDelay?: Template; maxDelay?: Template; multiplier?: Template } = {};
    for (const [k, kn, v] of this.entries(node, 'retry')) {
      if (k === 'predicate') {
        const m = isScalar(v) && typeof v.value === 'string' ? /^\$\{\s*([\w.]+)\s*\}$/.exec(v.value) : null;
        if (!m) this.fail('retry.predicate must be ${subworkflow_name} or ${http.default_retry_predicate...}', v, 'predicate');
        predicate = m[1];
      } else if (k === 'max_retries') maxRetries = this.template(v);
      else if (k === 'backoff') {
        for (const [bk, bkn, bv] of this.entries(v, 'backoff')) {
          if (bk === 'initial_delay') backoff.initialDelay = this.template(bv);
          else if (bk === 'max_delay') backoff.maxDelay = this.template(bv);
          else if (bk === 'multiplier') backoff.multiplier = this.template(bv);
          else this.fail(`backoff: unsupported key "${bk}"`, bkn, bk);
        }
      } else this.fail(`retry: unsupported key "${k}"`, kn, k);
    }
    if (!predicate) this.fail('retry needs a predicate', node, 'retry');
    if (!maxRetries) this.fail('retry needs max_retries', node, 'max_retries');
    if (!backoff.initialDelay || !backoff.maxDelay || !backoff.multiplier)
      this.fail('retry needs backoff with initial_delay, max_delay and multiplier', node, 'backoff');
    return { predicate, maxRetries, initialDelay: backoff.initialDelay, maxDelay: backoff.maxDelay, multiplier: backoff.multiplier, pos };
  }

  switchCases(node: Node | null, name: string): SwitchCase[] {
    if (!isSeq(node)) this.fail('switch must be a list of conditions', node, 'switch');
    return node.items.map((it) => {
      const n = this.resolve(it);
      const sc: Partial<SwitchCase> = { pos: this.pos(n) };
      for (const [k, kn, v] of this.entries(n, 'switch condition')) {
        if (k === 'condition') sc.condition = this.template(v);
        else if (k === 'next') sc.next = this.name(v, 'next');
        else if (k === 'steps') sc.steps = this.steps(v, name);
        else if (k === 'assign') sc.assign = this.assignments(v);
        else if (k === 'return') sc.ret = this.template(v);
        else if (k === 'raise') sc.raise = this.template(v);
        else this.fail(`switch condition: unsupported construct "${k}"`, kn, k);
      }
      if (!sc.condition) this.fail('switch entry without a condition', n, 'condition');
      return sc as SwitchCase;
    });
  }

  forSpec(node: Node | null, keyNode: Node, name: string): ForSpec {
    const spec: Partial<ForSpec> = { pos: this.pos(keyNode) };
    for (const [k, kn, v] of this.entries(node, 'for')) {
      if (k === 'value') spec.value = this.name(v, 'value');
      else if (k === 'index') spec.index = this.name(v, 'index');
      else if (k === 'in') spec.in = this.template(v);
      else if (k === 'range') spec.range = this.template(v);
      else if (k === 'steps') spec.steps = this.steps(v, name);
      else this.fail(`for: unsupported key "${k}"`, kn, k);
    }
    if (!spec.steps) this.fail('for needs steps', keyNode, 'for');
    if (!spec.value && !spec.index) this.fail('for needs value or index', keyNode, 'for');
    if ((spec.in ? 1 : 0) + (spec.range ? 1 : 0) !== 1) this.fail('for needs exactly one of "in" and "range"', keyNode, 'for');
    if (spec.range && spec.index) this.fail('for with range takes no index', keyNode, 'for');
    return spec as ForSpec;
  }

  parallel(base: { name: string; pos: SourcePos; next?: string }, node: Node | null, keyNode: Node): Step {
    let shared: string[] = [];
    let concurrencyLimit: Template | undefined;
    let branches: { name: string; steps: Step[]; pos: SourcePos }[] | undefined;
    let loop: ForSpec | undefined;
    for (const [k, kn, v] of this.entries(node, 'parallel')) {
      if (k === 'shared') {
        if (!isSeq(v)) this.fail('parallel.shared must be a list of variable names', v, 'shared');
        shared = v.items.map((x) => this.name(this.resolve(x), 'shared'));
      } else if (k === 'exception_policy') {
        // Documented: continueAll is the only policy Workflows supports.
        if (!isScalar(v) || v.value !== 'continueAll')
          this.fail(
            `parallel.exception_policy "${isScalar(v) ? String(v.value) : '?'}" is not supported (only continueAll)`,
            v,
            'exception_policy',
          );
      } else if (k === 'concurrency_limit') concurrencyLimit = this.template(v);
      else if (k === 'branches') {
        if (!isSeq(v)) this.fail('parallel.branches must be a list', v, 'branches');
        branches = v.items.map((b) => {
          const bn = this.resolve(b);
          if (!isMap(bn) || bn.items.length !== 1) this.fail('each branch is a map with one key, the branch name', bn, 'branches');
          const [[bname, bkn, bbody]] = this.entries(bn, 'branch');
          let steps: Step[] | undefined;
          for (const [bk, bkk, bv] of this.entries(bbody, `branch "${bname}"`)) {
            if (bk === 'steps') steps = this.steps(bv, bname);
            else this.fail(`branch "${bname}": unsupported key "${bk}"`, bkk, bk);
          }
          if (!steps) this.fail(`branch "${bname}" needs steps`, bkn, 'steps');
          return { name: bname, steps, pos: this.pos(bkn) };
        });
      } else if (k === 'for') loop = this.forSpec(v, kn, base.name);
      else this.fail(`parallel: unsupported key "${k}"`, kn, k);
    }
    if ((branches ? 1 : 0) + (loop ? 1 : 0) !== 1) this.fail('parallel needs exactly one of "branches" and "for"', keyNode, 'parallel');
    return { ...base, kind: 'parallel', shared, concurrencyLimit, branches, loop };
  }

  assignments(node: Node | null): Assignment[] {
    if (!isSeq(node)) this.fail('assign must be a list of one-key maps', node, 'assign');
    const out: Assignment[] = [];
    for (const it of node.items) {
      const n = this.resolve(it);
      if (!isMap(n)) this.fail('each assignment is a map {variable: value}', n, 'assign');
      for (const [k, kn, v] of this.entries(n, 'assignment')) {
        out.push({ target: this.target(k, kn), value: this.template(v), pos: this.pos(kn) });
      }
    }
    return out;
  }

  target(src: string, node: Node): AssignTarget {
    let e: Expr;
    try {
      e = parseExpression(src);
    } catch (err) {
      return this.fail(`invalid assignment target "${src}": ${(err as Error).message}`, node, 'assign');
    }
    const path: Expr[] = [];
    for (;;) {
      if (e.k === 'var') return { root: e.name, path: path.reverse(), src };
      if (e.k === 'member') {
        path.push({ k: 'lit', v: e.name });
        e = e.obj;
      } else if (e.k === 'index') {
        path.push(e.index);
        e = e.obj;
      } else return this.fail(`invalid assignment target "${src}"`, node, 'assign');
    }
  }

  /** Converts a YAML value into a Template; `${...}` strings become parsed expressions. */
  template(node: Node | null): Template {
    node = this.resolve(node);
    if (node === null) return c(null);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') return this.expression(v, node) ?? c(v);
      if (v === null || v === undefined) return c(null);
      if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return c(v);
      return this.fail(`unsupported YAML value ${String(v)}`, node);
    }
    if (isSeq(node)) {
      const items = node.items.map((x) => this.template(this.resolve(x)));
      return items.every((x) => x.k === 'const') ? c(items.map((x) => (x as { v: Value }).v)) : { k: 'list', items };
    }
    if (isMap(node)) {
      const entries = node.items.map((pair): [MapKey, Template] => [
        this.mapKey(pair.key as Node),
        this.template(this.resolve(pair.value)),
      ]);
      if (entries.every(([k, x]) => typeof k === 'string' && x.k === 'const')) {
        const m: ValueMap = {};
        for (const [k, x] of entries) setKey(m, k as string, (x as { v: Value }).v);
        return c(m);
      }
      return { k: 'map', entries };
    }
    return this.fail('unsupported YAML node', node);
  }

  /** A string that is entirely `${...}` as a parsed expression; undefined for any other text. */
  expression(text: string, node: Node): Extract<Template, { k: 'expr' }> | undefined {
    const m = /^\$\{([\s\S]*)\}$/.exec(text);
    if (!m) return undefined;
    try {
      return { k: 'expr', expr: parseExpression(m[1]), src: m[1], pos: this.pos(node) };
    } catch (err) {
      const off = err instanceof ExpressionSyntaxError ? ` at character ${err.pos + 1} of the expression` : '';
      return this.fail(`invalid expression \${${m[1]}}: ${(err as Error).message}${off}`, node, 'expression');
    }
  }

  /**
   * The key of a map value. Map keys are strings; a `${...}` key is evaluated with the map (the
   * syntax page's dynamic keys). A YAML integer key (`1: 10`, as in the iterate_map sample) is the
   * text of the number, as in the sample's JSON twin (`"1": 10`); other non-string keys (floats,
   * booleans, null, `0x10`) have no single documented text and are refused.
   */
  mapKey(k: Node): MapKey {
    if (!isScalar(k)) return this.fail('a map key must be a string', k, 'map key');
    if (typeof k.value === 'string') return this.expression(k.value, k) ?? k.value;
    const text = typeof k.source === 'string' ? k.source : String(k.value);
    if (typeof k.value === 'bigint' && /^-?(0|[1-9][0-9]*)$/.test(text)) return text;
    return this.fail(`map key ${text}: only string and decimal integer keys are supported; quote it ("${text}")`, k, 'map key');
  }
}

function c(v: Value): Template {
  return { k: 'const', v };
}
