import * as assert from 'node:assert/strict';
import { FakeServer, json, startFakeServer } from './fake-server';
import { failure, refusal, result, run } from './harness';

const DOC = 'projects/test-project/databases/(default)/documents/pipeline_state/ada';

// Argument names from the connector reference pages
// (https://cloud.google.com/workflows/docs/reference/googleapis/firestore/v1/Overview and .../bigquery/v2/Overview);
// the fake server plays the Firestore emulator's and the local BigQuery's REST APIs.
describe('workflows conformance: connectors (docs: reference/googleapis/firestore/v1, bigquery/v2)', () => {
  let srv: FakeServer;
  let busy = 0;
  before(async () => {
    srv = await startFakeServer((req, res) => {
      if (busy > 0) {
        busy--;
        return json(res, 503, { error: { code: 503, message: 'unavailable', status: 'UNAVAILABLE' } });
      }
      if (req.path.endsWith('/missing'))
        return json(res, 404, { error: { code: 404, message: 'Document not found', status: 'NOT_FOUND' } });
      if (req.path.endsWith('/exists') && req.method === 'POST')
        return json(res, 409, { error: { code: 409, message: 'Document already exists', status: 'ALREADY_EXISTS' } });
      if (req.path.includes('/queries'))
        return json(res, 200, { kind: 'bigquery#queryResponse', jobComplete: true, totalRows: '1', rows: [{ f: [{ v: '42' }] }] });
      if (req.path.endsWith('/insertAll')) return json(res, 200, { kind: 'bigquery#tableDataInsertAllResponse' });
      if (req.path.endsWith(':commit'))
        return json(res, 200, { writeResults: [{ updateTime: '2026-01-01T00:00:00Z' }], commitTime: '2026-01-01T00:00:00Z' });
      if (req.method === 'DELETE') return json(res, 200, {});
      return json(res, 200, { name: DOC, fields: { done: { arrayValue: { values: [{ stringValue: 'valid_input_check' }] } } } });
    });
  });
  after(() => srv.close());
  beforeEach(() => {
    srv.seen.length = 0;
    busy = 0;
  });
  const opts = (): Parameters<typeof run>[2] => ({ firestore: srv.url.replace('http://', ''), bigquery: srv.url });

  it('firestore documents.patch with updateMask and currentDocument args goes to PATCH /v1/{name} with the emulator owner token', async () => {
    const r = await result(
      `
- write:
    call: googleapis.firestore.v1.projects.databases.documents.patch
    args:
      name: ${DOC}
      updateMask:
        fieldPaths: ["done"]
      currentDocument:
        exists: false
      body:
        fields:
          done:
            arrayValue:
              values:
                - stringValue: "valid_input_check"
    result: doc
- r:
    return: \${doc.name}
`,
      undefined,
      opts(),
    );
    assert.equal(r, DOC);
    const req = srv.seen[0];
    assert.equal(req.method, 'PATCH');
    assert.equal(req.path, `/v1/${DOC}`.replace('(default)', '(default)'));
    assert.deepEqual(req.query, { 'updateMask.fieldPaths': 'done', 'currentDocument.exists': 'false' });
    assert.equal(req.headers.authorization, 'Bearer owner');
    assert.deepEqual(JSON.parse(req.body), { fields: { done: { arrayValue: { values: [{ stringValue: 'valid_input_check' }] } } } });
  });

  it('the dotted argument names of the reference page work too (updateMask.fieldPaths)', async () => {
    await result(
      `
- write:
    call: googleapis.firestore.v1.projects.databases.documents.patch
    args:
      name: ${DOC}
      updateMask.fieldPaths: ["a", "b"]
      body: {fields: {}}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(srv.seen[0].query, { 'updateMask.fieldPaths': ['a', 'b'] });
  });

  it('firestore get, createDocument, delete and commit (with an appendMissingElements transform)', async () => {
    await result(
      `
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args: {name: "${DOC}"}
- create:
    call: googleapis.firestore.v1.projects.databases.documents.createDocument
    args:
      parent: projects/test-project/databases/(default)/documents
      collectionId: pipeline_state
      documentId: bob
      body: {fields: {n: {integerValue: "1"}}}
- del:
    call: googleapis.firestore.v1.projects.databases.documents.delete
    args: {name: "${DOC}"}
- commit:
    call: googleapis.firestore.v1.projects.databases.documents.commit
    args:
      database: projects/test-project/databases/(default)
      body:
        writes:
          - transform:
              document: ${DOC}
              fieldTransforms:
                - fieldPath: done
                  appendMissingElements:
                    values:
                      - stringValue: process
    result: c
- r:
    return: \${c.commitTime}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(
      srv.seen.map((s) => `${s.method} ${s.path}`),
      [
        `GET /v1/${DOC}`,
        'POST /v1/projects/test-project/databases/(default)/documents/pipeline_state',
        `DELETE /v1/${DOC}`,
        'POST /v1/projects/test-project/databases/(default)/documents:commit',
      ],
    );
    assert.deepEqual(srv.seen[1].query, { documentId: 'bob' });
    assert.equal(
      JSON.parse(srv.seen[3].body).writes[0].transform.fieldTransforms[0].appendMissingElements.values[0].stringValue,
      'process',
    );
  });

  it('connector errors are HttpError maps like the real ones; catchable', async () => {
    const e = await failure(
      `
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args: {name: "projects/test-project/databases/(default)/documents/c/missing"}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(e.tags, ['HttpError']);
    assert.equal(e.code, 404);
    assert.equal((e.body as { error: { status: string } }).error.status, 'NOT_FOUND');
    const caught = await result(
      `
- create:
    try:
      call: googleapis.firestore.v1.projects.databases.documents.createDocument
      args:
        parent: projects/test-project/databases/(default)/documents
        collectionId: exists
        body: {fields: {}}
    except:
      as: e
      steps:
        - r:
            return: \${e.code}
`,
      undefined,
      opts(),
    );
    assert.equal(caught, 409);
  });

  it('connectors retry 503 themselves before raising (docs: workflows/docs/connectors, retry policy)', async () => {
    busy = 2;
    const o = await run(
      `
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args: {name: "${DOC}"}
    result: d
- r:
    return: \${d.name}
`,
      undefined,
      opts(),
    );
    assert.equal(o.result, DOC);
    assert.deepEqual(o.clock.sleeps, [1000, 1250]);
  });

  it('bigquery tabledata.insertAll and jobs.query use the standard REST paths of the local BigQuery', async () => {
    const r = await result(
      `
- insert:
    call: googleapis.bigquery.v2.tabledata.insertAll
    args:
      projectId: test-project
      datasetId: pipeline
      tableId: results
      body:
        rows:
          - json: {name: "ada", valid_input_check: "Success", process: null}
    result: ins
- query:
    call: googleapis.bigquery.v2.jobs.query
    args:
      projectId: test-project
      body:
        query: SELECT 42
        useLegacySql: false
    result: q
- r:
    return: \${[ins.kind, q.rows[0].f[0].v]}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(r, ['bigquery#tableDataInsertAllResponse', '42']);
    assert.deepEqual(
      srv.seen.map((s) => `${s.method} ${s.path}`),
      [
        'POST /bigquery/v2/projects/test-project/datasets/pipeline/tables/results/insertAll',
        'POST /bigquery/v2/projects/test-project/queries',
      ],
    );
    assert.deepEqual(JSON.parse(srv.seen[0].body), { rows: [{ json: { name: 'ada', valid_input_check: 'Success', process: null } }] });
  });

  it('bigquery tabledata.list sends its paging arguments as query parameters', async () => {
    await result(
      `
- list:
    call: googleapis.bigquery.v2.tabledata.list
    args: {projectId: p, datasetId: d, tableId: t, maxResults: 10}
`,
      undefined,
      opts(),
    );
    assert.equal(`${srv.seen[0].method} ${srv.seen[0].path}`, 'GET /bigquery/v2/projects/p/datasets/d/tables/t/data');
    assert.deepEqual(srv.seen[0].query, { maxResults: '10' });
  });

  it('connector arguments are checked at deploy against the method reference page: an unknown one is refused', () => {
    const e = refusal(`
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args: {name: "${DOC}", nonsense: 1}
`);
    assert.equal(e.construct, 'nonsense');
    assert.equal(e.pos?.line, 3);
    assert.match(
      e.message,
      /unknown argument "nonsense" \(its arguments: name, mask.fieldPaths, readTime, transaction, connector_params\)/,
    );
  });

  it('a missing required argument (a path parameter, or the body a method requires) is refused at deploy', () => {
    const noParent = refusal(`
- create:
    call: googleapis.firestore.v1.projects.databases.documents.createDocument
    args: {collectionId: c, body: {fields: {}}}
`);
    assert.equal(noParent.construct, 'parent');
    const noBody = refusal(`
- insert:
    call: googleapis.bigquery.v2.tabledata.insertAll
    args: {projectId: p, datasetId: d, tableId: t}
`);
    assert.equal(noBody.construct, 'body');
    assert.match(noBody.message, /missing required argument "body"/);
  });

  it("createDocument takes documentId flat (reference page) or in a query map (Google's connector_firestore sample)", async () => {
    await result(
      `
- flat:
    call: googleapis.firestore.v1.projects.databases.documents.createDocument
    args:
      parent: projects/test-project/databases/(default)/documents
      collectionId: c
      documentId: one
      body: {fields: {}}
- in_query:
    call: googleapis.firestore.v1.projects.databases.documents.createDocument
    args:
      parent: projects/test-project/databases/(default)/documents
      collectionId: c
      query:
        documentId: \${"tw" + "o"}
      body: {fields: {}}
- in_query_expression:
    call: googleapis.firestore.v1.projects.databases.documents.createDocument
    args:
      parent: projects/test-project/databases/(default)/documents
      collectionId: c
      query: '\${ {"documentId": "three"} }'
      body: {fields: {}}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(
      srv.seen.map((r) => r.query),
      [{ documentId: 'one' }, { documentId: 'two' }, { documentId: 'three' }],
    );
  });

  it('connector_params with its documented keys is accepted; an undocumented key is refused (docs: reference/googleapis, "Invoke a connector call")', async () => {
    await result(
      `
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args:
      name: ${DOC}
      connector_params: {timeout: 60, scopes: ["https://www.googleapis.com/auth/datastore"]}
`,
      undefined,
      opts(),
    );
    const e = refusal(`
- get:
    call: googleapis.firestore.v1.projects.databases.documents.get
    args:
      name: ${DOC}
      connector_params: {retries: 3}
`);
    assert.equal(e.construct, 'connector_params.retries');
  });

  it('an argument map given by an expression is checked when the call runs: an unknown name is a TypeError', async () => {
    const e = await failure(
      `
- get:
    call: googleapis.firestore.v1.projects.databases.documents.patch
    args:
      name: ${DOC}
      updateMask: '\${ {"fieldPaths": ["a"], "nonsense": 1} }'
      body: {fields: {}}
`,
      undefined,
      opts(),
    );
    assert.deepEqual(e.tags, ['TypeError']);
    assert.match(e.message!, /unknown argument "updateMask.nonsense"/);
  });
});
