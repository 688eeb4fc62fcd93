import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import { ScaledClock } from '../../../../local/workflows/clock';
import { Bytes, deepCopy, fromJson, toJson, typeName } from '../../../../local/workflows/values';

describe('local/workflows values', () => {
  it('fromJson keeps ints (even above 2^53) apart from doubles', () => {
    assert.deepEqual(fromJson('{"a": 1, "b": 1.0, "c": 9007199254740993, "d": [1e2, -0.5, null, true, "x"]}'), {
      a: 1n,
      b: 1,
      c: 9007199254740993n,
      d: [100, -0.5, null, true, 'x'],
    });
    assert.throws(() => fromJson('{"a": }'), SyntaxError);
    assert.throws(() => fromJson('[1] x'), SyntaxError);
  });

  it('toJson writes doubles with a fraction, ints without, and supports indent', () => {
    assert.equal(toJson({ i: 2n, d: 2, f: 2.5, l: [], m: {} }), '{"i":2,"d":2.0,"f":2.5,"l":[],"m":{}}');
    assert.equal(toJson({ a: [1n] }, 2), '{\n  "a": [\n    1\n  ]\n}');
    assert.throws(() => toJson(new Bytes(Buffer.from('x'))));
  });

  it('a "__proto__" key is stored as a key, never as the prototype', () => {
    const v = fromJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(toJson(v as never), '{"__proto__":{"x":1}}');
  });

  it('typeName and deepCopy', () => {
    assert.deepEqual([null, true, 1n, 1.5, 's', [], {}, new Bytes(Buffer.alloc(0))].map(typeName), [
      'null',
      'boolean',
      'integer',
      'double',
      'string',
      'list',
      'map',
      'bytes',
    ]);
    const m = { a: [1n] };
    const c = deepCopy(m) as { a: bigint[] };
    c.a.push(2n);
    assert.deepEqual(m, { a: [1n] });
  });

  it('ScaledClock records asked delays, waits 1/speed of them, and advances sys.now by the asked time', async () => {
    const timers = sinon.useFakeTimers({ now: 1_000_000 });
    try {
      const clock = new ScaledClock(1000);
      const t0 = clock.now();
      let done = false;
      const sleeping = clock.sleep(5000).then(() => (done = true));
      await timers.tickAsync(4);
      assert.equal(done, false, 'a 5 s sleep at x1000 is still waiting after 4 ms');
      await timers.tickAsync(1);
      await sleeping;
      assert.equal(done, true, 'and has ended after 5 ms');
      assert.deepEqual(clock.sleeps, [5000]);
      assert.ok(clock.now() - t0 >= 5000);
    } finally {
      timers.restore();
    }
  });

  it('ScaledClock sleeps are abortable', async () => {
    const clock = new ScaledClock(1);
    const ac = new AbortController();
    const p = clock.sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
  });
});
