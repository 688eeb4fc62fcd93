import * as assert from 'node:assert/strict';
import { failure, result, run } from './harness';

async function value(e: string, opts: Parameters<typeof run>[2] = {}): Promise<unknown> {
  return result(`- r:\n    return: ${JSON.stringify('${' + e + '}')}\n`, undefined, opts);
}

async function text(e: string): Promise<string | undefined> {
  const o = await run(`- r:\n    return: ${JSON.stringify('${' + e + '}')}\n`);
  if (o.state !== 'SUCCEEDED') throw new Error(`${e}: ${o.record.error?.payload}`);
  return o.resultText;
}

// Each expectation is the example given on the function's page under
// https://cloud.google.com/workflows/docs/reference/stdlib/ (page named in the test title).
describe('workflows conformance: standard library', () => {
  const cases: [string, string, unknown][] = [
    ['expression-helpers', 'default(null, "fallback")', 'fallback'],
    ['expression-helpers', 'default("value", "fallback")', 'value'],
    ['expression-helpers', 'keys({"key1": "value1", "key2": "value2"})', ['key1', 'key2']],
    ['syntax/iteration (keys() is sorted)', 'keys({"b": 1, "a": 2, "c": 3})', ['a', 'b', 'c']],
    ['expression-helpers', 'len([1, 2, 3])', 3],
    ['expression-helpers', 'len({"a": 1})', 1],
    ['expression-helpers', 'len("Hello")', 5],
    ['expression-helpers', 'int("42")', 42],
    ['expression-helpers', 'int(2.7)', 2],
    ['expression-helpers', 'string(5)', '5'],
    ['expression-helpers', 'string(true)', 'true'],
    ['expression-helpers', 'bool("true")', true],
    ['expression-helpers', 'if(1 < 2, "yes", "no")', 'yes'],
    ['expression-helpers', 'type("a")', 'string'],
    ['expression-helpers', 'type(1)', 'integer'],
    ['expression-helpers', 'type(1.5)', 'double'],
    ['expression-helpers', 'type([1])', 'list'],
    ['expression-helpers', 'type({})', 'map'],
    ['expression-helpers', 'type(null)', 'null'],
    ['expression-helpers', 'type(true)', 'boolean'],
    ['map/get', 'map.get({"a": {"b": 1}}, ["a", "b"])', 1],
    ['map/get', 'map.get({"a": 1}, "missing")', null],
    ['map/get', 'map.get(null, "a")', null],
    ['map/delete', 'map.delete({"a": 1, "b": 2}, "a")', { b: 2 }],
    ['map/merge', 'map.merge({"a": 1, "b": 1}, {"b": 2, "c": 3})', { a: 1, b: 2, c: 3 }],
    ['map/merge_nested', 'map.merge_nested({"a": {"x": 1}}, {"a": {"y": 2}})', { a: { x: 1, y: 2 } }],
    ['list/concat', 'list.concat([1, 2], 3)', [1, 2, 3]],
    ['list/prepend', 'list.prepend([1, 2], 0)', [0, 1, 2]],
    [
      'text/find_all',
      'text.find_all("Hello World, Hello", "Hello")',
      [
        { index: 0, match: 'Hello' },
        { index: 13, match: 'Hello' },
      ],
    ],
    [
      'text/find_all_regex',
      'text.find_all_regex("HelloWorld", "Hello|World")',
      [
        { index: 0, match: 'Hello' },
        { index: 5, match: 'World' },
      ],
    ],
    ['text/match_regex', 'text.match_regex("abc123", "^[a-z]+\\\\d+$")', true],
    ['text/replace_all', 'text.replace_all("one two one", "one", "three")', 'three two three'],
    ['text/replace_all_regex', 'text.replace_all_regex("one two", "one|two", "three")', 'three three'],
    ['text/replace_all_regex (no backreferences)', 'text.replace_all_regex("ab", "(a)", "\\\\1")', '\\1b'],
    [
      'text/find_all (indexes count characters)',
      'text.find_all("héé!é", "é")',
      [
        { index: 1, match: 'é' },
        { index: 2, match: 'é' },
        { index: 4, match: 'é' },
      ],
    ],
    ['text/split', 'text.split("a,b,c", ",")', ['a', 'b', 'c']],
    ['text/substring', 'text.substring("Hello World!", 6, 11)', 'World'],
    ['text/substring (example 1)', 'text.substring("hello", 2, 4)', 'll'],
    ['text/substring (example 2: negative offset, clamped)', 'text.substring("hello", -10, 10)', 'hello'],
    ['text/substring (negative offset from the end)', 'text.substring("hello", -3, -1)', 'll'],
    ['text/to_lower', 'text.to_lower("ABC")', 'abc'],
    ['text/to_upper', 'text.to_upper("abc")', 'ABC'],
    ['text/url_encode', 'text.url_encode("a b&c/d")', 'a%20b%26c%2Fd'],
    ['text/url_encode_plus', 'text.url_encode_plus("a b")', 'a+b'],
    ['text/url_decode', 'text.url_decode("a%20b%26c")', 'a b&c'],
    ['text/decode', 'text.decode(text.encode("héllo"))', 'héllo'],
    ['json/encode_to_string', 'json.encode_to_string({"a": 1, "b": [true, null]})', '{"a":1,"b":[true,null]}'],
    ['json/encode', 'text.decode(json.encode([1, "x"]))', '[1,"x"]'],
    ['json/decode', 'json.decode("{\\"a\\": [1, 2.5]}")', { a: [1, 2.5] }],
    ['json/decode', 'json.decode(text.encode("[1]"))', [1]],
    ['base64/encode', 'base64.encode(text.encode("Hello"))', 'SGVsbG8='],
    ['base64/decode', 'text.decode(base64.decode("SGVsbG8="))', 'Hello'],
    [
      'hash/compute_checksum',
      'base64.encode(hash.compute_checksum(text.encode("abc"), "SHA256"))',
      'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
    ],
    [
      'hash/compute_hmac',
      'base64.encode(hash.compute_hmac(text.encode("key"), text.encode("The quick brown fox jumps over the lazy dog"), "SHA256"))',
      '97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=',
    ],
    ['math/abs', 'math.abs(-5)', 5],
    ['math/floor', 'math.floor(2.7)', 2],
    ['math/max', 'math.max(1, 2.5)', 2.5],
    ['math/min', 'math.min(3, 2)', 2],
    ['math/sqrt', 'math.sqrt(16)', 4],
    ['time/format', 'time.format(1720788633)', '2024-07-12T12:50:33.000000Z'],
    ['time/format', 'time.format(1720788633, "GMT")', '2024-07-12T12:50:33.000000Z'],
    ['time/format', 'time.format(1720788633, "Europe/Paris")', '2024-07-12T14:50:33.000000+02:00'],
    ['time/parse', 'time.parse("2024-07-12T12:50:33.500Z")', 1720788633.5],
    ['http/default_retry_predicate', 'http.default_retry_predicate({"code": 503, "tags": ["HttpError"]})', true],
    ['http/default_retry_predicate', 'http.default_retry_predicate({"code": 404, "tags": ["HttpError"]})', false],
    [
      'http/default_retry_predicate_non_idempotent',
      'http.default_retry_predicate_non_idempotent({"code": 502, "tags": ["HttpError"]})',
      false,
    ],
  ];
  for (const [page, e, want] of cases) {
    it(`${page}: \${${e}}`, async () => {
      assert.deepEqual(await value(e), want);
    });
  }

  it('int vs double results keep their type (docs: expression-helpers)', async () => {
    assert.equal(await text('double(2)'), '2.0');
    assert.equal(await text('double("1.5")'), '1.5');
    assert.equal(await text('math.abs(-2.0)'), '2.0');
    assert.equal(await text('json.decode("1.0")'), '1.0');
  });

  it('functions raise TypeError/ValueError maps on bad arguments', async () => {
    assert.deepEqual((await failure('- r:\n    return: ${keys([1])}\n')).tags, ['TypeError']);
    assert.deepEqual((await failure('- r:\n    return: ${json.decode("{bad")}\n')).tags, ['ValueError']);
    assert.deepEqual((await failure('- r:\n    return: ${base64.decode("***")}\n')).tags, ['ValueError']);
    assert.deepEqual((await failure('- r:\n    return: ${text.split(1, ",")}\n')).tags, ['TypeError']);
    // RE2 (the documented syntax) has no lookaround: refused rather than matched as JS would.
    assert.deepEqual((await failure('- r:\n    return: ${text.match_regex("ab", "a(?=b)")}\n')).tags, ['ValueError']);
  });

  it('bytes cannot be the result of a workflow (docs: reference/syntax/datatypes#bytes)', async () => {
    const e = await failure('- r:\n    return: ${text.encode("x")}\n');
    assert.deepEqual(e.tags, ['ResponseTypeError']);
  });

  it('sys.get_env: user env vars and the GOOGLE_CLOUD_* built-ins (docs: stdlib/sys/get_env)', async () => {
    const o = await run(
      `- r:
    return:
      - \${sys.get_env("MY_URL")}
      - \${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
      - \${sys.get_env("GOOGLE_CLOUD_LOCATION")}
      - \${sys.get_env("GOOGLE_CLOUD_WORKFLOW_ID")}
      - \${sys.get_env("GOOGLE_CLOUD_WORKFLOW_REVISION_ID")}
      - \${sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID")}
      - \${sys.get_env("GOOGLE_CLOUD_PROJECT_NUMBER")}
      - \${sys.get_env("MISSING")}
      - \${sys.get_env("MISSING", "dflt")}
`,
      undefined,
      { env: { MY_URL: 'http://example.test' } },
    );
    const r = o.result as unknown[];
    assert.deepEqual(r.slice(0, 4), ['http://example.test', 'test-project', 'us-central1', 'wf']);
    assert.equal(r[4], o.record.workflowRevisionId);
    assert.equal(r[5], o.record.id);
    assert.match(r[6] as string, /^\d{12}$/);
    assert.deepEqual(r.slice(7), [null, 'dflt']);
  });

  it('sys.now returns epoch seconds as a double; uuid.generate returns a UUID (docs: stdlib/sys/now, stdlib/uuid/generate)', async () => {
    const [now, id] = (await result('- r:\n    return: ${[sys.now(), uuid.generate()]}\n')) as [number, string];
    assert.ok(Math.abs(now - Date.now() / 1000) < 60);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sys.sleep waits through the clock (docs: stdlib/sys/sleep)', async () => {
    const o = await run(`
- wait:
    call: sys.sleep
    args:
      seconds: 30
- r:
    return: "done"
`);
    assert.equal(o.result, 'done');
    assert.deepEqual(o.clock.sleeps, [30000]);
  });

  it('sys.log writes text and json entries with a severity (docs: stdlib/sys/log)', async () => {
    const o = await run(`
- log_text:
    call: sys.log
    args:
      text: "hello"
      severity: "INFO"
- log_json:
    call: sys.log
    args:
      json: {"a": 1}
      severity: "WARNING"
`);
    assert.equal(o.state, 'SUCCEEDED');
    assert.deepEqual(
      o.logs.map((l) => l.severity),
      ['INFO', 'WARNING'],
    );
    assert.equal(o.logs[0].payload, 'hello');
  });
});
