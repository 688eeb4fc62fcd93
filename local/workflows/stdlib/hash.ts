import { createHash, createHmac } from 'node:crypto';
import { wfError } from '../errors';
import { Bytes } from '../values';
import { arg, def, StdFunction } from './registry';

const ALGORITHMS: Record<string, string> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

function algorithm(fn: string, name: string): string {
  const a = ALGORITHMS[name.toUpperCase()];
  if (!a) throw wfError('ValueError', `${fn}: unsupported algorithm ${name} (${Object.keys(ALGORITHMS).join(', ')})`);
  return a;
}

/** `hash.*` (https://cloud.google.com/workflows/docs/reference/stdlib/hash/compute_checksum): bytes in, bytes out. */
export const hashFunctions: StdFunction[] = [
  def('hash.compute_checksum', ['data', 'algorithm'], (a) => {
    const data = arg<Bytes>('hash.compute_checksum', a, 0, 'data', 'bytes');
    const alg = algorithm('hash.compute_checksum', arg<string>('hash.compute_checksum', a, 1, 'algorithm', 'string'));
    return new Bytes(createHash(alg).update(data.data).digest());
  }),
  def('hash.compute_hmac', ['key', 'data', 'algorithm'], (a) => {
    const key = arg<Bytes>('hash.compute_hmac', a, 0, 'key', 'bytes');
    const data = arg<Bytes>('hash.compute_hmac', a, 1, 'data', 'bytes');
    const alg = algorithm('hash.compute_hmac', arg<string>('hash.compute_hmac', a, 2, 'algorithm', 'string'));
    return new Bytes(createHmac(alg, key.data).update(data.data).digest());
  }),
];
