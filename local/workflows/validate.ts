import { Step, Template, WorkflowDefinition } from './ast';
import { DeployError, SourcePos } from './errors';
import { calledFunctions } from './expressions/parser';
import { BUILTIN_PREDICATES } from './parse';
import { checkScopes } from './scopes';
import { STDLIB } from './stdlib';
import { UNSUPPORTED_HTTP_ARGS } from './stdlib/http';

interface Ctx {
  sub: string;
  /** Step names visible to `next`: the current list and the lists around it. */
  visible: Set<string>[];
  inFor: boolean;
  inBranch: boolean;
  /** How many parallel steps enclose this list. */
  parallelDepth?: number;
  /** Directly inside a parallel for loop (where `break` is refused). */
  inParallelFor?: boolean;
}

/** Why a function name is refused, worded for the person who wrote the workflow. */
function unsupported(name: string): string {
  if (name.startsWith('googleapis.')) {
    return `connector "${name}" is not supported by the local Workflows engine (the connectors it runs are listed in local/workflows/README.md, "What runs")`;
  }
  if (name.startsWith('events.')) return `"${name}" (callbacks and events) is not supported by the local Workflows engine`;
  if (name.startsWith('experimental.')) return `experimental function "${name}" is not supported by the local Workflows engine`;
  return `unknown or unsupported function "${name}"`;
}

/**
 * Deploy-time checks the parser cannot make alone: every called function exists (or is refused
 * by name), `next` targets exist, `break`/`continue` sit in loops, blocking calls are not used in
 * expressions, and constructs the local engine does not run faithfully are refused.
 */
export function validateWorkflow(def: WorkflowDefinition): void {
  for (const sub of def.subworkflows.values()) {
    for (const p of sub.params) if (p.default) checkTemplate(def, p.default, sub.pos);
    checkSteps(def, sub.steps, { sub: sub.name, visible: [], inFor: false, inBranch: false });
  }
  checkScopes(def);
}

function fail(message: string, pos: SourcePos, construct: string): never {
  throw new DeployError(message, pos, construct);
}

function checkTemplate(def: WorkflowDefinition, t: Template | undefined, at: SourcePos): void {
  if (!t) return;
  if (t.k === 'list') return t.items.forEach((x) => checkTemplate(def, x, at));
  if (t.k === 'map')
    return t.entries.forEach(([k, x]) => {
      if (typeof k !== 'string') checkTemplate(def, k, at);
      checkTemplate(def, x, at);
    });
  if (t.k !== 'expr') return;
  for (const c of calledFunctions(t.expr)) {
    if (def.subworkflows.has(c.name)) continue;
    const f = STDLIB.get(c.name);
    if (!f) fail(`in expression \${${t.src}}: ${unsupported(c.name)}`, t.pos, c.name);
    if (f.blocking || f.rawArgs) fail(`in expression \${${t.src}}: ${c.name} is a blocking call; use it in a "call" step`, t.pos, c.name);
  }
}

function checkNext(next: string | undefined, ctx: Ctx, pos: SourcePos): void {
  if (next === undefined) return;
  if (next === 'end') {
    if (ctx.inBranch) fail('"next: end" inside a parallel branch is not supported by the local Workflows engine', pos, 'next');
    return;
  }
  if (next === 'break' || next === 'continue') {
    if (!ctx.inFor) fail(`"next: ${next}" is only allowed inside a for loop`, pos, 'next');
    if (next === 'break' && ctx.inParallelFor)
      fail('"next: break" inside a parallel for loop is not supported by the local Workflows engine', pos, 'next');
    return;
  }
  if (!ctx.visible.some((s) => s.has(next))) fail(`next: step "${next}" not found in "${ctx.sub}"`, pos, 'next');
}

/** Documented: `break` and `continue` are reserved jump targets in a loop, so no step may be named so. */
function checkLoopBody(steps: Step[]): void {
  for (const s of steps) {
    if (s.name === 'break' || s.name === 'continue') fail(`a step inside a for loop cannot be named "${s.name}"`, s.pos, s.name);
  }
}

