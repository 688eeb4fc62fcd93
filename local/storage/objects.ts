import { createHash } from 'node:crypto';

/**
 * The in-memory state of the local Cloud Storage: buckets holding objects, each object its bytes
 * and the metadata the JSON API returns (`generation`, `size`, `md5Hash`, `crc32c`...). The
 * client library checks `crc32c`/`md5Hash` after an upload and `x-goog-hash` after a download,
 * so both are computed for real.
 */
export interface StoredObject {
  name: string;
  bucket: string;
  data: Buffer;
  contentType: string;
  generation: string;
  metageneration: string;
  timeCreated: string;
  updated: string;
  md5Hash: string;
  crc32c: string;
  metadata?: Record<string, string>;
}

export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface Bucket {
  name: string;
  timeCreated: string;
  objects: Map<string, StoredObject>;
}

/** The store as saved between runs: buckets and object metadata, each object's bytes beside it. */
export interface StoreSnapshot {
  generation: number;
  buckets: { name: string; timeCreated: string; objects: Omit<StoredObject, 'data'>[] }[];
}

export class ObjectStore {
  private readonly buckets = new Map<string, Bucket>();
  private generation = Date.now() * 1000;

  /** Every bucket and object's metadata; the caller keeps each object's bytes (`get(...).data`). */
  snapshot(): StoreSnapshot {
    return {
      generation: this.generation,
      buckets: [...this.buckets.values()].map((b) => ({
        name: b.name,
        timeCreated: b.timeCreated,
        objects: [...b.objects.values()].map(({ data: _data, ...meta }) => meta),
      })),
    };
  }

  /** Takes back saved buckets and objects (generations included, so links that carry one still work). */
  restore(snapshot: StoreSnapshot, data: (bucket: string, name: string) => Buffer): void {
    this.generation = Math.max(this.generation, snapshot.generation);
    for (const b of snapshot.buckets) {
      const objects = new Map(b.objects.map((o) => [o.name, { ...o, data: data(b.name, o.name) }]));
      this.buckets.set(b.name, { name: b.name, timeCreated: b.timeCreated, objects });
    }
  }

  createBucket(name: string): Record<string, unknown> {
    if (this.buckets.has(name)) throw new StorageError(409, 'conflict', `The requested bucket name is not available: ${name}`);
    if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(name)) throw new StorageError(400, 'invalid', `Invalid bucket name: '${name}'`);
    this.buckets.set(name, { name, timeCreated: new Date().toISOString(), objects: new Map() });
    return this.bucketResource(name);
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  bucketResource(name: string): Record<string, unknown> {
    const bucket = this.bucket(name);
    return {
      kind: 'storage#bucket',
      id: name,
      name,
      timeCreated: bucket.timeCreated,
      location: 'US',
      storageClass: 'STANDARD',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    };
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw new StorageError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.buckets.delete(name);
  }

  put(
    bucketName: string,
    name: string,
    data: Buffer,
    contentType = 'application/octet-stream',
    metadata?: Record<string, string>,
  ): StoredObject {
    validateObjectName(name);
    const bucket = this.bucket(bucketName);
    const now = new Date().toISOString();
    const object: StoredObject = {
      name,
      bucket: bucketName,
      data,
      contentType,
      generation: String(++this.generation),
      metageneration: '1',
      timeCreated: now,
      updated: now,
      md5Hash: createHash('md5').update(data).digest('base64'),
      crc32c: crc32cBase64(data),
      ...(metadata ? { metadata } : {}),
    };
    bucket.objects.set(name, object);
    return object;
  }

  get(bucketName: string, name: string): StoredObject {
    const found = this.find(bucketName, name);
    if (!found) throw new StorageError(404, 'notFound', `No such object: ${bucketName}/${name}`);
    return found;
  }

  /** The object, or undefined when there is none (the bucket must exist). */
  find(bucketName: string, name: string): StoredObject | undefined {
    return this.bucket(bucketName).objects.get(name);
  }

  delete(bucketName: string, name: string): void {
    const bucket = this.bucket(bucketName);
    if (!bucket.objects.delete(name)) throw new StorageError(404, 'notFound', `No such object: ${bucketName}/${name}`);
  }

  /** Objects whose name starts with `prefix`, in name order (as the API lists them). */
  list(bucketName: string, prefix = ''): StoredObject[] {
    return [...this.bucket(bucketName).objects.values()]
      .filter((o) => o.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  /** Empties every bucket; the buckets themselves stay, as Terraform left them. */
  clearObjects(): void {
    for (const bucket of this.buckets.values()) bucket.objects.clear();
  }

  private bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new StorageError(404, 'notFound', `The specified bucket does not exist: ${name}`);
    return bucket;
  }
}

/** The object resource of the JSON API. */
export function objectResource(o: StoredObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(o.name)}`;
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: o.generation,
    metageneration: o.metageneration,
    contentType: o.contentType,
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: Buffer.from(o.generation).toString('base64'),
    timeCreated: o.timeCreated,
    updated: o.updated,
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

/** Object names: 1 to 1024 bytes of UTF-8, no CR or LF, not `.` or `..` (the API's rules). */
function validateObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..') {
    throw new StorageError(400, 'invalid', `Invalid object name: '${name}'`);
  }
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli) of `data`, big-endian and base64-encoded, as Cloud Storage reports it. */
export function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}
