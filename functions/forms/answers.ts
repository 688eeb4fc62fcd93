import { EMAIL_PATTERN } from '../accounts/schemas';
import { HttpError, type FieldError } from '../shared/errors';
import type { Answers, Question } from './model';

/**
 * Answers checked against a form's questions, strictly: `"12"` is not an integer (nor is `12.0`
 * as written: `decimals` holds the pointers of numbers the body wrote with a fraction or an
 * exponent), a choice is one of its options, a required question has an answer that is neither
 * null nor an empty string, and an id the form does not have is refused. Every problem is listed,
 * at `#/answers/<id>`.
 */
const EMAIL = new RegExp(EMAIL_PATTERN);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_TEXT = 10_000;

export function checkAnswers(questions: Question[], answers: Answers, decimals: Set<string> = new Set()): Answers {
  const errors: FieldError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const id of Object.keys(answers)) {
    if (!byId.has(id)) errors.push({ pointer: pointer(id), detail: 'is not a question of this form' });
  }
  const clean: Answers = {};
  for (const question of questions) {
    const value = answers[question.id];
    if (value === undefined || value === null || value === '') {
      if (question.required) errors.push({ pointer: pointer(question.id), detail: 'is required' });
      continue;
    }
    const problem = typeProblem(question, value, decimals.has(`/answers/${question.id}`));
    if (problem) errors.push({ pointer: pointer(question.id), detail: problem });
    else clean[question.id] = value;
  }
  if (errors.length > 0) {
    const summary = errors.map((e) => `${e.pointer.slice(2)}: ${e.detail}`).join('; ');
    throw new HttpError('validation_failed', `The answers are not valid: ${summary}.`, { errors });
  }
  return clean;
}

function pointer(id: string): string {
  return `#/answers/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function typeProblem(question: Question, value: unknown, writtenAsDecimal: boolean): string | undefined {
  switch (question.type) {
    case 'text':
      if (typeof value !== 'string') return 'must be a string';
      return value.length > MAX_TEXT ? `must be at most ${MAX_TEXT} characters` : undefined;
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'must be an integer';
      return writtenAsDecimal ? 'must be an integer, written without a fraction or exponent' : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'choice':
      if (typeof value !== 'string' || !question.options?.includes(value)) {
        return `must be one of ${(question.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
      }
      return undefined;
    case 'email':
      return typeof value === 'string' && value.length <= 320 && EMAIL.test(value) ? undefined : 'must be an email address';
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(value) : null;
      if (!m) return 'must be a date written YYYY-MM-DD';
      const date = new Date(`${value as string}T00:00:00Z`);
      const real = !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(m[3]) && date.getUTCMonth() + 1 === Number(m[2]);
      return real ? undefined : 'is not a calendar date';
    }
  }
}
