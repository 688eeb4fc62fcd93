import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import { Validator } from '@seriousme/openapi-schema-validator';
import { FUNCTIONS } from '../../../functions/catalog';
import { buildOpenApiDocument } from '../../../functions/docs/openapiDocument';
import { renderHtml } from '../../../functions/docs/renderHtml';

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

  it('describes every function of the catalog', () => {
    for (const fn of FUNCTIONS) {
      assert.ok(
        Object.keys(paths).some((p) => p === `/${fn.name}` || p.startsWith(`/${fn.name}/`)),
        `no path for ${fn.name}`,
      );
    }
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

  it('renders a readable page naming every operation', () => {
    const html = renderHtml(doc);
    assert.match(html, /^<!doctype html>/);
    for (const path of Object.keys(paths)) assert.ok(html.includes(`<code>${path}</code>`), `page lacks ${path}`);
    assert.doesNotMatch(html, /<script/i, 'self-contained: no scripts from anywhere');
  });
});
