import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files of the `swagger-ui-dist` package the docs page loads, served by the docs function
 * itself so the page works offline and in a private deployment (no CDN). `swagger-ui-dist` is a
 * development dependency: packaging (`scripts/packageFunctions.ts`) copies these files into the
 * docs function's folder, beside its module, so Cloud Build never installs the package (whose
 * `@scarf/scarf` dependency reports installs over the network).
 */
export const SWAGGER_UI_FILES = {
  package: 'swagger-ui-dist',
  /** The folder beside the docs module that holds the copies in a packaged function. */
  dir: 'swagger-ui',
  /** Served files and their content types. */
  served: {
    'swagger-ui.css': 'text/css; charset=utf-8',
    'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
    'favicon-32x32.png': 'image/png',
    'favicon-16x16.png': 'image/png',
  } as Record<string, string>,
  /** Shipped with the copies (Apache-2.0 asks for them), not served. */
  legal: ['LICENSE', 'NOTICE'],
} as const;

/**
 * Where the files are: the packaged copies beside the docs module when deployed, else the
 * installed package (`make dev`, the tests), whose files are the same bytes.
 */
export function swaggerUiDir(moduleDir: string): string {
  const packaged = path.join(moduleDir, SWAGGER_UI_FILES.dir);
  if (fs.existsSync(packaged)) return packaged;
  return path.dirname(require.resolve(`${SWAGGER_UI_FILES.package}/package.json`));
}
