import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env.js';

/**
 * The web UI (advisor assistant and admin console): plain ES modules from `web/` and the DSFR's
 * dist files from `node_modules/@gouvfr/dsfr/dist`, served as they are (no build step). Nothing is
 * fetched from another origin: the UI works on an isolated network.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WEB_DIR = join(ROOT, 'web');
const DSFR_DIR = join(ROOT, 'node_modules', '@gouvfr', 'dsfr', 'dist');

/**
 * Browser builds of the well-kept libraries the UI uses, served from node_modules under fixed
 * names (only these files): Markdown parser, HTML sanitiser, charts.
 */
const VENDOR: Record<string, string> = {
  'marked.js': join(ROOT, 'node_modules', 'marked', 'lib', 'marked.esm.js'),
  'purify.js': join(ROOT, 'node_modules', 'dompurify', 'dist', 'purify.es.mjs'),
  'chart.js': join(ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** A file under `base`, or null when the path leaves it or does not exist. */
async function fileUnder(base: string, rel: string): Promise<{ path: string; size: number } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = normalize(join(base, decoded));
  if (path !== base && !path.startsWith(base + sep)) return null;
  const s = await stat(path).catch(() => null);
  return s?.isFile() ? { path, size: s.size } : null;
}

async function send(c: Context<AppEnv>, base: string, rel: string, cache: string): Promise<Response> {
  const f = await fileUnder(base, rel);
  if (!f) return c.text('Fichier introuvable.', 404);
  const body = await readFile(f.path);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': TYPES[extname(f.path).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
      'referrer-policy': 'same-origin',
    },
  });
}

export function registerWebRoutes(app: OpenAPIHono<AppEnv>): void {
  const page = (c: Context<AppEnv>) => send(c, WEB_DIR, 'index.html', 'no-cache');
  app.get('/', page);
  app.get('/index.html', page);
  app.get('/assets/*', (c) => send(c, WEB_DIR, c.req.path.slice('/assets/'.length), 'no-cache'));
  app.get('/vendor/:name', (c) => {
    const file = VENDOR[c.req.param('name')];
    if (!file) return c.text('Fichier introuvable.', 404);
    return send(c, dirname(file), basename(file), 'public, max-age=86400');
  });
  app.get('/dsfr/*', (c) => send(c, DSFR_DIR, c.req.path.slice('/dsfr/'.length), 'public, max-age=86400'));
  // A console section typed as a path (`/admin/outils-ia`) lands on the SPA's hash route.
  app.get('/admin/:section', (c) => {
    const section = c.req.param('section');
    return /^[a-z0-9-]{1,40}$/.test(section) ? c.redirect(`/#/admin/${section}`, 302) : c.notFound();
  });
  app.get('/favicon.ico', (c) => send(c, DSFR_DIR, 'favicon/favicon.ico', 'public, max-age=86400'));
}
