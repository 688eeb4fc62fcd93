import * as assert from 'node:assert/strict';
import { parseTraceContext } from '../../../functions/shared/trace';

describe('parseTraceContext', () => {
  const cases: { name: string; headers: Record<string, string>; expected: ReturnType<typeof parseTraceContext> }[] = [
    {
      name: 'W3C traceparent',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      expected: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true },
    },
    {
      name: 'X-Cloud-Trace-Context with a decimal span id, converted to 16 hex digits',
      headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
      expected: { traceId: '105445aa7843bc8bf206b12000100000', spanId: '0000000000000001', sampled: true },
    },
    {
      name: 'traceparent wins over X-Cloud-Trace-Context',
      headers: {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
        'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1',
      },
      expected: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false },
    },
    {
      name: 'an all-zero trace id is invalid',
      headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
      expected: undefined,
    },
    { name: 'garbage is ignored', headers: { 'x-cloud-trace-context': 'not-a-trace' }, expected: undefined },
    { name: 'no headers', headers: {}, expected: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseTraceContext(c.headers), c.expected));
  }
});
