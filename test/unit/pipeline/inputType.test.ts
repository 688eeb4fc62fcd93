import * as assert from 'node:assert/strict';
import { classifyInput, hasUpperCase, type InputType } from '../../../functions/pipeline/inputType';

describe("classifyInput: a query value's type from its literal form", () => {
  const cases: [string, InputType][] = [
    ['42', 'int'],
    ['-7', 'int'],
    ['+3', 'int'],
    ['0', 'int'],
    ['007', 'int'],
    ['1.5', 'float'],
    ['-0.5', 'float'],
    ['.5', 'float'],
    ['1e5', 'float'],
    ['2.0', 'float'],
    ['1.', 'float'],
    ['-1.5E-3', 'float'],
    ['+.5', 'float'],
    ['true', 'bool'],
    ['false', 'bool'],
    ['TRUE', 'bool'],
    ['False', 'bool'],
    ['tRuE', 'bool'],
    ['hello', 'string'],
    ['Hello', 'string'],
    ['1.2.3', 'string'],
    ['1e', 'string'],
    ['e5', 'string'],
    ['nan', 'string'],
    ['inf', 'string'],
    ['truthy', 'string'],
    [' 42', 'string'],
    ['42 ', 'string'],
    ['4_2', 'string'],
    ['0x1f', 'string'],
    ['-', 'string'],
    ['.', 'string'],
  ];
  for (const [text, type] of cases) it(`${JSON.stringify(text)} is ${type}`, () => assert.equal(classifyInput(text), type));
});

describe('hasUpperCase: any script', () => {
  const cases: [string, boolean][] = [
    ['hello', false],
    ['hello world_42!', false],
    ['héllo', false],
    ['straße', false],
    ['日本語', false],
    ['ǆ', false],
    ['Hello', true],
    ['helLo', true],
    ['ÉCOLE', true],
    ['Ωmega', true],
    ['привет Мир', true],
    ['ǅ', true],
  ];
  for (const [text, expected] of cases) it(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(hasUpperCase(text), expected));
});
