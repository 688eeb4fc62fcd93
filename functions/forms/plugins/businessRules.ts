import type { FieldError } from '../../shared/errors';
import type { JsonSchema } from '../../shared/validation';
import type { Answers } from '../model';
import { questionRef, type SyncPlugin } from './plugin';

/**
 * `business_rules` (sync): comparisons between two answers, or an answer and a constant
 * (`q_savings <= q_income`), each with the message the collector sees when it does not hold.
 * In `flag` mode the response is stored with the flags; in `reject` mode a broken rule refuses it.
 */
export const OPERATORS = ['<', '<=', '==', '!=', '>=', '>'] as const;
type Operator = (typeof OPERATORS)[number];

interface Rule {
  id: string;
  left: string;
  op: Operator;
  right: string | { value: unknown };
  message: string;
}

export const businessRulesConfigSchema: JsonSchema = {
  $id: 'BusinessRulesConfig',
  type: 'object',
  description: 'Rules checked on every response, in order. A rule whose either side is unanswered is not checked.',
  properties: {
    mode: {
      enum: ['flag', 'reject'],
      description: '`flag`: store the response and return the broken rules in its result. `reject`: answer 422 and store nothing.',
    },
    rules: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Names the rule in flags.' },
          left: { type: 'string', description: 'A question id.' },
          op: { enum: [...OPERATORS], description: 'Numbers compare as numbers; text and dates (YYYY-MM-DD) compare as text.' },
          right: {
            description: 'A question id, or `{"value": constant}`.',
            oneOf: [
              { type: 'string' },
              {
                type: 'object',
                properties: { value: { type: ['string', 'number', 'boolean'] } },
                required: ['value'],
                additionalProperties: false,
              },
            ],
          },
          message: { type: 'string', minLength: 1, maxLength: 500, description: 'What the collector is told when the rule does not hold.' },
        },
        required: ['id', 'left', 'op', 'right', 'message'],
        additionalProperties: false,
      },
    },
  },
  required: ['mode', 'rules'],
  additionalProperties: false,
  examples: [
    {
      mode: 'flag',
      rules: [{ id: 'savings_le_income', left: 'q_savings', op: '<=', right: 'q_income', message: 'Savings cannot exceed income.' }],
    },
  ],
};

/** The `results.<task id>` of a business_rules task. */
export const businessRulesResultSchema: JsonSchema = {
  $id: 'BusinessRulesResult',
  type: 'object',
  properties: {
    passed: { type: 'boolean', description: 'Every checked rule held.' },
    flags: {
      type: 'array',
      items: {
        type: 'object',
        properties: { rule: { type: 'string' }, message: { type: 'string' } },
        required: ['rule', 'message'],
      },
    },
  },
  required: ['passed', 'flags'],
  examples: [{ passed: false, flags: [{ rule: 'savings_le_income', message: 'Savings cannot exceed income.' }] }],
};

function compare(left: unknown, op: Operator, right: unknown): boolean {
  const a = left as number | string;
  const b = right as number | string;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
  }
}

function answered(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export const businessRules: SyncPlugin = {
  kind: 'sync',
  type: 'business_rules',
  description: 'Comparisons between answers, or an answer and a constant, each with a message; flag or reject.',
  configSchema: businessRulesConfigSchema,
  checkAgainstForm(config, form) {
    const errors: FieldError[] = [];
    const rules = config.rules as Rule[];
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.id)) errors.push({ pointer: `/rules/${i}/id`, detail: `repeats rule id ${rule.id}` });
      seen.add(rule.id);
      questionRef(form, rule.left, `/rules/${i}/left`, errors);
      if (typeof rule.right === 'string') questionRef(form, rule.right, `/rules/${i}/right`, errors);
    });
    return errors;
  },
  run(config, answers: Answers) {
    const flags: { rule: string; message: string }[] = [];
    for (const rule of config.rules as Rule[]) {
      const left = answers[rule.left];
      const right = typeof rule.right === 'string' ? answers[rule.right] : rule.right.value;
      if (!answered(left) || !answered(right)) continue;
      // Values of different kinds (a number against text) cannot be ordered meaningfully: the rule fails.
      const holds = typeof left === typeof right && compare(left, rule.op, right);
      if (!holds) flags.push({ rule: rule.id, message: rule.message });
    }
    return { result: { passed: flags.length === 0, flags }, reject: config.mode === 'reject' && flags.length > 0 };
  },
};
