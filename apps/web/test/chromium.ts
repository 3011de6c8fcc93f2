/** Shared by the e2e test and the web benchmark: find Chromium, build the page, serve it. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LexiconLearner } from '@nerima/eval';
import { createServer, type NerimaServer } from '@nerima/server';

/** The web app's folder. */
export const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Chromium to drive: env `CHROMIUM_PATH`, else `/usr/bin/chromium`; `undefined` when neither exists. */
export function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => typeof p === 'string' && p.length > 0 && existsSync(p));
}

/** Why the browser tests skip, for their titles. */
export const NO_CHROMIUM =
  "no Chromium (set CHROMIUM_PATH or install Debian's chromium package: apt-get install chromium)";

/** Builds the page with its vite.config.ts into a temporary folder; returns the folder. */
export async function buildPage(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const { build } = await import('vite');
  const dir = await mkdtemp(join(tmpdir(), 'nerima-web-dist-'));
  await build({
    root: WEB_DIR,
    configFile: join(WEB_DIR, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The real HTTP server (lexicon learner, in-memory tasks) serving the page at `/app/`. */
export async function servePage(webRoot: string): Promise<{ server: NerimaServer; url: string }> {
  const server = await createServer({ learner: new LexiconLearner(), store: ':memory:', webRoot });
  const url = await server.listen();
  return { server, url };
}

/** Launches headless Chromium at `executablePath` with playwright-core (`--no-sandbox`: CI runs as root). */
export async function launchChromium(executablePath: string): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}
