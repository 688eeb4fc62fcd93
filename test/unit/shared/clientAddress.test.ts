import * as assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../../../functions/shared/http/clientAddress';

describe('clientAddress', () => {
  const request = (xff: string | undefined, peer = '10.0.0.1'): Pick<IncomingMessage, 'headers' | 'socket'> =>
    ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: peer } }) as never;

  const cases: [string, string | undefined, number, string][] = [
    ['the peer when nothing is forwarded', undefined, 1, '10.0.0.1'],
    ['the entry the front end appended', '203.0.113.7', 1, '203.0.113.7'],
    ['not what the client wrote before it', '1.2.3.4, 203.0.113.7', 1, '203.0.113.7'],
    ['the peer itself when no proxy is trusted', '1.2.3.4', 0, '10.0.0.1'],
    ['two trusted hops (a load balancer)', '1.2.3.4, 203.0.113.7, 198.51.100.2', 2, '203.0.113.7'],
    ['the left-most when there are fewer entries than hops', '203.0.113.7', 3, '203.0.113.7'],
    ['empty entries ignored', '1.2.3.4,, 203.0.113.7 ,', 1, '203.0.113.7'],
  ];
  for (const [name, xff, hops, expected] of cases) {
    it(name, () => assert.equal(clientAddress(request(xff), hops), expected));
  }
});
