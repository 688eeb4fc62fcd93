import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamedBody } from '../../../functions/shared/http/streamedBody';

describe('StreamedBody', () => {
  it('stops a producer whose client went away (waiting for drain alone never ends)', async () => {
    let produced: Promise<{ writes: number; gone: boolean }> | undefined;
    const server = http.createServer((_req, res) => {
      const body = new StreamedBody(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      produced = (async () => {
        let writes = 0;
        // Far more than socket buffers hold: only a client that reads, or one that leaves, lets this end.
        while (writes < 100_000 && (await body.write('x'.repeat(64 * 1024)))) writes++;
        return { writes, gone: body.clientGone };
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await new Promise<void>((resolve) => {
        const req = http.get(url, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => undefined);
      });
      const result = await produced!;
      assert.equal(result.gone, true);
      assert.ok(result.writes < 100_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('writes a whole body to a client that reads it', async () => {
    const server = http.createServer((_req, res) => {
      const body = new StreamedBody(res);
      void (async () => {
        for (let i = 0; i < 50; i++) assert.equal(await body.write('y'.repeat(64 * 1024)), true);
        res.end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      assert.equal((await res.text()).length, 50 * 64 * 1024);
    } finally {
      server.close();
    }
  });
});
