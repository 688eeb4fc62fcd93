import * as http from 'node:http';

export interface EarlyAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Body bytes this client had written when the answer's headers arrived. */
  sentBytes: number;
}

/**
 * Sends a request whose body is never finished: the given `chunks` are written (each after the
 * previous one was flushed) and the request is left open. Resolves with the answer, which can
 * therefore only come from a server that answered before reading the whole body; a server that
 * waits for the body never answers, and the test times out. The socket is destroyed afterwards.
 */
export function unfinishedRequest(
  url: string,
  options: { method: string; headers: http.OutgoingHttpHeaders; chunks: Buffer[] },
): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const req = http.request(url, { method: options.method, headers: options.headers });
    req.on('response', (res) => {
      answered = true;
      const answeredAt = sentBytes;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          body: text ? JSON.parse(text) : undefined,
          sentBytes: answeredAt,
        });
      });
    });
    // Writes after the server closed the connection fail; the answer is what the test reads.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const writeNext = (i: number): void => {
      if (i >= options.chunks.length || req.destroyed) return;
      req.write(options.chunks[i], () => {
        sentBytes += options.chunks[i].length;
        writeNext(i + 1);
      });
    };
    req.flushHeaders();
    writeNext(0);
  });
}
