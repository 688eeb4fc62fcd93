import * as assert from 'node:assert/strict';
import { normaliseEmail } from '../../../functions/accounts/email';

describe('normaliseEmail', () => {
  const cases: [string, string][] = [
    ['ada@example.com', 'ada@example.com'],
    ['  Ada@Example.COM\t', 'Ada@example.com'],
    ['a@b@EXAMPLE.com', 'a@b@example.com'],
    ['no-at-sign', 'no-at-sign'],
  ];
  for (const [input, expected] of cases) it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(normaliseEmail(input), expected));
});
