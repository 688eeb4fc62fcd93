import type { Request } from '@google-cloud/functions-framework';
import { HttpError } from '../errors';

/** One file part of a multipart/form-data body. */
export interface UploadedFile {
  /** The form field it was sent under (`image`, `audio`). */
  field: string;
  /** The client's file name (`cat.png`), as sent. */
  filename: string;
  /** The part's declared Content-Type, lower-cased. */
  mimeType: string;
  data: Buffer;
}

export interface MultipartBody {
  files: UploadedFile[];
  fields: Record<string, string>;
}

export interface MultipartLimits {
  /** Largest file accepted; a larger one is a 413. */
  maxFileBytes: number;
  /** Most file parts accepted. */
  maxFiles?: number;
}

export function isMultipartFormData(req: Request): boolean {
  return /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '');
}

/**
 * Parses a multipart/form-data body with busboy. The Functions Framework has already read the
 * whole body into `req.rawBody` (its raw parser takes any content type), so this parses that
 * buffer rather than the request stream, which is already drained. A malformed body is a 400
 * problem, an oversize file a 413, never a 500.
 */
export async function readMultipart(req: Request, limits: MultipartLimits): Promise<MultipartBody> {
  const raw = req.rawBody;
  if (!raw || raw.length === 0) throw new HttpError('invalid_body', 'The multipart body is empty.');
  let busboy: import('busboy').Busboy;
  try {
    busboy = (require('busboy') as typeof import('busboy'))({
      headers: req.headers as Record<string, string>,
      limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles ?? 4, fields: 20, fieldSize: 64 * 1024, parts: 30 },
    });
  } catch (err) {
    // busboy refuses a Content-Type without a boundary before reading anything.
    throw new HttpError('invalid_body', `The multipart body cannot be read: ${(err as Error).message}.`);
  }
  return new Promise<MultipartBody>((resolve, reject) => {
    const result: MultipartBody = { files: [], fields: {} };
    let failure: HttpError | undefined;
    const fail = (err: HttpError): void => {
      failure ??= err;
    };
    busboy.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A body cut short fails the part's stream as well as busboy: without a listener here that
      // error would be thrown at the process instead of becoming a 400.
      stream.on('error', (err: Error) => fail(new HttpError('invalid_body', `The multipart body is malformed: ${err.message}.`)));
      stream.on('limit', () =>
        fail(
          new HttpError('payload_too_large', `The file in part "${field}" is larger than ${limits.maxFileBytes} bytes.`, {
            errors: [{ pointer: `#/${field}`, detail: `must be at most ${limits.maxFileBytes} bytes` }],
          }),
        ),
      );
      stream.on('end', () => {
        result.files.push({
          field,
          filename: info.filename ?? '',
          mimeType: (info.mimeType ?? '').toLowerCase(),
          data: Buffer.concat(chunks),
        });
      });
    });
    busboy.on('field', (name, value) => {
      result.fields[name] = value;
    });
    busboy.on('filesLimit', () =>
      fail(new HttpError('invalid_body', `At most ${limits.maxFiles ?? 4} files are accepted in one request.`)),
    );
    busboy.on('error', (err: Error) =>
      reject(failure ?? new HttpError('invalid_body', `The multipart body is malformed: ${err.message}.`)),
    );
    busboy.on('close', () => (failure ? reject(failure) : resolve(result)));
    busboy.end(raw);
  });
}

/** The single file sent under `field`, or a 400 problem pointing at the field. */
export function singleFile(body: MultipartBody, field: string): UploadedFile {
  const found = body.files.filter((f) => f.field === field);
  if (found.length !== 1) {
    const detail = found.length === 0 ? 'is required: send the file as a multipart/form-data part with this name' : 'must be sent once';
    throw new HttpError('validation_failed', `The multipart part "${field}" ${detail}.`, { errors: [{ pointer: `#/${field}`, detail }] });
  }
  return found[0];
}
