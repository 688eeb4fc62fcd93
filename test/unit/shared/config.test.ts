import * as assert from 'node:assert/strict';
import { ConfigError, integer, requiredString, url } from '../../../functions/shared/config';

describe('config', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['CFG_TEST_A', 'CFG_TEST_N', 'CFG_TEST_URL']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('names the missing variable', () => {
    delete process.env.CFG_TEST_A;
    assert.throws(
      () => requiredString('CFG_TEST_A'),
      (err: Error) => err instanceof ConfigError && /CFG_TEST_A is required/.test(err.message),
    );
  });

  it('treats a blank value as missing', () => {
    process.env.CFG_TEST_A = '   ';
    assert.throws(() => requiredString('CFG_TEST_A'), /CFG_TEST_A/);
  });

  it('reads integers within range, with a default', () => {
    delete process.env.CFG_TEST_N;
    assert.equal(integer('CFG_TEST_N', { default: 16, min: 1, max: 100 }), 16);
    process.env.CFG_TEST_N = '42';
    assert.equal(integer('CFG_TEST_N', { min: 1, max: 100 }), 42);
  });

  const badIntegers = ['4.5', 'abc', '1e3', '0', '101'];
  for (const value of badIntegers) {
    it(`refuses ${JSON.stringify(value)} for an integer in 1..100, naming the variable`, () => {
      process.env.CFG_TEST_N = value;
      assert.throws(() => integer('CFG_TEST_N', { min: 1, max: 100 }), /CFG_TEST_N/);
    });
  }

  it('reads URLs without a trailing slash and refuses others', () => {
    process.env.CFG_TEST_URL = 'https://example.test/base/';
    assert.equal(url('CFG_TEST_URL'), 'https://example.test/base');
    process.env.CFG_TEST_URL = 'ftp://example.test';
    assert.throws(() => url('CFG_TEST_URL'), /CFG_TEST_URL must be an http/);
    process.env.CFG_TEST_URL = 'not a url';
    assert.throws(() => url('CFG_TEST_URL'), /CFG_TEST_URL must be an absolute URL/);
  });
});
