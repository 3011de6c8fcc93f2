import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentType, resolveInside } from '../src/static.js';
import { FakeLearner, type Running, start } from './helpers.js';

let dir: string;
let running: Running | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerima-static-'));
  await mkdir(join(dir, 'assets'));
  await mkdir(join(dir, 'dict'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(dir, 'assets/app.js'), 'console.log(1)');
  await writeFile(join(dir, 'dict/base.dat.gz'), new Uint8Array([0x1f, 0x8b, 8, 0]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await running?.server.close();
  running = undefined;
});

describe('static web page', () => {
  it('serves index.html, assets with their types, and .dat.gz as plain bytes', async () => {
    running = await start({ learner: new FakeLearner(), webRoot: dir });
    const index = await fetch(`${running.url}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>page</title>');
    const js = await fetch(`${running.url}/app/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log(1)');
    const gz = await fetch(`${running.url}/app/dict/base.dat.gz`);
    expect(gz.headers.get('content-type')).toBe('application/octet-stream');
    expect(gz.headers.get('content-encoding')).toBeNull();
    expect([...new Uint8Array(await gz.arrayBuffer())]).toEqual([0x1f, 0x8b, 8, 0]);
  });

  it('redirects / and /app to /app/, and answers a JSON 404 for missing files and ../ escapes', async () => {
    running = await start({ learner: new FakeLearner(), webRoot: dir });
    for (const path of ['/', '/app']) {
      const r = await fetch(`${running.url}${path}`, { redirect: 'manual' });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe('/app/');
      await r.arrayBuffer();
    }
    const missing = await fetch(`${running.url}/app/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const escaped = await fetch(`${running.url}/app/..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(escaped.status).toBe(404);
    await escaped.arrayBuffer();
    // The API is unaffected.
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();
  });

  it('refuses a folder without index.html, saying how to build the page', async () => {
    await expect(start({ learner: new FakeLearner(), webRoot: join(dir, 'assets') })).rejects.toThrow(
      /no index\.html.*pnpm --filter @nerima\/web build/,
    );
  });

  it('without webRoot, / stays a 404', async () => {
    running = await start({ learner: new FakeLearner() });
    const root = await fetch(`${running.url}/`);
    expect(root.status).toBe(404);
    await root.arrayBuffer();
  });
});

describe('resolveInside / contentType', () => {
  it('keeps paths inside the root and types files by extension', () => {
    expect(resolveInside('/srv/web', 'assets/a.js')).toBe('/srv/web/assets/a.js');
    expect(resolveInside('/srv/web', '')).toBe('/srv/web');
    expect(resolveInside('/srv/web', '../etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/web', 'a/../../x')).toBeUndefined();
    expect(resolveInside('/srv/web', '/etc/passwd')).toBe('/srv/web/etc/passwd');
    expect(resolveInside('/srv/web', 'a\0b')).toBeUndefined();
    expect(contentType('x.wasm')).toBe('application/wasm');
    expect(contentType('encoder.bin')).toBe('application/octet-stream');
    expect(contentType('INDEX.HTML')).toBe('text/html; charset=utf-8');
  });
});
