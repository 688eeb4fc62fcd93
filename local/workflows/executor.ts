import { Assignment, AssignTarget, ForSpec, RetrySpec, Step, Subworkflow, Template, WorkflowDefinition } from './ast';
import { CancelledError, SourcePos, wfError, WorkflowError } from './errors';
import { evaluate, EvalEnv, getIndex } from './expressions/evaluate';
import { calledFunctions, CallExpr, Expr } from './expressions/parser';
import { BUILTIN_PREDICATES } from './parse';
import { STDLIB } from './stdlib';
import { bindNamedArgs, CallContext, checkArity } from './stdlib/registry';
import { deepCopy, isMap, setKey, typeName, Value, ValueMap } from './values';

/** Documented limit on nested subworkflow calls (https://cloud.google.com/workflows/quotas). */
export const MAX_CALL_DEPTH = 20;

/** How many steps run between two yields to the event loop. */
const YIELD_EVERY_STEPS = 500;

/** One frame of an error's stack trace, innermost first. */
export interface TraceElement {
  step: string;
  routine: string;
  position: SourcePos;
}

/** Observers of a running execution (for `status.currentSteps` and step counts). */
export interface ExecutionHooks {
  /** A step starts; `thread` names the parallel branch running it ('' outside parallel steps). */
  onStep?(routine: string, step: string, thread: string): void;
  /** A parallel branch or iteration ended. */
  onThreadEnd?(thread: string): void;
}

type Flow = undefined | { t: 'jump'; target: string } | { t: 'return'; v: Value } | { t: 'break' } | { t: 'continue' };

/**
 * Variables of one subworkflow call. Loops and parallel branches open child scopes: variables
 * first assigned there stay there (documented for `for`), and a branch may write a parent
 * variable only when it is listed in `shared`.
 */
class Scope {
  readonly vars = new Map<string, Value>();
  constructor(
    readonly parent?: Scope,
    readonly shared?: Set<string>,
  ) {}
}

interface Frame {
  routine: string;
  scope: Scope;
  depth: number;
  /** Inside a parallel branch (nested parallel steps are limited; return is refused there). */
  inBranch: boolean;
  /** The expression environment of this frame, made once (it is on the hot path). */
  env?: EvalEnv;
  /** Which parallel branch runs this frame ('' outside parallel steps), for `status.currentSteps`. */
  thread: string;
}

const traces = new WeakMap<WorkflowError, TraceElement[]>();

/** The stack trace recorded on an error as it left the steps. */
export function traceOf(e: WorkflowError): TraceElement[] {
  return traces.get(e) ?? [];
}

const stepIndexes = new WeakMap<Step[], Map<string, number>>();
function indexOf(steps: Step[]): Map<string, number> {
  let m = stepIndexes.get(steps);
  if (!m) {
    m = new Map(steps.map((s, i) => [s.name, i]));
    stepIndexes.set(steps, m);
  }
  return m;
}

// Both caches depend only on the deployed definition (an expression or template node belongs to
// exactly one), so they are shared by every execution of it.
const subCallCache = new WeakMap<Expr, CallExpr[]>();
const asyncTemplates = new WeakMap<Template, boolean>();

/** Subworkflow calls inside an expression, innermost first (they run before the rest is evaluated). */
function subCalls(e: Expr, def: WorkflowDefinition): CallExpr[] {
  let out = subCallCache.get(e);
  if (!out) {
    out = calledFunctions(e).filter((c) => def.subworkflows.has(c.name));
    subCallCache.set(e, out);
  }
  return out;
}

/** True when evaluating the template calls a subworkflow (and so must await). */
function isAsync(t: Template, def: WorkflowDefinition): boolean {
  let r = asyncTemplates.get(t);
  if (r === undefined) {
    r =
      t.k === 'expr'
        ? subCalls(t.expr, def).length > 0
        : t.k === 'list'
          ? t.items.some((x) => isAsync(x, def))
          : t.k === 'map'
            ? t.entries.some(([k, x]) => (typeof k !== 'string' && isAsync(k, def)) || isAsync(x, def))
            : false;
    asyncTemplates.set(t, r);
  }
  return r;
}

