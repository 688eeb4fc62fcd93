import * as assert from 'node:assert/strict';
import {
  coerceScalar,
  formatFloatSeconds,
  formatIsoTimestamp,
  formatScalar,
  parseNumeric,
  parseTimestamp,
  scaleDecimal,
} from '../../../../local/bigquery/values';

describe('local BigQuery values', () => {
  describe('parseTimestamp', () => {
    const cases: [unknown, bigint | undefined][] = [
      ['2023-11-14T22:13:20Z', 1_700_000_000_000_000n],
      ['2023-11-14T22:13:20.000123456Z', 1_700_000_000_000_123n],
      ['2023-11-14 22:13:20.123456 UTC', 1_700_000_000_123_456n],
      ['2023-11-15 00:13:20+02:00', 1_700_000_000_000_000n],
      ['2023-11-14T17:13:20-05', 1_700_000_000_000_000n],
      ['2023-11-14', 1_699_920_000_000_000n],
      ['1970-01-01T00:00:00Z', 0n],
      ['1969-12-31T23:59:59.999999Z', -1n],
      ['0001-01-01T00:00:00Z', -62_135_596_800_000_000n],
      [1700000000.123456, 1_700_000_000_123_456n],
      ['1700000000', 1_700_000_000_000_000n],
      ['1.700000000123456E9', 1_700_000_000_123_456n],
      ['2023-02-30T00:00:00Z', undefined],
      ['2023-11-14T25:00:00Z', undefined],
      ['10000-01-01T00:00:00Z', undefined],
      ['yesterday', undefined],
      [true, undefined],
    ];
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseTimestamp(input), expected));
    }
  });

  describe('TIMESTAMP output formats', () => {
    const cases: [bigint, string, string][] = [
      [1_700_000_000_123_456n, '1.700000000123456E9', '2023-11-14T22:13:20.123456Z'],
      [1_700_000_000_000_000n, '1.7E9', '2023-11-14T22:13:20Z'],
      [0n, '0.0', '1970-01-01T00:00:00Z'],
      [1_500_000n, '1.5', '1970-01-01T00:00:01.5Z'],
      [-1n, '-1.0E-6', '1969-12-31T23:59:59.999999Z'],
      [-62_135_596_800_000_000n, '-6.21355968E10', '0001-01-01T00:00:00Z'],
    ];
    for (const [micros, float, iso] of cases) {
      it(`${micros} → ${float} / ${iso}`, () => {
        assert.equal(formatFloatSeconds(micros), float);
        assert.equal(formatIsoTimestamp(micros), iso);
        assert.equal(Math.round(Number.parseFloat(float) * 1e6), Number(micros));
      });
    }
    it('honours formatOptions like the REST API', () => {
      const micros = 1_700_000_000_123_456n;
      assert.equal(formatScalar('TIMESTAMP', micros), '1.700000000123456E9');
      assert.equal(formatScalar('TIMESTAMP', micros, { useInt64Timestamp: true }), '1700000000123456');
      assert.equal(formatScalar('TIMESTAMP', micros, { timestampOutputFormat: 'ISO8601_STRING' }), '2023-11-14T22:13:20.123456Z');
      assert.equal(formatScalar('TIMESTAMP', micros, { timestampOutputFormat: 'FLOAT64', useInt64Timestamp: true }), '1.700000000123456E9');
    });
  });

  describe('FLOAT64 output', () => {
    const cases: [number, string][] = [
      [1.5, '1.5'],
      [2, '2.0'],
      [-0.25, '-0.25'],
      [0, '0.0'],
      [0.001, '0.001'],
      [0.0001, '1.0E-4'],
      [1234567.5, '1234567.5'],
      [12345678, '1.2345678E7'],
      [1e21, '1.0E21'],
      [-1.5e-7, '-1.5E-7'],
      [Infinity, 'Infinity'],
    ];
    for (const [n, text] of cases) {
      it(`${n} → ${text}`, () => {
        assert.equal(formatScalar('FLOAT', n), text);
        assert.equal(Number(text), n);
      });
    }
  });

  describe('decimals', () => {
    it('scales and rounds half away from zero', () => {
      assert.equal(scaleDecimal('1.5', 6), 1_500_000n);
      assert.equal(scaleDecimal('-0.0000005', 6), -1n);
      assert.equal(scaleDecimal('1.7E9', 0), 1_700_000_000n);
      assert.equal(scaleDecimal('abc', 6), undefined);
    });
    it('canonicalises NUMERIC and enforces its 29+9 digits', () => {
      assert.equal(parseNumeric('001.500'), '1.5');
      assert.equal(parseNumeric(2), '2');
      assert.equal(parseNumeric('0.1234567895'), '0.12345679');
      assert.equal(parseNumeric('1' + '0'.repeat(29)), undefined);
    });
  });

  describe('coerceScalar', () => {
    const cases: [Parameters<typeof coerceScalar>[0], unknown, unknown][] = [
      ['STRING', 'a', 'a'],
      ['STRING', 42, '42'],
      ['INTEGER', 42, 42n],
      ['INTEGER', '-9223372036854775808', -9223372036854775808n],
      ['INTEGER', '9223372036854775808', undefined],
      ['INTEGER', 1.5, undefined],
      ['INTEGER', true, undefined],
      ['FLOAT', '2.5', 2.5],
      ['FLOAT', 'Infinity', Infinity],
      ['FLOAT', 'NaN', undefined],
      ['BOOLEAN', 'TRUE', 1],
      ['BOOLEAN', false, 0],
      ['BOOLEAN', 1, undefined],
      ['DATE', '2024-2-3', '2024-02-03'],
      ['DATE', '2024-02-30', undefined],
      ['JSON', { a: [1, 2] }, '{"a":[1,2]}'],
      ['JSON', ' {"a": 1} ', '{"a":1}'],
      ['JSON', '{oops', undefined],
      ['STRING', { a: 1 }, undefined],
    ];
    for (const [type, input, expected] of cases) {
      it(`${type} ${JSON.stringify(input)} → ${String(expected)}`, () => {
        const out = coerceScalar(type, input);
        assert.deepEqual(out.ok ? out.value : undefined, expected);
      });
    }
  });
});
