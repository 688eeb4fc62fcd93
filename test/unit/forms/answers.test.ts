import * as assert from 'node:assert/strict';
import { checkAnswers } from '../../../functions/forms/answers';
import type { Question } from '../../../functions/forms/model';
import { HttpError } from '../../../functions/shared/errors';

const questions: Question[] = [
  { id: 'q_text', type: 'text', label: 'Text' },
  { id: 'q_int', type: 'integer', label: 'Integer', required: true },
  { id: 'q_num', type: 'number', label: 'Number' },
  { id: 'q_choice', type: 'choice', label: 'Choice', options: ['a', 'b'] },
  { id: 'q_email', type: 'email', label: 'Email' },
  { id: 'q_date', type: 'date', label: 'Date' },
];

function pointersOf(answers: Record<string, unknown>, decimals?: Set<string>): string[] {
  try {
    checkAnswers(questions, answers, decimals);
    return [];
  } catch (err) {
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 400);
    return (err.options.errors ?? []).map((e) => e.pointer);
  }
}

/** Answers against questions: strict types, options, required, unknown ids; every problem at its pointer. */
describe('forms: answers', () => {
  it('accepts answers of the right types and drops empty optional ones', () => {
    const clean = checkAnswers(questions, { q_text: 'x', q_int: 12, q_num: 1.5, q_choice: 'a', q_email: 'a@b.c', q_date: '2024-02-29' });
    assert.deepEqual(clean, { q_text: 'x', q_int: 12, q_num: 1.5, q_choice: 'a', q_email: 'a@b.c', q_date: '2024-02-29' });
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ['"12" is not an integer', { q_int: '12' }, ['#/answers/q_int']],
    ['12.5 is not an integer', { q_int: 12.5 }, ['#/answers/q_int']],
    ['a required answer may not be missing', {}, ['#/answers/q_int']],
    ['nor null, nor empty', { q_int: null, q_text: '' }, ['#/answers/q_int']],
    ['a number must be a number', { q_int: 1, q_num: '1.5' }, ['#/answers/q_num']],
    ['a choice comes from its options', { q_int: 1, q_choice: 'c' }, ['#/answers/q_choice']],
    ['an email has an @', { q_int: 1, q_email: 'nobody' }, ['#/answers/q_email']],
    ['a date is YYYY-MM-DD and real', { q_int: 1, q_date: '2023-02-29' }, ['#/answers/q_date']],
    ['a date is not a timestamp', { q_int: 1, q_date: '2023-02-01T00:00:00Z' }, ['#/answers/q_date']],
    ['text is a string', { q_int: 1, q_text: 5 }, ['#/answers/q_text']],
    ['an unknown question is refused', { q_int: 1, q_other: 'x' }, ['#/answers/q_other']],
    ['every problem is listed', { q_int: 'x', q_choice: 'z', q_other: 1 }, ['#/answers/q_other', '#/answers/q_int', '#/answers/q_choice']],
  ];
  for (const [name, answers, pointers] of cases) {
    it(name, () => assert.deepEqual(pointersOf(answers), pointers));
  }

  it('refuses 4.0 where an integer is required when the body wrote it so', () => {
    assert.deepEqual(pointersOf({ q_int: 4 }, new Set(['/answers/q_int'])), ['#/answers/q_int']);
  });
});
