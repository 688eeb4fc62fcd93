import * as assert from 'node:assert/strict';
import { checkRow } from '../../../../local/bigquery/insertAll';
import { normalizeSchema } from '../../../../local/bigquery/schema';

describe('local BigQuery insertAll row checks', () => {
  const schema = normalizeSchema([
    { name: 'name', type: 'STRING', mode: 'REQUIRED' },
    { name: 'count', type: 'INT64' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'at', type: 'TIMESTAMP' },
  ]);

  const cases: { name: string; row: unknown; ignoreUnknown?: boolean; errors?: [string, RegExp][] }[] = [
    { name: 'a complete row', row: { name: 'a', count: 1, tags: ['x'], at: '2024-01-01T00:00:00Z' } },
    { name: 'nullable fields left out', row: { name: 'a' } },
    { name: 'field names in another letter case', row: { NAME: 'a', Count: '7' } },
    { name: 'an unknown field', row: { name: 'a', colour: 'red' }, errors: [['colour', /^no such field: colour\.$/]] },
    { name: 'an unknown field when ignored', row: { name: 'a', colour: 'red' }, ignoreUnknown: true },
    { name: 'a missing REQUIRED field', row: { count: 1 }, errors: [['name', /^Missing required field: name\.$/]] },
    { name: 'a null REQUIRED field', row: { name: null }, errors: [['name', /^Missing required field: name\.$/]] },
    { name: 'a wrong type', row: { name: 'a', count: 'many' }, errors: [['count', /integer/]] },
    { name: 'a bad timestamp', row: { name: 'a', at: 'noon' }, errors: [['at', /timestamp/]] },
    { name: 'a scalar for a REPEATED field', row: { name: 'a', tags: 'x' }, errors: [['tags', /repeated/]] },
    { name: 'an array for a scalar field', row: { name: ['a'] }, errors: [['name', /non-repeated/]] },
    { name: 'a null inside an array', row: { name: 'a', tags: ['x', null] }, errors: [['tags[1]', /Null value/]] },
    {
      name: 'several problems at once',
      row: { count: 1.5, extra: 1 },
      errors: [
        ['extra', /no such field/],
        ['name', /Missing required/],
        ['count', /integer/],
      ],
    },
    { name: 'a row that is not an object', row: 'a', errors: [['', /JSON object/]] },
  ];

  for (const c of cases) {
    it(`${c.errors ? 'rejects' : 'accepts'} ${c.name}`, () => {
      const out = checkRow(schema, c.row, c.ignoreUnknown ?? false);
      if (!c.errors) {
        assert.ok(out.ok, out.ok ? '' : JSON.stringify(out.errors));
        return;
      }
      assert.ok(!out.ok);
      assert.equal(out.errors.length, c.errors.length, JSON.stringify(out.errors));
      out.errors.forEach((e, i) => {
        assert.equal(e.reason, 'invalid');
        assert.equal(e.location, c.errors![i]![0]);
        assert.match(e.message, c.errors![i]![1]);
      });
    });
  }

  it('stores REPEATED values as a JSON array of texts and missing arrays as []', () => {
    const out = checkRow(schema, { name: 'a', tags: ['x', 'y'] }, false);
    assert.ok(out.ok);
    assert.deepEqual(out.values, ['a', null, '["x","y"]', null]);
    const empty = checkRow(schema, { name: 'a' }, false);
    assert.ok(empty.ok);
    assert.equal(empty.values[2], '[]');
  });
});
