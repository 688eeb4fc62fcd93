import * as assert from 'node:assert/strict';
import { HttpError } from '../../../functions/shared/errors';
import { problemFor } from '../../../functions/shared/http/problem';
import { MAX_LISTED_ERRORS, validator } from '../../../functions/shared/validation';

describe('validator', () => {
  const validate = validator<{ n: number }>({
    type: 'object',
    properties: { n: { type: 'integer' } },
    required: ['n'],
    additionalProperties: false,
  });

  function failure(data: unknown): HttpError {
    try {
      validate(data);
    } catch (err) {
      if (err instanceof HttpError) return err;
      throw err;
    }
    return assert.fail('expected a validation failure');
  }

  it('lists every violation when there are few', () => {
    const err = failure({ a: 1, b: 2 });
    assert.deepEqual(err.options.errors?.map((e) => e.pointer).sort(), ['#/a', '#/b', '#/n']);
    assert.doesNotMatch(err.detail, /more/);
  });

  it('lists at most MAX_LISTED_ERRORS violations and counts the rest: 8,000 unknown keys make a small problem', () => {
    const body = Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`k${i}`, i]));
    const err = failure({ n: 1, ...body });
    assert.equal(err.options.errors?.length, MAX_LISTED_ERRORS);
    assert.match(err.detail, new RegExp(`; and ${8000 - MAX_LISTED_ERRORS} more\\.$`));
    const size = JSON.stringify(problemFor(err.code, err.detail, err.status, err.options.errors)).length;
    assert.ok(size < 4096, `problem is ${size} bytes`);
  });
});
