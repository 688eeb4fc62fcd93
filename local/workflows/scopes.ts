import { Assignment, AssignTarget, Step, Subworkflow, Template, WorkflowDefinition } from './ast';
import { DeployError, SourcePos } from './errors';
import { Expr } from './expressions/parser';

/**
 * The variable-scope errors Workflows reports at deploy for parallel steps
 * (https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps, "Shared variables",
 * and its sample workflows-parallel-shared-variables): a branch assigning a variable of the
 * parent scope that the step does not list in `shared`, and a branch reading a variable that only
 * another branch assigns.
 *
 * The analysis follows the executor's scopes (executor.ts `Scope`): a subworkflow call, a `for`
 * loop and each parallel branch or iteration open a scope; `steps`, `switch` and `try` do not.
 * It refuses only what would fail at run time whenever the line runs: a parent variable counts
 * when it is assigned in the text before the parallel step, and a read counts as another branch's
 * only when nothing outside that branch (and nothing in the reading branch) ever assigns the name.
 */
export function checkScopes(def: WorkflowDefinition): void {
  for (const sub of def.subworkflows.values()) new ScopeWalk(sub).run();
}

interface Scope {
  defined: Set<string>;
  parent?: Scope;
  /** Set on a parallel branch's or iteration's scope: the parent variables it may assign. */
  shared?: Set<string>;
}

/** An enclosing parallel step with branches, seen from one of its branches. */
interface BranchContext {
  branch: string;
  /** Names each other branch assigns (anywhere inside it). */
  siblings: Map<string, Set<string>>;
  /** Names assigned anywhere in the reading branch. */
  own: Set<string>;
  /** Names assigned anywhere in the subworkflow outside this parallel step, and the params. */
  outside: Set<string>;
}

class ScopeWalk {
  private branches: BranchContext[] = [];

  constructor(private readonly sub: Subworkflow) {}

  run(): void {
    this.steps(this.sub.steps, { defined: new Set(this.sub.params.map((p) => p.name)) });
  }

  private steps(steps: Step[], scope: Scope): void {
    for (const s of steps) this.step(s, scope);
  }

  private step(s: Step, scope: Scope): void {
    switch (s.kind) {
      case 'assign':
        s.assign.forEach((a) => this.assignment(a, scope));
        break;
      case 'call':
        for (const [, t] of s.args ?? []) this.read(t, scope);
        if (s.result) this.write(s.result, scope, s.pos);
        break;
      case 'switch':
        for (const c of s.cases) {
          this.read(c.condition, scope);
          c.assign?.forEach((a) => this.assignment(a, scope));
          this.read(c.ret, scope);
          this.read(c.raise, scope);
          if (c.steps) this.steps(c.steps, scope);
        }
        break;
      case 'for': {
        this.read(s.loop.in, scope);
        this.read(s.loop.range, scope);
        const loop: Scope = { defined: new Set([s.loop.value, s.loop.index].filter((x): x is string => !!x)), parent: scope };
        this.steps(s.loop.steps, loop);
        break;
      }
      case 'parallel':
        this.parallel(s, scope);
        break;
      case 'raise':
      case 'return':
        this.read(s.value, scope);
        break;
      case 'steps':
        this.steps(s.steps, scope);
        break;
      case 'try':
        this.steps(s.body, scope);
        if (s.retry) [s.retry.maxRetries, s.retry.initialDelay, s.retry.maxDelay, s.retry.multiplier].forEach((t) => this.read(t, scope));
        if (s.except) {
          if (s.except.as) this.write(s.except.as, scope, s.pos);
          this.steps(s.except.steps, scope);
        }
        break;
      case 'next':
        break;
    }
  }

  private assignment(a: Assignment, scope: Scope): void {
    this.read(a.value, scope);
    for (const p of a.target.path) this.readExpr(p, scope, a.pos);
    this.write(a.target.root, scope, a.pos, a.target);
  }

