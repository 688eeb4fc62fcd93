import { HttpError } from '../shared/errors';
import type { UploadedFile } from '../shared/http/multipart';

/** The image types accounts take, by the file name extension and declared type a client sends. */
const EXTENSIONS = ['.jpeg', '.jpg', '.png'];
const MIME_TYPES = ['image/jpeg', 'image/png'];

/** Leading bytes of each accepted type: what is stored and served must really be that type. */
const SIGNATURES: Record<string, Buffer> = {
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

export interface CheckedImage {
  data: Buffer;
  contentType: 'image/jpeg' | 'image/png';
}

/**
 * Checks an uploaded image: a `.jpeg`/`.jpg`/`.png` file name, a declared `image/jpeg` or
 * `image/png` type, and content that starts like that type (the bytes are later served back
 * under it, so a script renamed to `.png` must not get through). 400 with a pointer otherwise.
 */
export function checkImage(file: UploadedFile): CheckedImage {
  const pointer = `#/${file.field}`;
  const refuse = (detail: string): never => {
    throw new HttpError('validation_failed', `The image ${detail}.`, { errors: [{ pointer, detail }] });
  };
  const name = file.filename.toLowerCase();
  if (!EXTENSIONS.some((ext) => name.endsWith(ext))) refuse(`file name must end in ${EXTENSIONS.join(', ')}, got "${file.filename}"`);
  if (!MIME_TYPES.includes(file.mimeType)) refuse(`must be sent as ${MIME_TYPES.join(' or ')}, got ${file.mimeType || 'no type'}`);
  if (file.data.length === 0) refuse('is empty');
  const contentType = file.mimeType as CheckedImage['contentType'];
  if (!file.data.subarray(0, SIGNATURES[contentType].length).equals(SIGNATURES[contentType])) {
    refuse(`content is not a ${contentType === 'image/png' ? 'PNG' : 'JPEG'} image`);
  }
  return { data: file.data, contentType };
}
