import * as sinon from 'sinon';

/**
 * A Cloud Storage bucket in memory for tests of code that writes and reads objects: each file's
 * `save`, `download` and `delete` is a sinon stub (one file object per name) over `objects`, and
 * a missing object fails with `code: 404` as the client's errors do.
 */
interface FakeFile {
  name: string;
  metadata: Record<string, unknown>;
  save: sinon.SinonStub;
  download: sinon.SinonStub;
  delete: sinon.SinonStub;
}

/** A bucket named `name`; `objects` holds what was saved, `files` the file objects handed out. */
export function fakeBucket(name = 'bucket') {
  const objects = new Map<string, { data: Buffer; contentType?: string }>();
  const files = new Map<string, FakeFile>();
  let generation = 1000;
  const notFound = (file: string): Error => Object.assign(new Error(`No such object: ${name}/${file}`), { code: 404 });
  const file = sinon.stub().callsFake((fileName: string) => {
    let f = files.get(fileName);
    if (!f) {
      const created: FakeFile = {
        name: fileName,
        metadata: {},
        save: sinon.stub().callsFake(async (data: Buffer | string, options: { contentType?: string } = {}) => {
          objects.set(fileName, { data: Buffer.from(data), contentType: options.contentType });
          created.metadata = { generation: String(++generation), contentType: options.contentType };
        }),
        download: sinon.stub().callsFake(async () => {
          const o = objects.get(fileName);
          if (!o) throw notFound(fileName);
          return [o.data];
        }),
        delete: sinon.stub().callsFake(async (options: { ignoreNotFound?: boolean } = {}) => {
          if (!objects.delete(fileName) && !options.ignoreNotFound) throw notFound(fileName);
          return [{}];
        }),
      };
      f = created;
      files.set(fileName, f);
    }
    return f;
  });
  return { bucket: { name, file }, objects, files, file };
}