  private parallel(s: Extract<Step, { kind: 'parallel' }>, scope: Scope): void {
    this.read(s.concurrencyLimit, scope);
    const shared = new Set(s.shared);
    if (s.loop) {
      this.read(s.loop.in, scope);
      this.read(s.loop.range, scope);
      const iteration: Scope = {
        defined: new Set([s.loop.value, s.loop.index].filter((x): x is string => !!x)),
        parent: scope,
        shared,
      };
      this.steps(s.loop.steps, iteration);
      return;
    }
    const branches = s.branches ?? [];
    const assignedIn = new Map(branches.map((b) => [b.name, assignedNames(b.steps)]));
    const outside = new Set([...this.sub.params.map((p) => p.name), ...assignedNames(this.sub.steps, s)]);
    for (const b of branches) {
      const siblings = new Map([...assignedIn].filter(([name]) => name !== b.name));
      this.branches.push({ branch: b.name, siblings, own: assignedIn.get(b.name)!, outside });
      this.steps(b.steps, { defined: new Set(), parent: scope, shared });
      this.branches.pop();
    }
  }

  /** Records an assignment to `name`, refusing one that crosses a branch boundary without `shared`. */
  private write(name: string, scope: Scope, pos: SourcePos, target?: AssignTarget): void {
    for (let sc: Scope | undefined = scope; sc; sc = sc.parent) {
      if (sc.defined.has(name)) return;
      if (sc.shared && !sc.shared.has(name) && isVisible(name, sc.parent)) {
        const what = target && target.src !== name ? `"${target.src}" (in "${name}")` : `"${name}"`;
        throw new DeployError(
          `a branch assigns ${what}, a variable of the parent scope that the parallel step does not list in "shared"`,
          pos,
          'shared',
        );
      }
    }
    scope.defined.add(name);
  }

  private read(t: Template | undefined, scope: Scope): void {
    if (!t || t.k === 'const') return;
    if (t.k === 'expr') return this.readExpr(t.expr, scope, t.pos);
    if (t.k === 'list') return t.items.forEach((x) => this.read(x, scope));
    for (const [k, x] of t.entries) {
      if (typeof k !== 'string') this.read(k, scope);
      this.read(x, scope);
    }
  }

  private readExpr(e: Expr, scope: Scope, pos: SourcePos): void {
    if (this.branches.length === 0) return;
    for (const name of variablesRead(e)) {
      if (isVisible(name, scope)) continue;
      for (const b of this.branches) {
        if (b.own.has(name) || b.outside.has(name)) continue;
        const other = [...b.siblings].find(([, names]) => names.has(name));
        if (other)
          throw new DeployError(
            `branch "${b.branch}" reads "${name}", which only branch "${other[0]}" assigns; a branch's variables are local to it`,
            pos,
            name,
          );
      }
    }
  }
}

function isVisible(name: string, scope: Scope | undefined): boolean {
  for (let sc = scope; sc; sc = sc.parent) if (sc.defined.has(name)) return true;
  return false;
}

/** Every name the steps assign (assign roots, call results, `except` variables), skipping the step `skip`. */
function assignedNames(steps: Step[], skip?: Step, out = new Set<string>()): Set<string> {
  for (const s of steps) {
    if (s === skip) continue;
    switch (s.kind) {
      case 'assign':
        s.assign.forEach((a) => out.add(a.target.root));
        break;
      case 'call':
        if (s.result) out.add(s.result);
        break;
      case 'switch':
        for (const c of s.cases) {
          c.assign?.forEach((a) => out.add(a.target.root));
          if (c.steps) assignedNames(c.steps, skip, out);
        }
        break;
      case 'for':
        assignedNames(s.loop.steps, skip, out);
        break;
      case 'parallel':
        s.branches?.forEach((b) => assignedNames(b.steps, skip, out));
        if (s.loop) assignedNames(s.loop.steps, skip, out);
        break;
      case 'steps':
        assignedNames(s.steps, skip, out);
        break;
      case 'try':
        assignedNames(s.body, skip, out);
        if (s.except?.as) out.add(s.except.as);
        if (s.except) assignedNames(s.except.steps, skip, out);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Names of the variables an expression reads. */
function variablesRead(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.k) {
    case 'var':
      out.add(e.name);
      break;
    case 'member':
      variablesRead(e.obj, out);
      break;
    case 'index':
      variablesRead(e.obj, out);
      variablesRead(e.index, out);
      break;
    case 'call':
      e.args.forEach((a) => variablesRead(a, out));
      break;
    case 'unary':
      variablesRead(e.e, out);
      break;
    case 'bin':
    case 'and':
    case 'or':
      variablesRead(e.l, out);
      variablesRead(e.r, out);
      break;
    case 'list':
      e.items.forEach((a) => variablesRead(a, out));
      break;
    case 'map':
      e.entries.forEach(([a, b]) => (variablesRead(a, out), variablesRead(b, out)));
      break;
    case 'lit':
      break;
  }
  return out;
}
