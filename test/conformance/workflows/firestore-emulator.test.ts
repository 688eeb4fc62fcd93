import * as assert from 'node:assert/strict';
import { result, run } from './harness';

const host = process.env.FIRESTORE_EMULATOR_HOST;

/**
 * The Firestore connector against the real emulator's REST API. Runs only when
 * FIRESTORE_EMULATOR_HOST is set (the end-to-end setup starts the emulator); skipped otherwise.
 * The workflow is System A's state-keeping: an idempotent set of `done`, then an append.
 */
(host ? describe : describe.skip)('workflows conformance: Firestore connector against the emulator', () => {
  const project = `wf-test-${Date.now()}`;
  const doc = `projects/${project}/databases/(default)/documents/pipeline_state/ada`;
  const src = `
main:
  params: [args]
  steps:
    - set_state:
        call: googleapis.firestore.v1.projects.databases.documents.patch
        args:
          name: \${args.doc}
          updateMask:
            fieldPaths: ["done"]
          body:
            fields:
              done:
                arrayValue:
                  values:
                    - stringValue: "valid_input_check"
    - append_process:
        call: googleapis.firestore.v1.projects.databases.documents.commit
        args:
          database: \${"projects/" + args.project + "/databases/(default)"}
          body:
            writes:
              - transform:
                  document: \${args.doc}
                  fieldTransforms:
                    - fieldPath: done
                      appendMissingElements:
                        values:
                          - stringValue: "process"
    - read_back:
        call: googleapis.firestore.v1.projects.databases.documents.get
        args:
          name: \${args.doc}
        result: d
    - r:
        return: \${d.fields.done.arrayValue.values}
`;

  it('patch is idempotent, commit appends with appendMissingElements, get reads it back', async () => {
    const opts = { firestore: host, projectId: project };
    const first = await result(src, { doc, project }, opts);
    assert.deepEqual(first, [{ stringValue: 'valid_input_check' }, { stringValue: 'process' }]);
    const second = await result(src, { doc, project }, opts);
    assert.deepEqual(second, first);
  });

  it('createDocument on an existing id is a 409 HttpError; get of a missing document is a 404', async () => {
    const o = await run(
      `
main:
  params: [args]
  steps:
    - create:
        try:
          call: googleapis.firestore.v1.projects.databases.documents.createDocument
          args:
            parent: \${"projects/" + args.project + "/databases/(default)/documents"}
            collectionId: pipeline_state
            documentId: ada
            body: {fields: {}}
        except:
          as: e
          steps:
            - keep:
                assign:
                  - created: \${e.code}
    - get_missing:
        try:
          call: googleapis.firestore.v1.projects.databases.documents.get
          args:
            name: \${"projects/" + args.project + "/databases/(default)/documents/pipeline_state/nobody"}
        except:
          as: e
          steps:
            - r:
                return: \${[created, e.code, e.tags]}
`,
      { project },
      { firestore: host, projectId: project },
    );
    assert.deepEqual(o.result, [409, 404, ['HttpError']]);
  });

  it('list and runQuery read the collection back', async () => {
    const r = await result(
      `
main:
  params: [args]
  steps:
    - list_docs:
        call: googleapis.firestore.v1.projects.databases.documents.list
        args:
          parent: \${"projects/" + args.project + "/databases/(default)/documents"}
          collectionId: pipeline_state
        result: listed
    - query:
        call: googleapis.firestore.v1.projects.databases.documents.runQuery
        args:
          parent: \${"projects/" + args.project + "/databases/(default)/documents"}
          body:
            structuredQuery:
              from: [{collectionId: pipeline_state}]
        result: found
    - r:
        return: \${[len(listed.documents), len(found)]}
`,
      { project },
      { firestore: host, projectId: project },
    );
    assert.deepEqual(r, [1, 1]);
  });
});
