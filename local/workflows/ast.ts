import { Expr } from './expressions/parser';
import { SourcePos } from './errors';
import { Value } from './values';

/**
 * A value as written in the workflow source: constants, `${...}` expressions (a string is an
 * expression only when it is entirely `${...}`; Workflows has no string interpolation), and
 * lists/maps of those.
 */
export type Template =
  | { k: 'const'; v: Value }
  | { k: 'expr'; expr: Expr; src: string; pos: SourcePos }
  | { k: 'list'; items: Template[] }
  | { k: 'map'; entries: [MapKey, Template][] };

/**
 * A key of a map written in the source: literal text, or a `${...}` expression evaluated when the
 * map is (https://cloud.google.com/workflows/docs/reference/syntax/maps, "dynamic keys").
 */
export type MapKey = string | Extract<Template, { k: 'expr' }>;

/** The left side of an assignment: `a`, `a.b`, `a["k"]`, `l[0]`, `a.b[i].c`. */
export interface AssignTarget {
  root: string;
  /** Keys (string literals) and indexes (expressions), in order. */
  path: Expr[];
  src: string;
}

export interface Assignment {
  target: AssignTarget;
  value: Template;
  pos: SourcePos;
}

export interface RetrySpec {
  /** A built-in predicate (`http.default_retry_predicate`, ...) or a subworkflow name. */
  predicate: string;
  maxRetries: Template;
  initialDelay: Template;
  maxDelay: Template;
  multiplier: Template;
  pos: SourcePos;
}

export interface SwitchCase {
  condition: Template;
  next?: string;
  steps?: Step[];
  assign?: Assignment[];
  ret?: Template;
  raise?: Template;
  pos: SourcePos;
}

export interface ForSpec {
  value?: string;
  index?: string;
  in?: Template;
  range?: Template;
  steps: Step[];
  pos: SourcePos;
}

interface StepBase {
  name: string;
  pos: SourcePos;
  next?: string;
}

/** One named step; `kind` says which of the mutually exclusive forms it is. */
export type Step = StepBase &
  (
    | { kind: 'assign'; assign: Assignment[] }
    | { kind: 'call'; fn: string; args?: [string, Template][]; result?: string; fnPos: SourcePos }
    | { kind: 'switch'; cases: SwitchCase[] }
    | { kind: 'for'; loop: ForSpec }
    | {
        kind: 'parallel';
        shared: string[];
        concurrencyLimit?: Template;
        branches?: { name: string; steps: Step[]; pos: SourcePos }[];
        loop?: ForSpec;
      }
    | { kind: 'raise'; value: Template }
    | { kind: 'return'; value: Template }
    | { kind: 'steps'; steps: Step[] }
    | { kind: 'try'; body: Step[]; retry?: RetrySpec; except?: { as?: string; steps: Step[] } }
    | { kind: 'next' }
  );

export interface Param {
  name: string;
  default?: Template;
}

export interface Subworkflow {
  name: string;
  params: Param[];
  steps: Step[];
  pos: SourcePos;
}

/** A parsed, validated workflow definition. */
export interface WorkflowDefinition {
  subworkflows: Map<string, Subworkflow>;
}