/** A dynamic map key's value: keys are strings, as in a map written in an expression. */
function mapKey(v: Value): string {
  if (typeof v !== 'string') throw wfError('TypeError', `map keys must be strings, got ${typeName(v)}`);
  return v;
}

function nextFlow(next: string): Flow {
  if (next === 'end') return { t: 'return', v: null };
  if (next === 'break') return { t: 'break' };
  if (next === 'continue') return { t: 'continue' };
  return { t: 'jump', target: next };
}

/** Runs parsed workflow definitions. One Executor serves one execution. */
export class Executor {
  private stepsSinceYield = 0;

  constructor(
    private readonly def: WorkflowDefinition,
    private readonly ctx: CallContext,
    private readonly hooks: ExecutionHooks = {},
  ) {}

  /** Runs `main` with the execution argument; resolves to the result or rejects with a WorkflowError / CancelledError. */
  async run(argument: Value): Promise<Value> {
    const main = this.def.subworkflows.get('main')!;
    const args: Value[] = main.params.length ? [argument] : [];
    return this.callSubworkflow(main, args, undefined, 0, '');
  }

  private async callSubworkflow(
    sub: Subworkflow,
    positional: Value[],
    named: ValueMap | undefined,
    depth: number,
    thread: string,
  ): Promise<Value> {
    if (depth > MAX_CALL_DEPTH) throw wfError('RecursionError', `maximum recursion depth (${MAX_CALL_DEPTH}) exceeded calling ${sub.name}`);
    const scope = new Scope();
    const fr: Frame = { routine: sub.name, scope, depth, inBranch: false, thread };
    if (named) {
      for (const k of Object.keys(named)) {
        if (!sub.params.some((p) => p.name === k)) throw wfError('TypeError', `${sub.name}: unexpected argument '${k}'`);
      }
    }
    if (positional.length > sub.params.length)
      throw wfError('TypeError', `${sub.name}: takes ${sub.params.length} arguments, got ${positional.length}`);
    for (let i = 0; i < sub.params.length; i++) {
      const p = sub.params[i];
      let v: Value | undefined = named ? named[p.name] : positional[i];
      if (v === undefined) {
        if (p.default !== undefined) v = await this.evalTemplate(p.default, fr);
        else if (sub.name === 'main') v = null;
        else throw wfError('TypeError', `${sub.name}: missing required argument '${p.name}'`);
      }
      scope.vars.set(p.name, deepCopy(v));
    }
    const flow = await this.runSteps(sub.steps, fr);
    if (flow?.t === 'return') return flow.v;
    if (flow?.t === 'jump') throw wfError('TypeError', `next: step "${flow.target}" not found in ${sub.name}`);
    return null;
  }

  private async runSteps(steps: Step[], fr: Frame): Promise<Flow> {
    const index = indexOf(steps);
    let i = 0;
    while (i < steps.length) {
      const step = steps[i];
      let flow = await this.runStep(step, fr);
      if (flow === undefined && step.next !== undefined) flow = nextFlow(step.next);
      if (flow === undefined) {
        i++;
        continue;
      }
      if (flow.t === 'jump') {
        const j = index.get(flow.target);
        if (j !== undefined) {
          i = j;
          continue;
        }
      }
      return flow;
    }
    return undefined;
  }

