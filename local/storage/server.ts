/**
 * The HTTP front of the local Cloud Storage: the JSON API calls `@google-cloud/storage` makes for
 * the kit's code, and Google's JSON error shape for every failure.
 *
 * With `STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT` the client library uses that value verbatim
 * as the base of its JSON API calls (`/b/{bucket}/o/{object}`, no `/storage/v1`), but builds
 * upload URLs from the endpoint as `/upload/storage/v1/b/{bucket}/o`; both spellings, with and
 * without `/storage/v1`, are accepted here.
 *
 * Covered: simple uploads (`uploadType=multipart`, multipart/related with a JSON metadata part,
 * and `uploadType=media`), object metadata (`file.exists()`, `file.getMetadata()`), downloads
 * (`alt=media`, as `file.download()` and `file.createReadStream()` make, with `x-goog-hash`
 * so the client validates them), object delete, object list with `prefix`, and bucket
 * get/insert/list/delete. Not covered, and answered with a 501 naming the call: resumable
 * uploads (use `save(..., { resumable: false })`), copy/rewrite/compose, ACLs, IAM, signed URLs.
 */
import { closeServer, createLocalServer, listenLocal, readBody, sendJson } from '../httpServer';
import * as http from 'node:http';
import { ObjectStore, StorageError, objectResource } from './objects';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class StorageServer {
  readonly store = new ObjectStore();
  private readonly server: http.Server;
  private baseUrl = '';

  private constructor() {
    this.server = createLocalServer((req, res) => void this.handle(req, res));
  }

  /** Starts on 127.0.0.1 at `port` (0: any free port). */
  static async start(port = 0): Promise<StorageServer> {
    const s = new StorageServer();
    s.baseUrl = await listenLocal(s.server, port);
    return s;
  }

  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const body = await readBody(req, MAX_BODY_BYTES, tooLarge);
      await this.route(req, res, body);
    } catch (err) {
      const e = err instanceof StorageError ? err : new StorageError(500, 'backendError', (err as Error).message);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, e.status, {
        error: { code: e.status, message: e.message, errors: [{ message: e.message, domain: 'global', reason: e.reason }] },
      });
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://storage.local');
    const method = req.method ?? 'GET';
    // Raw segments: an object name arrives as one percent-encoded segment (`a%2Fb.png`).
    let segments = url.pathname.split('/').filter((s) => s !== '');
    const upload = segments[0] === 'upload';
    const download = segments[0] === 'download';
    if (upload || download) segments = segments.slice(1);
    if (segments[0] === 'storage' && segments[1] === 'v1') segments = segments.slice(2);
    const [b, bucketRaw, o, ...rest] = segments;
    const q = url.searchParams;

    if (b !== 'b') throw new StorageError(404, 'notFound', `Not Found: ${url.pathname}`);
    if (bucketRaw === undefined) {
      if (method === 'POST') {
        const resource = JSON.parse(body.toString('utf8') || '{}') as { name?: string };
        return sendJson(res, 200, this.store.createBucket(String(resource.name ?? '')));
      }
      if (method === 'GET')
        return sendJson(res, 200, { kind: 'storage#buckets', items: this.store.bucketNames().map((n) => this.store.bucketResource(n)) });
      throw notImplemented(method, url.pathname);
    }
    const bucket = decodeURIComponent(bucketRaw);

    if (upload) {
      if (method !== 'POST' || o !== 'o' || rest.length > 0) throw notImplemented(method, url.pathname);
      return this.upload(res, bucket, q, req.headers['content-type'] ?? '', body);
    }
    if (o === undefined) {
      if (method === 'GET') return sendJson(res, 200, this.store.bucketResource(bucket));
      if (method === 'DELETE') {
        this.store.deleteBucket(bucket);
        return sendEmpty(res);
      }
      throw notImplemented(method, url.pathname);
    }
    if (o !== 'o') throw new StorageError(404, 'notFound', `Not Found: ${url.pathname}`);
    if (rest.length === 0) {
      if (method !== 'GET') throw notImplemented(method, url.pathname);
      const items = this.store.list(bucket, q.get('prefix') ?? '').map((obj) => objectResource(obj, this.baseUrl));
      return sendJson(res, 200, { kind: 'storage#objects', ...(items.length > 0 ? { items } : {}) });
    }
    if (rest.length > 1) throw notImplemented(method, url.pathname);
    const name = decodeURIComponent(rest[0]);
    switch (method) {
      case 'GET': {
        const object = this.store.get(bucket, name);
        checkGeneration(q, object.generation);
        if (q.get('alt') === 'media' || download) {
          res.writeHead(200, {
            'Content-Type': object.contentType,
            'Content-Length': object.data.length,
            'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
            'x-goog-generation': object.generation,
            'x-goog-metageneration': object.metageneration,
            'x-goog-stored-content-length': String(object.data.length),
          });
          res.end(object.data);
          return;
        }
        return sendJson(res, 200, objectResource(object, this.baseUrl));
      }
      case 'DELETE': {
        checkGeneration(q, this.store.get(bucket, name).generation);
        this.store.delete(bucket, name);
        return sendEmpty(res);
      }
      default:
        throw notImplemented(method, url.pathname);
    }
  }

  private upload(res: http.ServerResponse, bucket: string, q: URLSearchParams, contentType: string, body: Buffer): void {
    const uploadType = q.get('uploadType');
    let name = q.get('name') ?? undefined;
    let objectType = 'application/octet-stream';
    let data: Buffer;
    let metadata: Record<string, string> | undefined;
    if (uploadType === 'multipart') {
      const [metaPart, mediaPart] = parseMultipartRelated(contentType, body);
      const resource = JSON.parse(metaPart.body.toString('utf8') || '{}') as {
        name?: string;
        contentType?: string;
        metadata?: Record<string, string>;
      };
      name ??= resource.name;
      objectType = resource.contentType ?? mediaPart.contentType ?? objectType;
      metadata = resource.metadata;
      data = mediaPart.body;
    } else if (uploadType === 'media') {
      objectType = contentType || objectType;
      data = body;
    } else {
      throw new StorageError(
        501,
        'notImplemented',
        `uploadType=${uploadType ?? '(none)'} is not supported by the local Cloud Storage; use save(data, { resumable: false })`,
      );
    }
    if (!name) throw new StorageError(400, 'required', 'Required: the object name.');
    if (q.has('ifGenerationMatch')) {
      // '0' when there is no such object yet.
      checkGeneration(q, this.store.find(bucket, name)?.generation ?? '0');
    }
    const stored = this.store.put(bucket, name, data, objectType, metadata);
    sendJson(res, 200, objectResource(stored, this.baseUrl));
  }
}

