/**
 * The docs page: Swagger UI over this deployment's own OpenAPI document. Swagger UI rather than
 * Redoc or Scalar: its "try it out" sends real requests from the page (Redoc has none), it is
 * what FastAPI serves at `/docs` (and so what the seed projects' users know), it renders the
 * descriptions' Markdown, and `swagger-ui-dist` is one prebuilt bundle with no runtime
 * dependencies to serve from the function itself.
 *
 * Every URL in the page is relative, so it works wherever the function is mounted: at
 * `<front door>/docs/` (the function sees `/`) and at the function's own URL. A page opened as
 * `.../docs` without the slash would resolve them one level too high, so the page first adds it.
 */
export function swaggerPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>if (!location.pathname.endsWith('/')) location.replace(location.pathname + '/' + location.search + location.hash);</script>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="favicon-16x16.png" sizes="16x16">
</head>
<body>
<noscript>This page needs JavaScript; the document itself is at <a href="openapi.json">openapi.json</a> and <a href="openapi.yaml">openapi.yaml</a>.</noscript>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="swagger-initializer.js"></script>
</body>
</html>
`;
}

/**
 * Starts Swagger UI on `openapi.json`. `validatorUrl: null`: by default the page sends the
 * document to validator.swagger.io, which an offline or private deployment must not do (the
 * document is validated in the tests). The document's server is this front door, so "try it
 * out" calls are same-origin. A link to a problem type (`#problem-validation-failed`) names a
 * section Swagger UI renders after loading, so the page scrolls to it once rendered.
 */
export const SWAGGER_INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    filter: true,
    tryItOutEnabled: false,
    validatorUrl: null,
    onComplete: function () {
      var id = decodeURIComponent(location.hash.slice(1));
      if (id.indexOf('problem-') !== 0) return;
      var target = document.getElementById(id);
      if (target) target.scrollIntoView();
    },
  });
});
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
