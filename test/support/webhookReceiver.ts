import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request (headers, raw body, and the
 * status it was answered, so a test can tell an id that was received from one that was accepted)
 * and answers `failuresLeft` requests with `failStatus` before answering 204.
 */
export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  status: number;
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  failuresLeft = 0;
  failStatus = 500;
  private server?: http.Server;
  url = '';

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const failing = receiver.failuresLeft > 0;
        if (failing) receiver.failuresLeft--;
        const status = failing ? receiver.failStatus : 204;
        receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.server!.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
    return receiver;
  }

  /** Requests carrying this webhook-id. */
  withId(id: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.headers['webhook-id'] === id);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
