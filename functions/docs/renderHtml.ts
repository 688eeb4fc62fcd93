import type { OpenApiObject } from '../shared/openapi/fragments';

/**
 * A self-contained HTML rendering of the OpenAPI document: operations grouped by tag, with
 * parameters, request and response bodies and their schemas and examples. Self-contained on
 * purpose: Swagger UI and Redoc load scripts from a CDN, which a locked-down network (or the
 * offline local cloud) does not reach.
 */
export function renderHtml(doc: OpenApiObject): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, OpenApiObject>>;
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  const tags = doc.tags as { name: string; description: string }[];
  const sections = tags.map((tag) => {
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.tags as string[] | undefined)?.includes(tag.name))
        .map(([method, op]) => renderOperation(method, path, op)),
    );
    return `<section><h2>${esc(tag.name)}</h2><p>${esc(tag.description)}</p>${operations.join('')}</section>`;
  });
  const schemaList = Object.entries(schemas)
    .map(([name, schema]) => `<h3 id="schema-${esc(name)}">${esc(name)}</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:0}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f7;padding:.6rem;overflow:auto;border-radius:4px}
.op{border:1px solid #ddd;border-radius:6px;padding:.4rem 1rem;margin:1rem 0}.m{font-weight:700;text-transform:uppercase;margin-right:.5rem}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.patch{color:#707}table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}
</style></head><body>
<h1>${esc(info.title)}</h1><p>Version ${esc(info.version)} · <a href="docs/openapi.json">openapi.json</a></p><p>${esc(info.description)}</p>
${sections.join('\n')}
<section><h2>Schemas</h2>${schemaList}</section>
</body></html>`;
}

function renderOperation(method: string, path: string, op: OpenApiObject): string {
  const params = (op.parameters as OpenApiObject[] | undefined) ?? [];
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(String(p.name))}</code></td><td>${esc(String(p.in))}</td><td>${p.required ? 'required' : 'optional'}</td><td>${esc(String(p.description ?? ''))}</td></tr>`,
    )
    .join('');
  const body = op.requestBody as OpenApiObject | undefined;
  const bodyHtml = body
    ? `<h4>Request body</h4><p>${esc(String(body.description ?? ''))}</p>${renderContent(body.content as OpenApiObject)}`
    : '';
  const responses = Object.entries(op.responses as Record<string, OpenApiObject>)
    .map(
      ([status, r]) =>
        `<tr><td><b>${esc(status)}</b></td><td>${esc(String(r.description))}${r.content ? renderContent(r.content as OpenApiObject) : ''}</td></tr>`,
    )
    .join('');
  return `<div class="op"><h3><span class="m ${esc(method)}">${esc(method)}</span><code>${esc(path)}</code> — ${esc(String(op.summary ?? ''))}</h3>
<p>${esc(String(op.description ?? ''))}</p>
${paramRows ? `<h4>Parameters</h4><table>${paramRows}</table>` : ''}${bodyHtml}
<h4>Responses</h4><table>${responses}</table></div>`;
}

function renderContent(content: OpenApiObject): string {
  return Object.entries(content)
    .map(([type, media]) => {
      const m = media as OpenApiObject;
      const ref = (m.schema as { $ref?: string } | undefined)?.$ref;
      const schema = ref ? `<a href="#schema-${esc(ref.split('/').pop()!)}">${esc(ref.split('/').pop()!)}</a>` : '';
      const example = m.example !== undefined ? `<pre>${esc(JSON.stringify(m.example, null, 2))}</pre>` : '';
      return `<p><code>${esc(type)}</code> ${schema}</p>${example}`;
    })
    .join('');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
