import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import { Validator } from '@seriousme/openapi-schema-validator';
import { deployName, functionEntries } from '../../../manifest/manifest';
import { buildOpenApiDocument } from '../../../functions/docs/openapiDocument';
import { STATUS_BY_CODE, type ErrorCode } from '../../../functions/shared/errors';
import { problemAnchor, problemType } from '../../../functions/shared/http/problem';

type Operation = {
  requestBody?: { content: Record<string, { schema: { $ref: string }; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
};

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument();
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const schemas = (doc.components as { schemas: Record<string, object> }).schemas;

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('describes every function of the manifest under its deployed name, the first segment under the front door', () => {
    for (const fn of functionEntries()) {
      const name = deployName(fn.name);
      assert.ok(
        Object.keys(paths).some((p) => p === `/${name}` || p.startsWith(`/${name}/`)),
        `no path for ${fn.name} (/${name})`,
      );
    }
    const first = new Set(Object.keys(paths).map((p) => p.split('/')[1]));
    assert.deepEqual(
      [...first].sort(),
      functionEntries()
        .map((f) => deployName(f.name))
        .sort(),
      'every path starts with a function',
    );
  });

  it('names the front door as its server: the given URL, or the cloudfunctions.net template', () => {
    assert.deepEqual(
      (buildOpenApiDocument('http://127.0.0.1:8089').servers as { url: string }[]).map((s) => s.url),
      ['http://127.0.0.1:8089'],
    );
    assert.equal((doc.servers as { url: string }[])[0].url, 'https://{region}-{project}.cloudfunctions.net');
  });

  it('explains every problem type under the anchor its type URI points at', () => {
    const description = (doc.info as { description: string }).description;
    for (const code of Object.keys(STATUS_BY_CODE) as ErrorCode[]) {
      const type = problemType(code, 'https://r-p.cloudfunctions.net');
      assert.equal(type, `https://r-p.cloudfunctions.net/docs/#${problemAnchor(code)}`);
      assert.ok(description.includes(`id="${problemAnchor(code)}"`), `no section for ${code}`);
    }
    assert.equal(problemType('not_found', undefined), 'about:blank', 'no front door: nothing more than the status');
  });

  it('gives every operation a description, and every error a problem+json body', () => {
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        const { summary, description } = op as { description?: string; summary?: string };
        assert.ok(summary, `${method} ${path} has no summary`);
        assert.ok(description && description.length > summary.length, `${method} ${path} has no description beyond its summary`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) {
            assert.ok(response.content?.['application/problem+json'], `${method} ${path} ${status} is not a problem`);
          }
        }
      }
    }
  });

  it('has examples that validate against their own schemas', () => {
    const ajv = new Ajv({ strict: false });
    for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    let examples = 0;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        const media = [
          ...Object.values(op.requestBody?.content ?? {}),
          ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
        ];
        for (const m of media) {
          if (m.example === undefined) continue;
          examples++;
          // A component schema by reference, or one written inline: every example is checked.
          const ref = m.schema?.$ref;
          const validate = ref ? ajv.getSchema(ref)! : ajv.compile(m.schema ?? {});
          assert.ok(
            validate(m.example),
            `${method} ${path}: example for ${ref ?? 'an inline schema'} is invalid: ${JSON.stringify(validate.errors)}`,
          );
        }
      }
    }
    assert.ok(examples > 30, `only ${examples} examples found`);
  });
});