function checkSteps(def: WorkflowDefinition, steps: Step[], outer: Ctx): void {
  const ctx: Ctx = { ...outer, visible: [new Set(steps.map((s) => s.name)), ...outer.visible] };
  for (const s of steps) {
    checkNext(s.next, ctx, s.pos);
    switch (s.kind) {
      case 'assign':
        s.assign.forEach((a) => checkTemplate(def, a.value, a.pos));
        break;
      case 'call': {
        const sub = def.subworkflows.get(s.fn);
        if (sub) {
          for (const [k] of s.args ?? []) {
            if (!sub.params.some((p) => p.name === k)) fail(`call ${s.fn}: unknown argument "${k}"`, s.fnPos, 'args');
          }
          for (const p of sub.params) {
            if (!p.default && !(s.args ?? []).some(([k]) => k === p.name))
              fail(`call ${s.fn}: missing required argument "${p.name}"`, s.fnPos, 'args');
          }
        } else {
          const f = STDLIB.get(s.fn);
          if (!f) fail(unsupported(s.fn), s.fnPos, s.fn);
          const problem = f.checkArgs?.(s.args ?? []);
          if (problem) fail(problem.message, s.fnPos, problem.arg);
          if (!f.rawArgs) {
            for (const [k] of s.args ?? []) {
              if (!f.params.includes(k)) fail(`call ${s.fn}: unknown argument "${k}"`, s.fnPos, 'args');
              if (s.fn.startsWith('http.') && UNSUPPORTED_HTTP_ARGS.includes(k))
                fail(`call ${s.fn}: argument "${k}" is not supported by the local Workflows engine`, s.fnPos, k);
            }
          }
        }
        (s.args ?? []).forEach(([, t]) => checkTemplate(def, t, s.pos));
        break;
      }
      case 'switch':
        for (const c of s.cases) {
          checkTemplate(def, c.condition, c.pos);
          c.assign?.forEach((a) => checkTemplate(def, a.value, a.pos));
          checkTemplate(def, c.ret, c.pos);
          checkTemplate(def, c.raise, c.pos);
          if (c.ret && ctx.inBranch)
            fail('"return" inside a parallel branch is not supported by the local Workflows engine', c.pos, 'return');
          checkNext(c.next, ctx, c.pos);
          if (c.steps) checkSteps(def, c.steps, ctx);
        }
        break;
      case 'for':
        checkTemplate(def, s.loop.in, s.loop.pos);
        checkTemplate(def, s.loop.range, s.loop.pos);
        checkLoopBody(s.loop.steps);
        // Documented: only jumps between steps of the same loop; never into or out of it.
        checkSteps(def, s.loop.steps, { ...ctx, visible: [], inFor: true, inParallelFor: false });
        break;
      case 'parallel':
        checkTemplate(def, s.concurrencyLimit, s.pos);
        // Documented limit: parallel steps nest at most two deep.
        if ((ctx.parallelDepth ?? 0) >= 2) fail('parallel steps nested more than two deep are not allowed', s.pos, 'parallel');
        for (const b of s.branches ?? [])
          checkSteps(def, b.steps, {
            sub: ctx.sub,
            visible: [],
            inFor: false,
            inBranch: true,
            inParallelFor: false,
            parallelDepth: (ctx.parallelDepth ?? 0) + 1,
          });
        if (s.loop) {
          checkLoopBody(s.loop.steps);
          checkTemplate(def, s.loop.in, s.loop.pos);
          checkTemplate(def, s.loop.range, s.loop.pos);
          checkSteps(def, s.loop.steps, {
            sub: ctx.sub,
            visible: [],
            inFor: true,
            inBranch: true,
            inParallelFor: true,
            parallelDepth: (ctx.parallelDepth ?? 0) + 1,
          });
        }
        break;
      case 'raise':
        checkTemplate(def, s.value, s.pos);
        break;
      case 'return':
        if (ctx.inBranch) fail('"return" inside a parallel branch is not supported by the local Workflows engine', s.pos, 'return');
        checkTemplate(def, s.value, s.pos);
        break;
      case 'steps':
        checkSteps(def, s.steps, ctx);
        break;
      case 'try':
        checkSteps(def, s.body, ctx);
        if (s.retry) {
          const p = s.retry.predicate;
          if (!BUILTIN_PREDICATES.includes(p)) {
            const sub = def.subworkflows.get(p);
            if (!sub) fail(`retry predicate "${p}" is not a subworkflow or a built-in predicate`, s.retry.pos, 'predicate');
            if (sub.params.length !== 1) fail(`retry predicate "${p}" must take exactly one parameter`, s.retry.pos, 'predicate');
          }
          [s.retry.maxRetries, s.retry.initialDelay, s.retry.maxDelay, s.retry.multiplier].forEach((t) =>
            checkTemplate(def, t, s.retry!.pos),
          );
        }
        if (s.except) checkSteps(def, s.except.steps, ctx);
        break;
      case 'next':
        break;
    }
  }
}
