import type { ServerResponse } from 'node:http';

/**
 * Writes a streamed response body with back-pressure, and says when the client has gone away.
 * Why: waiting for `drain` alone never ends once the client disconnects (a closed response
 * never drains), so a streaming handler would hang on with its backend query open.
 */
export class StreamedBody {
  private gone = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => {
      this.gone = !res.writableFinished;
    });
  }

  /** True when the client disconnected before the body was finished. */
  get clientGone(): boolean {
    return this.gone || this.res.destroyed;
  }

  /** Writes `chunk`, waiting for the client to take it; false when the client has gone (stop producing). */
  async write(chunk: string): Promise<boolean> {
    if (this.clientGone) return false;
    if (!this.res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
    }
    return !this.clientGone;
  }
}