function checkGeneration(q: URLSearchParams, generation: string): void {
  const wanted = q.get('generation') ?? q.get('ifGenerationMatch');
  if (wanted !== null && wanted !== generation) {
    if (q.has('generation')) throw new StorageError(404, 'notFound', 'No such object generation.');
    throw new StorageError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
  }
}

function notImplemented(method: string, path: string): StorageError {
  return new StorageError(501, 'notImplemented', `${method} ${path} is not supported by the local Cloud Storage`);
}

interface Part {
  contentType?: string;
  body: Buffer;
}

/** Splits a multipart/related body (metadata part, then media part) without touching the bytes. */
export function parseMultipartRelated(contentType: string, body: Buffer): [Part, Part] {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!/^multipart\/related/i.test(contentType) || !match) {
    throw new StorageError(400, 'invalid', `uploadType=multipart needs a multipart/related body, got ${contentType || 'none'}`);
  }
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const raw = body.subarray(start, next);
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new StorageError(400, 'invalid', 'A multipart part has no header block.');
    const headers = raw.subarray(0, headerEnd).toString('utf8');
    let content = raw.subarray(headerEnd + 4);
    if (content.subarray(content.length - 2).toString() === '\r\n') content = content.subarray(0, content.length - 2);
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({ contentType: type, body: content });
    at = next;
  }
  if (parts.length !== 2) throw new StorageError(400, 'invalid', `A multipart upload has 2 parts (metadata, media), got ${parts.length}.`);
  return [parts[0], parts[1]];
}

function tooLarge(): StorageError {
  return new StorageError(413, 'uploadTooLarge', `The local Cloud Storage takes at most ${MAX_BODY_BYTES} bytes per request.`);
}

function sendEmpty(res: http.ServerResponse): void {
  res.writeHead(204);
  res.end();
}