  private async runStep(step: Step, fr: Frame): Promise<Flow> {
    // Steps that never block only chain resolved promises, which starve timers and I/O; yield to
    // the event loop now and then so a tight loop cannot freeze the API (or its own cancel).
    if (++this.stepsSinceYield >= YIELD_EVERY_STEPS) {
      this.stepsSinceYield = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
    if (this.ctx.signal.aborted) throw new CancelledError();
    this.hooks.onStep?.(fr.routine, step.name, fr.thread);
    try {
      return await this.execute(step, fr);
    } catch (e) {
      if (e instanceof WorkflowError) {
        const t = traces.get(e) ?? [];
        if (!t.some((x) => x.routine === fr.routine && x.step === step.name))
          t.push({ step: step.name, routine: fr.routine, position: step.pos });
        traces.set(e, t);
        throw e;
      }
      if (e instanceof CancelledError || (e as Error)?.name === 'AbortError') throw e instanceof CancelledError ? e : new CancelledError();
      // A bug in the engine must not look like a workflow error the workflow could catch and hide.
      throw e;
    }
  }

  private async execute(step: Step, fr: Frame): Promise<Flow> {
    switch (step.kind) {
      case 'assign': {
        const pending = this.assignAll(step.assign, fr);
        if (pending) await pending;
        return undefined;
      }
      case 'call': {
        const v = await this.call(step.fn, step.args, fr);
        if (step.result) this.setVar(step.result, v, fr);
        return undefined;
      }
      case 'switch':
        for (const c of step.cases) {
          const cond = await this.evalTemplate(c.condition, fr);
          if (typeof cond !== 'boolean') throw wfError('TypeError', `switch condition must be a boolean, got ${typeName(cond)}`);
          if (!cond) continue;
          if (c.assign) await this.assignAll(c.assign, fr);
          if (c.steps) {
            const flow = await this.runSteps(c.steps, fr);
            if (flow) return flow;
          }
          if (c.ret) return { t: 'return', v: await this.evalTemplate(c.ret, fr) };
          if (c.raise) throw new WorkflowError(await this.evalTemplate(c.raise, fr));
          if (c.next) return nextFlow(c.next);
          return undefined;
        }
        return undefined;
      case 'for':
        return this.runFor(step.loop, fr);
      case 'parallel':
        await this.runParallel(step, fr);
        return undefined;
      case 'raise':
        throw new WorkflowError(await this.evalTemplate(step.value, fr));
      case 'return':
        return { t: 'return', v: await this.evalTemplate(step.value, fr) };
      case 'steps':
        return this.runSteps(step.steps, fr);
      case 'try':
        return this.runTry(step, fr);
      case 'next':
        return undefined;
    }
  }

  // ---- calls ----

  private async call(fn: string, args: [string, Template][] | undefined, fr: Frame): Promise<Value> {
    const named: ValueMap = {};
    for (const [k, t] of args ?? []) setKey(named, k, await this.evalTemplate(t, fr));
    const sub = this.def.subworkflows.get(fn);
    if (sub) return this.callSubworkflow(sub, [], named, fr.depth + 1, fr.thread);
    const f = STDLIB.get(fn);
    if (!f) throw wfError('TypeError', `unknown function ${fn}`);
    const positional = f.rawArgs ? [named] : bindNamedArgs(f, named);
    return this.guard(() => f.fn(positional, this.ctx));
  }

  /** Runs a library function, turning an unexpected JS exception into a SystemError map. */
  private async guard(run: () => Value | Promise<Value>): Promise<Value> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof WorkflowError || e instanceof CancelledError) throw e;
      if (this.ctx.signal.aborted) throw new CancelledError();
      throw wfError('SystemError', `internal error: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  // ---- loops ----

  private async loopItems(loop: ForSpec, fr: Frame): Promise<Value[]> {
    if (loop.in) {
      const list = await this.evalTemplate(loop.in, fr);
      if (!Array.isArray(list)) throw wfError('TypeError', `for: "in" must be a list, got ${typeName(list)}`);
      return list;
    }
    const r = await this.evalTemplate(loop.range!, fr);
    if (!Array.isArray(r) || r.length !== 2) throw wfError('TypeError', 'for: range must be a list of two numbers [start, end]');
    const [a, b] = r;
    const out: Value[] = [];
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      for (let x = a; x <= b; x++) out.push(x);
    } else if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
      for (let x = Number(a); x <= Number(b); x++) out.push(x);
    } else throw wfError('TypeError', 'for: range bounds must be numbers');
    return out;
  }

  private async runFor(loop: ForSpec, fr: Frame): Promise<Flow> {
    const items = await this.loopItems(loop, fr);
    const scope = new Scope(fr.scope);
    const inner: Frame = { ...fr, scope, env: undefined };
    for (let i = 0; i < items.length; i++) {
      if (loop.value) scope.vars.set(loop.value, deepCopy(items[i]));
      if (loop.index) scope.vars.set(loop.index, BigInt(i));
      const flow = await this.runSteps(loop.steps, inner);
      if (flow === undefined || flow.t === 'continue') continue;
      if (flow.t === 'break') break;
      return flow;
    }
    return undefined;
  }

  // ---- parallel ----

  private async runParallel(step: Extract<Step, { kind: 'parallel' }>, fr: Frame): Promise<void> {
    const shared = new Set(step.shared);
    for (const name of shared) {
      if (!this.hasVar(name, fr.scope)) throw wfError('KeyError', `shared variable "${name}" must be assigned before the parallel step`);
    }
    let limit = Infinity;
    if (step.concurrencyLimit) {
      const l = await this.evalTemplate(step.concurrencyLimit, fr);
      if (typeof l !== 'bigint' || l < 1n) throw wfError('ValueError', 'concurrency_limit must be a positive integer');
      limit = Number(l);
    }
    type Task = { id: string; run: (f: Frame) => Promise<Flow>; init?: (s: Scope) => void };
    const tasks: Task[] = [];
    if (step.branches) {
      for (const b of step.branches) tasks.push({ id: b.name, run: (f) => this.runSteps(b.steps, f) });
    } else {
      const loop = step.loop!;
      const items = await this.loopItems(loop, fr);
      items.forEach((item, i) =>
        tasks.push({
          id: String(i),
          init: (s) => {
            if (loop.value) s.vars.set(loop.value, deepCopy(item));
            if (loop.index) s.vars.set(loop.index, BigInt(i));
          },
          run: (f) => this.runSteps(loop.steps, f),
        }),
      );
    }
    const failures: { id: string; error: Value }[] = [];
    let cancelled: unknown;
    let nextTask = 0;
    const worker = async (): Promise<void> => {
      while (nextTask < tasks.length) {
        const task = tasks[nextTask++];
        const scope = new Scope(fr.scope, shared);
        task.init?.(scope);
        const thread = `${fr.thread}/${step.name}[${task.id}]`;
        try {
          const flow = await task.run({ ...fr, scope, inBranch: true, env: undefined, thread });
          this.hooks.onThreadEnd?.(thread);
          if (flow?.t === 'break') throw wfError('TypeError', 'break is not allowed in a parallel for loop');
          if (flow?.t === 'jump') throw wfError('TypeError', `next: cannot jump out of a parallel branch to "${flow.target}"`);
          if (flow?.t === 'return') throw wfError('TypeError', 'return is not allowed inside a parallel branch');
        } catch (e) {
          this.hooks.onThreadEnd?.(thread);
          // Documented exception_policy continueAll: other branches keep running.
          if (e instanceof WorkflowError) failures.push({ id: task.id, error: e.payload });
          else cancelled = cancelled ?? e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, Math.max(tasks.length, 1)) }, worker));
    if (cancelled) throw cancelled;
    if (failures.length) {
      throw wfError(
        'UnhandledBranchError',
        'UnhandledBranchError: One or more branches or iterations encountered an unhandled runtime error',
        {
          branches: failures.map((f) => ({ id: f.id, error: f.error })),
        },
      );
    }
  }

  // ---- try / retry / except ----

  private async runTry(step: Extract<Step, { kind: 'try' }>, fr: Frame): Promise<Flow> {
    let attempt = 0;
    let delayS = 0;
    for (;;) {
      try {
        return await this.runSteps(step.body, fr);
      } catch (e) {
        if (!(e instanceof WorkflowError)) throw e;
        if (step.retry) {
          const policy = await this.retryPolicy(step.retry, fr);
          if (attempt < policy.maxRetries && (await this.shouldRetry(step.retry.predicate, e.payload, fr))) {
            delayS = attempt === 0 ? policy.initialDelay : Math.min(delayS * policy.multiplier, policy.maxDelay);
            delayS = Math.min(delayS, policy.maxDelay);
            attempt++;
            await this.ctx.clock.sleep(delayS * 1000, this.ctx.signal).catch(() => {
              throw new CancelledError();
            });
            continue;
          }
        }
        if (!step.except) throw e;
        if (step.except.as) this.setVar(step.except.as, e.payload, fr);
        return this.runSteps(step.except.steps, fr);
      }
    }
  }

  private async retryPolicy(
    r: RetrySpec,
    fr: Frame,
  ): Promise<{ maxRetries: number; initialDelay: number; maxDelay: number; multiplier: number }> {
    const num = async (t: Template, what: string): Promise<number> => {
      const v = await this.evalTemplate(t, fr);
      if (typeof v !== 'bigint' && typeof v !== 'number') throw wfError('TypeError', `retry: ${what} must be a number`);
      return Number(v);
    };
    const p = {
      maxRetries: await num(r.maxRetries, 'max_retries'),
      initialDelay: await num(r.initialDelay, 'initial_delay'),
      maxDelay: await num(r.maxDelay, 'max_delay'),
      multiplier: await num(r.multiplier, 'multiplier'),
    };
    if (p.maxRetries < 0 || p.initialDelay < 0 || p.maxDelay < 0 || p.multiplier < 1)
      throw wfError('ValueError', 'retry: invalid max_retries or backoff values');
    return p;
  }

  private async shouldRetry(predicate: string, payload: Value, fr: Frame): Promise<boolean> {
    // The built-in predicates (http.default_retry_predicate...) are library functions; they win
    // over a subworkflow of the same name.
    const builtin = BUILTIN_PREDICATES.includes(predicate) ? STDLIB.get(predicate) : undefined;
    const sub = builtin ? undefined : this.def.subworkflows.get(predicate);
    if (!builtin && !sub) throw wfError('TypeError', `retry predicate ${predicate} not found`);
    const v = builtin
      ? await this.guard(() => builtin.fn([payload], this.ctx))
      : await this.callSubworkflow(sub!, [payload], undefined, fr.depth + 1, fr.thread);
    if (typeof v !== 'boolean') throw wfError('TypeError', `retry predicate ${predicate} must return a boolean, got ${typeName(v)}`);
    return v;
  }

  // ---- variables ----

  private hasVar(name: string, scope: Scope | undefined): boolean {
    for (let s = scope; s; s = s.parent) if (s.vars.has(name)) return true;
    return false;
  }

  private lookup(name: string, fr: Frame): Value {
    for (let s: Scope | undefined = fr.scope; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined || s.vars.has(name)) return v as Value;
    }
    throw wfError('KeyError', `variable not found: ${name}`);
  }

  /** The scope that owns `name` for writing, enforcing `shared` at parallel-branch boundaries. */
  private owner(name: string, fr: Frame): Scope | undefined {
    for (let s: Scope | undefined = fr.scope; s; s = s.parent) {
      if (s.vars.has(name)) return s;
      if (s.shared && !s.shared.has(name) && this.hasVar(name, s.parent)) {
        throw wfError('TypeError', `variable "${name}" belongs to the parent scope; list it in the parallel step's "shared" to assign it`);
      }
    }
    return undefined;
  }

  /** Stores a copy: the value may be a constant of the parsed workflow, shared by every execution. */
  private setVar(name: string, v: Value, fr: Frame): void {
    (this.owner(name, fr) ?? fr.scope).vars.set(name, deepCopy(v));
  }

  /**
   * Runs assignments in order. Each evaluates and writes with no await in between (unless it calls
   * a subworkflow), so concurrent parallel branches never lose an update to a shared variable
   * (Workflows makes assignments atomic).
   */
  private assignAll(list: Assignment[], fr: Frame, from = 0): Promise<void> | undefined {
    for (let i = from; i < list.length; i++) {
      const a = list[i];
      // Synchronous unless a value calls a subworkflow: an assign step is the hot path.
      if (isAsync(a.value, this.def)) {
        return this.evalTemplate(a.value, fr).then((v) => {
          this.assign(a.target, v, fr);
          return this.assignAll(list, fr, i + 1);
        });
      }
      this.assign(a.target, this.evalNow(a.value, fr), fr);
    }
    return undefined;
  }

  /** Stores a copy of `v` (see setVar) at the target. */
  private assign(t: AssignTarget, value: Value, fr: Frame): void {
    if (t.path.length === 0) return this.setVar(t.root, value, fr);
    const v = deepCopy(value);
    const owner = this.owner(t.root, fr);
    if (!owner) throw wfError('KeyError', `variable not found: ${t.root}`);
    const env = this.env(fr);
    let cur = owner.vars.get(t.root) as Value;
    for (let i = 0; i < t.path.length; i++) {
      const key = evaluate(t.path[i], env);
      const last = i === t.path.length - 1;
      if (isMap(cur)) {
        if (typeof key !== 'string') throw wfError('TypeError', `map keys must be strings, not ${typeName(key)}`);
        if (last) setKey(cur, key, v);
        else {
          // Documented: assigning a.b.c creates the intermediate maps a.b when missing.
          if (!Object.prototype.hasOwnProperty.call(cur, key) || cur[key] === null) setKey(cur, key, {});
          cur = cur[key];
        }
      } else if (Array.isArray(cur)) {
        getIndex(cur, key); // raises TypeError / IndexError as reading would
        if (last) cur[Number(key)] = v;
        else cur = cur[Number(key)];
      } else {
        throw wfError('TypeError', `cannot assign into ${typeName(cur)} (${t.src})`);
      }
    }
  }

  // ---- expressions ----

  private env(fr: Frame, precomputed?: Map<Expr, Value>): EvalEnv {
    if (!precomputed && fr.env) return fr.env;
    const env: EvalEnv = {
      lookup: (name) => this.lookup(name, fr),
      callFunction: (name, args, node) => {
        if (precomputed?.has(node)) return precomputed.get(node)!;
        const f = STDLIB.get(name);
        if (!f || f.blocking || f.rawArgs) throw wfError('TypeError', `function ${name} cannot be called in an expression`);
        checkArity(f, args);
        try {
          const r = f.fn(args, this.ctx);
          if (r instanceof Promise) throw wfError('TypeError', `function ${name} cannot be called in an expression`);
          return r;
        } catch (e) {
          if (e instanceof WorkflowError) throw e;
          throw wfError('SystemError', `internal error in ${name}: ${(e as Error)?.message}`);
        }
      },
    };
    if (!precomputed) fr.env = env;
    return env;
  }

  private async evalExpr(e: Expr, fr: Frame): Promise<Value> {
    const calls = subCalls(e, this.def);
    if (calls.length === 0) return evaluate(e, this.env(fr));
    const pre = new Map<Expr, Value>();
    const env = this.env(fr, pre);
    for (const c of calls) {
      const args = c.args.map((a) => evaluate(a, env));
      pre.set(c, await this.callSubworkflow(this.def.subworkflows.get(c.name)!, args, undefined, fr.depth + 1, fr.thread));
    }
    return evaluate(e, env);
  }

  /** Synchronous evaluation, for templates without subworkflow calls. */
  private evalNow(t: Template, fr: Frame): Value {
    switch (t.k) {
      case 'const':
        return t.v;
      case 'expr':
        return evaluate(t.expr, this.env(fr));
      case 'list':
        return t.items.map((x) => this.evalNow(x, fr));
      case 'map': {
        const out: ValueMap = {};
        for (const [k, x] of t.entries) setKey(out, typeof k === 'string' ? k : mapKey(this.evalNow(k, fr)), this.evalNow(x, fr));
        return out;
      }
    }
  }

  private async evalTemplate(t: Template, fr: Frame): Promise<Value> {
    if (!isAsync(t, this.def)) return this.evalNow(t, fr);
    switch (t.k) {
      case 'const':
        return t.v;
      case 'expr':
        return this.evalExpr(t.expr, fr);
      case 'list': {
        const out: Value[] = [];
        for (const x of t.items) out.push(await this.evalTemplate(x, fr));
        return out;
      }
      case 'map': {
        const out: ValueMap = {};
        for (const [k, x] of t.entries) {
          const key = typeof k === 'string' ? k : mapKey(await this.evalTemplate(k, fr));
          setKey(out, key, await this.evalTemplate(x, fr));
        }
        return out;
      }
    }
  }
}
