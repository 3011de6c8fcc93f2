/**
 * Web page benchmark: builds apps/web with Vite, measures what a browser downloads (JS bundle,
 * wasm binaries, model files, kuromoji dictionary; raw and gzip), then loads the page in headless
 * Chromium (the system's chromium via playwright-core) served by the real server, and records the
 * time to the first tagged sentence (navigation start → the built-in support set adapted and the
 * sample text tagged and on screen), with its parts (model load, adapt, tag), over --runs fresh
 * browser contexts (cold HTTP cache each). Writes bench/results/web.json.
 *
 * Run: pnpm bench web   (or: pnpm exec tsx --conditions=@nerima/source bench/web/run.ts [--runs 5] [--out f])
 */
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  buildPage,
  findChromium,
  launchChromium,
  NO_CHROMIUM,
  servePage,
} from '../../apps/web/test/chromium.js';
import { gitCommit } from '../git-commit.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag('runs') ?? 5);
const out = resolve(flag('out') ?? join(repoRoot, 'bench/results/web.json'));

interface Size {
  files: number;
  bytes: number;
  gzipBytes: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function sizeOf(files: string[], gzip = true): Size {
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    bytes += buf.byteLength;
    // .dat.gz files are already gzip: counted as they are sent.
    gzipBytes += gzip && !f.endsWith('.gz') ? gzipSync(buf, { level: 9 }).byteLength : buf.byteLength;
  }
  return { files: files.length, bytes, gzipBytes };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

const chromium = findChromium();
if (!chromium) {
  console.error(`bench web: skipped, ${NO_CHROMIUM}; bench/results/web.json is left as it is`);
  process.exit(0);
}

const t0 = performance.now();
const built = await buildPage();
const buildSeconds = (performance.now() - t0) / 1000;
try {
  const all = walk(built.dir);
  const rel = (f: string) => relative(built.dir, f);
  const sizes = {
    js: sizeOf(all.filter((f) => f.endsWith('.js'))),
    cssHtml: sizeOf(all.filter((f) => /\.(css|html)$/.test(f))),
    wasmBinaries: sizeOf(all.filter((f) => f.endsWith('.wasm'))),
    encoderWeights: sizeOf(all.filter((f) => rel(f) === 'model/encoder.bin')),
    metaModel: sizeOf(all.filter((f) => rel(f) === 'model/meta-model.json')),
    kuromojiDictionary: sizeOf(all.filter((f) => rel(f).startsWith('dict/'))),
  };
  const jsFiles = Object.fromEntries(
    all
      .filter((f) => f.endsWith('.js'))
      .map((f) => [rel(f).replace(/-[\w-]{8}\.js$/, '.js'), statSync(f).size]),
  );

  const served = await servePage(built.dir);
  const browser = await launchChromium(chromium);
  const samples: Record<string, number>[] = [];
  let backend = '';
  let textLength = 0;
  const browserVersion = browser.version();
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext(); // fresh cache
      const page = await context.newPage();
      await page.goto(`${served.url}/app/`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
      const s = (await page.evaluate(
        () => (window as unknown as { nerimaStats: Record<string, unknown> }).nerimaStats,
      )) as Record<string, number | string>;
      backend = String(s['backend']);
      textLength = await page.evaluate(
        () => (document.getElementById('text') as HTMLTextAreaElement).value.length,
      );
      samples.push({
        firstTaggedMs: Number(s['firstTaggedAt']),
        modelLoadMs: Number(s['loadMs']),
        adaptMs: Number(s['adaptMs']),
        tagMs: Number(s['tagMs']),
      });
      console.error(
        `run ${i + 1}/${runs}: first tagged sentence at ${Math.round(Number(s['firstTaggedAt']))} ms`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
    await served.server.close();
  }
  const pick = (k: string) => samples.map((s) => s[k]!);
  const result = {
    command: `pnpm bench web${runs !== 5 ? ` --runs ${runs}` : ''}`,
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend: `tfjs ${backend} in a Web Worker, headless Chromium ${browserVersion} (${chromium})`,
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      loadAverage1mAtEnd: round(loadavg()[0]!),
    },
    setup: {
      served:
        'apps/server (createServer with webRoot) on 127.0.0.1, same machine; a fresh browser context (cold cache) per run',
      firstTagged:
        'performance.now() when the sample text (3 sentences) is tagged and rendered: page load, model download and load, adapt to the 6 built-in support sentences, tag',
      sampleTextLength: textLength,
      buildSeconds: round(buildSeconds),
    },
    sizes,
    jsFiles,
    metrics: {
      runs,
      firstTaggedMsMedian: round(median(pick('firstTaggedMs'))),
      firstTaggedMsMin: round(Math.min(...pick('firstTaggedMs'))),
      firstTaggedMsMax: round(Math.max(...pick('firstTaggedMs'))),
      modelLoadMsMedian: round(median(pick('modelLoadMs'))),
      adaptMsMedian: round(median(pick('adaptMs'))),
      tagMsMedian: round(median(pick('tagMs'))),
    },
    samples: samples.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]))),
  };
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, out);
  console.log(JSON.stringify(result.metrics), JSON.stringify(sizes));
  console.error(`wrote ${out}`);
} finally {
  await built.cleanup();
}
