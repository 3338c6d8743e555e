import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.js';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const DOCS_HTML = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Guichet — documentation de l'API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><main id="api"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`;
const INIT_JS = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api', deepLinking: true });\n";

/**
 * No inline script, nothing from elsewhere: an injected script or a framed page has no effect.
 * Swagger UI sets inline styles and draws some icons as data: images.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `/openapi.json` is generated from the same zod schemas that validate requests; `/docs` renders it
 * with Swagger UI served from the local package (no CDN: works on an isolated network).
 */
export function registerDocsRoutes(app: OpenAPIHono<AppEnv>): void {
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Guichet',
      version: '0.1.0',
      description:
        "API compatible OpenAI de Guichet, l'assistant IA souverain des services publics. Authentification : `Authorization: Bearer <clé>`.",
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.get('/docs', (c) => {
    c.header('content-security-policy', DOCS_CSP);
    c.header('x-content-type-options', 'nosniff');
    return c.html(DOCS_HTML);
  });
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    c.header('content-security-policy', DOCS_CSP);
    c.header('x-content-type-options', 'nosniff');
    if (file === 'init.js') return c.body(INIT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const type = ASSETS[file];
    if (!type) return c.notFound();
    c.header('cache-control', 'public, max-age=86400');
    return c.body(readFileSync(join(SWAGGER_DIR, file)), 200, { 'content-type': type });
  });
}
