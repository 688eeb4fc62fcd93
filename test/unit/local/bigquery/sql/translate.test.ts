import * as assert from 'node:assert/strict';
import { Catalog } from '../../../../../local/bigquery/catalog';
import { SqlDatabase } from '../../../../../local/bigquery/database';
import { BigQueryError } from '../../../../../local/bigquery/errors';
import { insertAll } from '../../../../../local/bigquery/insertAll';
import { Jobs } from '../../../../../local/bigquery/jobs';

const P = 'proj';

/**
 * Runs queries through `jobs.query` against a small `shop.orders` table and compares the
 * REST rows (`f`/`v` strings), so each case states exactly what a client would receive.
 */
describe('local BigQuery SQL translation', () => {
  let db: SqlDatabase;
  let jobs: Jobs;

  before(async () => {
    db = await SqlDatabase.open();
    const catalog = new Catalog(db);
    jobs = new Jobs(catalog);
    catalog.createDataset(P, { datasetReference: { datasetId: 'shop' } });
    const orders = catalog.createTable(P, 'shop', {
      tableReference: { tableId: 'orders' },
      schema: {
        fields: [
          { name: 'id', type: 'INT64', mode: 'REQUIRED' },
          { name: 'customer', type: 'STRING' },
          { name: 'amount', type: 'FLOAT64' },
          { name: 'paid', type: 'BOOL' },
          { name: 'ts', type: 'TIMESTAMP' },
          { name: 'price', type: 'NUMERIC' },
          { name: 'day', type: 'DATE' },
          { name: 'meta', type: 'JSON' },
          { name: 'tags', type: 'STRING', mode: 'REPEATED' },
        ],
      },
    });
    const rows = [
      {
        id: 1,
        customer: 'ann',
        amount: 10.5,
        paid: true,
        ts: '2024-01-01T00:00:00Z',
        price: '1.50',
        day: '2024-01-01',
        meta: { a: 1 },
        tags: ['x', 'y'],
      },
      { id: 2, customer: 'bob', amount: 3, paid: false, ts: '2024-01-02T00:00:00.000001Z', price: 2, day: '2024-01-02', tags: [] },
      { id: 3, customer: 'ann', amount: null, paid: null, ts: null },
      { id: 9007199254740993n.toString(), customer: "o'neil", amount: -1 },
    ];
    insertAll(catalog, orders, { rows: rows.map((json) => ({ json })) });
  });

  after(() => db.close());

  const T = '`proj.shop.orders`';
  type Case = {
    query: string;
    params?: object;
    rows?: (string | null | object)[][];
    fields?: string[];
    types?: string[];
    defaultDataset?: object;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const run = (c: Case): any =>
    jobs.query(P, {
      query: c.query,
      useLegacySql: false,
      ...(c.params ?? {}),
      ...(c.defaultDataset ? { defaultDataset: c.defaultDataset } : {}),
    });
  const named = (values: Record<string, [string, unknown]>): object => ({
    parameterMode: 'NAMED',
    queryParameters: Object.entries(values).map(([name, [type, value]]) => ({ name, parameterType: { type }, parameterValue: { value } })),
  });

  const supported: Case[] = [
    { query: `SELECT id FROM ${T} ORDER BY id`, rows: [['1'], ['2'], ['3'], ['9007199254740993']] },
    { query: `SELECT customer, id FROM ${T} WHERE customer = 'ann' AND id > 1`, rows: [['ann', '3']], fields: ['customer', 'id'] },
    { query: 'SELECT COUNT(*) FROM shop.orders', rows: [['4']], fields: ['f0_'], types: ['INTEGER'] },
    { query: 'SELECT COUNT(*) AS n FROM orders', defaultDataset: { datasetId: 'shop' }, rows: [['4']], fields: ['n'] },
    {
      query: `SELECT COUNT(amount) AS n, COUNT(DISTINCT customer) AS c, MIN(ts) AS first, MAX(amount) AS top, SUM(id) AS s, AVG(amount) AS avg FROM ${T} WHERE id < 3`,
      rows: [['2', '2', '1.7040672E9', '10.5', '3', '6.75']],
      types: ['INTEGER', 'INTEGER', 'TIMESTAMP', 'FLOAT', 'INTEGER', 'FLOAT'],
    },
    {
      query: `SELECT id FROM ${T} WHERE customer = @who ORDER BY id DESC`,
      params: named({ who: ['STRING', 'ann'] }),
      rows: [['3'], ['1']],
    },
    { query: `SELECT id FROM ${T} WHERE customer = @WHO`, params: named({ who: ['STRING', "o'neil"] }), rows: [['9007199254740993']] },
    {
      query: `SELECT id FROM ${T} WHERE id = ? OR customer = ?`,
      params: {
        parameterMode: 'POSITIONAL',
        queryParameters: [
          { parameterType: { type: 'INT64' }, parameterValue: { value: '2' } },
          { parameterType: { type: 'STRING' }, parameterValue: { value: 'nobody' } },
        ],
      },
      rows: [['2']],
    },
    {
      query: `SELECT id FROM ${T} WHERE ts >= @since ORDER BY ts`,
      params: named({ since: ['TIMESTAMP', '2024-01-01 12:00:00+00'] }),
      rows: [['2']],
    },
    { query: `SELECT id FROM ${T} WHERE ts > '2024-01-02' ORDER BY id`, rows: [['2']] },
    { query: `SELECT id FROM ${T} WHERE ts = TIMESTAMP '2024-01-01 00:00:00 UTC'`, rows: [['1']] },
    { query: `SELECT id FROM ${T} WHERE day = '2024-01-02'`, rows: [['2']] },
    { query: `SELECT id FROM ${T} WHERE price = 2`, rows: [['2']] },
    { query: `SELECT id FROM ${T} WHERE price = '1.5'`, rows: [['1']] },
    { query: `SELECT id FROM ${T} WHERE paid`, rows: [['1']] },
    { query: `SELECT id FROM ${T} WHERE NOT paid OR paid IS NULL ORDER BY id`, rows: [['2'], ['3'], ['9007199254740993']] },
    {
      query: `SELECT id FROM ${T} WHERE amount IS NOT NULL AND (amount < 0 OR amount >= 10) ORDER BY amount`,
      rows: [['9007199254740993'], ['1']],
    },
    { query: `SELECT id FROM ${T} WHERE amount != 3 AND amount <> 10.5`, rows: [['9007199254740993']] },
    { query: `SELECT id FROM ${T} WHERE customer = NULL`, rows: [] },
    { query: `SELECT DISTINCT customer FROM ${T} ORDER BY customer LIMIT 2`, rows: [['ann'], ['bob']] },
    { query: `SELECT id AS k FROM ${T} ORDER BY k DESC LIMIT 2 OFFSET 1`, rows: [['3'], ['2']] },
    { query: `SELECT id, customer FROM ${T} ORDER BY 2, 1 DESC LIMIT 2`, rows: [['3'], ['1']].map(([id]) => [id!, 'ann']) },
    { query: `SELECT id FROM ${T} LIMIT @n`, params: named({ n: ['INT64', 1] }), rows: [['1']] },
    { query: `SELECT o.id FROM ${T} AS o WHERE o.id = 1`, rows: [['1']], fields: ['id'] },
    {
      query: 'SELECT orders.paid, price, day, meta, tags FROM shop.orders WHERE id = 1',
      rows: [['true', '1.5', '2024-01-01', '{"a":1}', [{ v: 'x' }, { v: 'y' }]]],
      types: ['BOOLEAN', 'NUMERIC', 'DATE', 'JSON', 'STRING'],
    },
    { query: 'SELECT tags FROM shop.orders WHERE id = 3', rows: [[[]]] },
    {
      query: `SELECT * FROM ${T} WHERE id = 2`,
      fields: ['id', 'customer', 'amount', 'paid', 'ts', 'price', 'day', 'meta', 'tags'],
      rows: [['2', 'bob', '3.0', 'false', '1.704153600000001E9', '2', '2024-01-02', null, []]],
    },
    {
      query: "SELECT 1, 'two' AS two, TRUE, NULL, 2.5, -3 -- a comment",
      rows: [['1', 'two', 'true', null, '2.5', '-3']],
      fields: ['f0_', 'two', 'f1_', 'f2_', 'f3_', 'f4_'],
      types: ['INTEGER', 'STRING', 'BOOLEAN', 'INTEGER', 'FLOAT', 'INTEGER'],
    },
    { query: "#standardSQL\nSELECT \"it's\", 'a\\nb'", rows: [["it's", 'a\nb']] },
    {
      query: 'SELECT @x AS x, @y AS y, @z AS z',
      params: named({ x: ['BOOL', true], y: ['FLOAT64', 0.25], z: ['INT64', null] }),
      rows: [['true', '0.25', null]],
      types: ['BOOLEAN', 'FLOAT', 'INTEGER'],
    },
    { query: `select count(*) as n from ${T} where customer = 'ann';`, rows: [['2']] },
    {
      query: `SELECT customer, COUNT(*) AS n, MAX(id) AS top FROM ${T} GROUP BY customer ORDER BY n DESC, customer`,
      rows: [
        ['ann', '2', '3'],
        ['bob', '1', '2'],
        ["o'neil", '1', '9007199254740993'],
      ],
    },
    { query: `SELECT customer AS who, COUNT(*) FROM ${T} GROUP BY who HAVING COUNT(*) > 1`, rows: [['ann', '2']], fields: ['who', 'f0_'] },
    {
      query: `SELECT paid, COUNT(*) FROM ${T} GROUP BY 1 ORDER BY 1`,
      rows: [
        [null, '2'],
        ['false', '1'],
        ['true', '1'],
      ],
    },
    {
      query: `SELECT customer = 'ann' AS is_ann, COUNT(*) AS n FROM ${T} GROUP BY is_ann ORDER BY n`,
      rows: [
        ['false', '2'],
        ['true', '2'],
      ],
    },
    { query: `SELECT COUNT(*) AS n FROM ${T} HAVING COUNT(*) > 10`, rows: [] },
    { query: `SELECT id FROM ${T} WHERE id IN (1, @two, 4) ORDER BY id`, params: named({ two: ['INT64', 2] }), rows: [['1'], ['2']] },
    { query: `SELECT id FROM ${T} WHERE customer NOT IN ('ann', 'nobody') ORDER BY id`, rows: [['2'], ['9007199254740993']] },
    { query: `SELECT id FROM ${T} WHERE ts IN ('2024-01-01 00:00:00+00')`, rows: [['1']] },
    { query: `SELECT id FROM ${T} WHERE price IN (2, NUMERIC '1.50') ORDER BY id`, rows: [['1'], ['2']] },
    { query: `SELECT id FROM ${T} WHERE id BETWEEN 2 AND 3 ORDER BY id`, rows: [['2'], ['3']] },
    { query: `SELECT id FROM ${T} WHERE ts NOT BETWEEN '2024-01-01' AND '2024-01-01 12:00:00' ORDER BY id`, rows: [['2']] },
    { query: `SELECT id FROM ${T} WHERE customer LIKE 'a%' ORDER BY id`, rows: [['1'], ['3']] },
    { query: `SELECT id FROM ${T} WHERE customer LIKE 'A%'`, rows: [] },
    {
      query: `SELECT id FROM ${T} WHERE customer LIKE '_o_' OR customer LIKE @p`,
      params: named({ p: ['STRING', "o\\'%"] }),
      rows: [['2'], ['9007199254740993']],
    },
    { query: `SELECT id FROM ${T} WHERE customer NOT LIKE '%n%' ORDER BY id`, rows: [['2']] },
    { query: 'SELECT COUNT(*) AS n FROM proj.shop.orders', rows: [['4']] },
    { query: 'SELECT ID, Customer FROM shop.orders WHERE id = 2', rows: [['2', 'bob']], fields: ['ID', 'Customer'] },
  ];

  for (const c of supported) {
    it(`runs ${c.query.replace(/\s+/g, ' ')}`, () => {
      const res = run(c);
      assert.equal(res.jobComplete, true);
      const rows = (res.rows ?? []).map((r: { f: { v: unknown }[] }) => r.f.map((cell) => cell.v));
      if (c.rows) assert.deepEqual(rows, c.rows);
      if (c.fields)
        assert.deepEqual(
          res.schema.fields.map((f: { name: string }) => f.name),
          c.fields,
        );
      if (c.types)
        assert.deepEqual(
          res.schema.fields.map((f: { type: string }) => f.type),
          c.types,
        );
      assert.equal(res.totalRows, String(rows.length));
    });
  }

  it('gives CURRENT_TIMESTAMP() one value per statement, near now', () => {
    const before = Date.now();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const res: any = jobs.query(P, {
      query: 'SELECT CURRENT_TIMESTAMP() AS a, CURRENT_TIMESTAMP AS b',
      useLegacySql: false,
      formatOptions: { useInt64Timestamp: true },
    });
    const [a, b] = res.rows[0].f.map((c: { v: string }) => Number(c.v) / 1000);
    assert.equal(a, b);
    assert.ok(a >= before && a <= Date.now(), `${a} not in [${before}, now]`);
    assert.equal(res.schema.fields[0].type, 'TIMESTAMP');
  });

  const refused: [string, RegExp, object?][] = [
    [`SELECT a.id FROM ${T} a JOIN ${T} b ON a.id = b.id`, /JOIN is not supported by the local BigQuery/],
    [`SELECT customer, COUNT(*) FROM ${T}`, /neither grouped nor aggregated/],
    [`SELECT * FROM (SELECT 1)`, /Subqueries are not supported/],
    [`SELECT id + 1 FROM ${T}`, /Operator \+ is not supported/],
    [`SELECT customer, COUNT(*) FROM ${T} GROUP BY ROLLUP(customer)`, /ROLLUP is not supported/],
    [
      `SELECT customer, id FROM ${T} GROUP BY customer`,
      /SELECT list expression references column id which is neither grouped nor aggregated/,
    ],
    [`SELECT customer FROM ${T} GROUP BY customer ORDER BY id`, /ORDER BY clause expression references column id/],
    [`SELECT customer FROM ${T} GROUP BY customer HAVING amount > 1`, /HAVING clause expression references column amount/],
    [`SELECT COUNT(*) FROM ${T} GROUP BY meta`, /Grouping by expressions of type JSON is not allowed/],
    [`SELECT COUNT(*) AS n FROM ${T} GROUP BY n`, /GROUP BY refers to an aggregate/],
    [`SELECT COUNT(*) FROM ${T} GROUP BY 2`, /GROUP BY ordinal 2 is out of range/],
    [`SELECT id FROM ${T} WHERE id IN UNNEST(@ids)`, /UNNEST is not supported/],
    [`SELECT id FROM ${T} WHERE id IN (SELECT 1)`, /Subqueries are not supported/],
    [`SELECT id FROM ${T} WHERE id IN (1, 'two')`, /No matching signature for operator IN for argument types: INT64, STRING/],
    [`SELECT id FROM ${T} WHERE id LIKE '1%'`, /No matching signature for operator LIKE/],
    [`SELECT id FROM ${T} WHERE price BETWEEN 1 AND 2`, /Operator BETWEEN on NUMERIC values is not supported/],
    [`SELECT id FROM ${T} WHERE id NOT NULL`, /Syntax error/],
    [`SELECT UPPER(customer) FROM ${T}`, /Function UPPER is not supported/],
    [`INSERT INTO ${T} (id) VALUES (1)`, /INSERT statements are not supported/],
    [`DELETE FROM ${T} WHERE TRUE`, /DELETE statements are not supported/],
    [`WITH x AS (SELECT 1) SELECT * FROM x`, /WITH statements are not supported/],
    [`SELECT id FROM ${T} UNION ALL SELECT id FROM ${T}`, /UNION is not supported/],
    [`SELECT id FROM ${T}, ${T}`, /Comma joins are not supported/],
    [`SELECT nope FROM ${T}`, /Unrecognized name: nope at \[1:8\]/],
    [`SELECT id FROM ${T} WHERE customer = 1`, /No matching signature for operator = for argument types: STRING, INT64/],
    [
      `SELECT id FROM ${T} WHERE ts = @t`,
      /No matching signature for operator = for argument types: TIMESTAMP, STRING/,
      named({ t: ['STRING', '2024-01-01'] }),
    ],
    [`SELECT id FROM ${T} WHERE id`, /WHERE clause should return type BOOL, but returns INT64/],
    [`SELECT id FROM ${T} WHERE price > 1`, /Operator > on NUMERIC values is not supported by the local BigQuery/],
    [`SELECT id FROM ${T} ORDER BY tags`, /ORDER BY does not support expressions of type ARRAY<STRING>/],
    [`SELECT id FROM ${T} WHERE meta = meta`, /No matching signature/],
    [`SELECT id FROM ${T} WHERE ts = 'soon'`, /Could not cast literal "soon" to type TIMESTAMP/],
    [`SELECT id FROM ${T} WHERE ts > '1700000000'`, /Could not cast literal "1700000000" to type TIMESTAMP/],
    ['SELECT @t', /Invalid TIMESTAMP value: 1700000000/, named({ t: ['TIMESTAMP', 1700000000] })],
    [`SELECT id, customer AS id FROM ${T}`, /Duplicate column names/],
    [`SELECT id FROM ${T} WHERE customer = @who`, /Query parameter 'who' not found/],
    [`SELECT id FROM ${T} WHERE id = ?`, /more positional parameters/],
    [`SELECT id FROM ${T} WHERE id = @a AND id = ?`, /mix named/, named({ a: ['INT64', 1] })],
    [`SELECT id FROM ${T} LIMIT -1`, /LIMIT/],
    [`SELECT id FROM ${T} LIMIT @n`, /LIMIT must not be negative or NULL/, named({ n: ['INT64', null] })],
    [`SELECT COUNT(COUNT(*)) FROM ${T}`, /Aggregations of aggregations/],
    [`SELECT id FROM ${T} WHERE COUNT(*) > 1`, /Aggregate function not allowed in WHERE/],
    [`SELECT DISTINCT customer FROM ${T} ORDER BY id`, /not visible after SELECT DISTINCT/],
    [`SELECT DISTINCT meta FROM ${T}`, /Column meta of type JSON cannot be used in SELECT DISTINCT/],
    ['SELECT 1 FROM my - project.shop.orders', /Operator - is not supported/],
    ['SELECT id FROM orders', /must be qualified with a dataset/],
    ['SELECT *', /SELECT \* must have a FROM clause/],
    ['SELECT id FROM `proj.shop.INFORMATION_SCHEMA.TABLES`', /INFORMATION_SCHEMA/],
    ["SELECT 'unclosed", /Unclosed string literal/],
    ['SELECT 1 2 3', /Syntax error/],
    [
      'SELECT @x',
      /type ARRAY, which is not supported/,
      {
        parameterMode: 'NAMED',
        queryParameters: [
          { name: 'x', parameterType: { type: 'ARRAY', arrayType: { type: 'INT64' } }, parameterValue: { arrayValues: [{ value: '1' }] } },
        ],
      },
    ],
    ['SELECT @x', /Invalid value for query parameter 'x'/, named({ x: ['INT64', 'ten'] })],
  ];

  for (const [query, message, params] of refused) {
    it(`refuses ${query.replace(/\s+/g, ' ')}`, () => {
      assert.throws(
        () => run({ query, params }),
        (err: unknown) => {
          assert.ok(err instanceof BigQueryError);
          assert.equal(err.reason, 'invalidQuery', err.message);
          assert.equal(err.code, 400);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('refuses legacy SQL, the REST default, with a hint', () => {
    assert.throws(() => jobs.query(P, { query: 'SELECT 1' }), /useLegacySql": false/);
    assert.throws(() => jobs.query(P, { query: '#legacySQL\nSELECT 1', useLegacySql: false }), /Legacy SQL/);
  });

  it('answers 404 notFound for a missing dataset or table', () => {
    for (const table of ['`proj.nope.orders`', '`proj.shop.nope`', '`other.shop.orders`']) {
      assert.throws(
        () => run({ query: `SELECT 1 FROM ${table}` }),
        (err: unknown) => {
          assert.ok(err instanceof BigQueryError);
          assert.equal(err.reason, 'notFound');
          assert.match(err.message, /^Not found: (Dataset|Table) .* was not found in location US$/);
          return true;
        },
      );
    }
  });
});
