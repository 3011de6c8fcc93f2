/**
 * Serves a built web page (e.g. `apps/web/dist`, the nerima page) as static files under `/app/`,
 * with `/` redirecting there. Paths are confined to the folder; `.dat.gz` dictionary files go out as
 * plain bytes (no `Content-Encoding`), as kuromoji gunzips them itself.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/** The URL prefix of the page. */
export const WEB_PREFIX = '/app/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Content type of a file name (`application/octet-stream` when unknown, e.g. `.bin`, `.gz`). */
export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that URL path `rel` (already without the prefix) names, or `undefined` when
 * it would leave `root` (`..`, an absolute path, a NUL byte).
 */
export function resolveInside(root: string, rel: string): string | undefined {
  if (rel.includes('\0')) return undefined;
  const full = path.resolve(root, `.${path.posix.sep}${rel}`);
  const back = path.relative(root, full);
  if (back.startsWith('..') || path.isAbsolute(back)) return undefined;
  return full;
}

/** Checks that `root` holds a built page (an `index.html`); throws a message saying what to do. */
export async function checkWebRoot(root: string): Promise<string> {
  const abs = path.resolve(root);
  const index = await stat(path.join(abs, 'index.html')).catch(() => null);
  if (!index?.isFile()) {
    throw new Error(
      `${abs}: no index.html, so there is no web page to serve; build it first (pnpm --filter @nerima/web build) ` +
        'and pass its dist folder',
    );
  }
  return abs;
}

/** Registers `GET /app/*` (files of `root`), `GET /app` and `GET /` (redirects to `/app/`). */
export function registerStatic(app: FastifyInstance, root: string): void {
  const notFound = (url: string) =>
    new ApiError(404, 'not_found', `no file ${url} in the web page; see ${WEB_PREFIX}`);
  app.get('/', async (_request, reply) => reply.redirect(WEB_PREFIX));
  app.get(WEB_PREFIX.slice(0, -1), async (_request, reply) => reply.redirect(WEB_PREFIX));
  app.get<{ Params: { '*': string } }>(`${WEB_PREFIX}*`, async (request, reply) => {
    let rel: string;
    try {
      rel = decodeURIComponent(request.params['*'] ?? '');
    } catch {
      throw notFound(request.url);
    }
    let file = resolveInside(root, rel);
    if (!file) throw notFound(request.url);
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) throw notFound(request.url);
    // Hashed assets never change; the page and the model files are revalidated.
    const immutable = rel.startsWith('assets/');
    void reply
      .type(contentType(file))
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(createReadStream(file));
  });
}
