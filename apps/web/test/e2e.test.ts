/**
 * End to end in headless Chromium (playwright-core driving the system's chromium): build the page,
 * serve it with the real server, tag, label two examples of a new type, adapt, and check the
 * highlighted spans in the DOM. Skips with a reason when no Chromium is installed.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, findChromium, launchChromium, NO_CHROMIUM, servePage, WEB_DIR } from './chromium.js';

const chromium = findChromium();
const ARTIFACTS = join(WEB_DIR, 'test-artifacts');

let browser: Browser | undefined;
let base = '';
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!chromium) return;
  const built = await buildPage();
  cleanups.push(built.cleanup);
  const served = await servePage(built.dir);
  cleanups.push(() => served.server.close());
  base = `${served.url}/app/`;
  browser = await launchChromium(chromium);
  cleanups.push(() => browser!.close());
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function openPage(query = ''): Promise<Page> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 }).catch(async (err) => {
    throw new Error(
      `the page never tagged: ${await page.locator('#message').textContent()} ${errors.join('; ')} (${err})`,
    );
  });
  return page;
}

/** Selects `surface` (its first occurrence) in the text box, types `type` and labels it. */
async function label(page: Page, surface: string, type: string): Promise<string> {
  await page.evaluate((s) => {
    const t = document.getElementById('text') as HTMLTextAreaElement;
    const i = t.value.indexOf(s);
    t.focus();
    t.setSelectionRange(i, i + s.length);
  }, surface);
  await page.fill('#type-name', type);
  await page.click('#label');
  return (await page.locator('#message').textContent()) ?? '';
}

const idle = (page: Page) => page.waitForSelector('body[data-busy="0"]', { timeout: 60_000 });

describe.skipIf(!chromium)(
  `web page in headless Chromium${chromium ? '' : ` — skipped: ${NO_CHROMIUM}`}`,
  () => {
    it('tags, learns a new type from two labelled examples, adapts and highlights it', async () => {
      const page = await openPage();
      const initial = await page.$$eval('#output mark.ent', (ms) =>
        ms.map((m) => (m as HTMLElement).dataset['type']),
      );
      expect(initial.length).toBeGreaterThan(0);
      expect(initial).toContain('LOCATION');
      expect(await page.locator('#legend .chip').count()).toBeGreaterThan(0);

      expect(await label(page, '味噌ラーメン', 'DISH')).toContain(
        'Labelled "味噌ラーメン" as DISH; DISH has 1 example',
      );
      expect(await label(page, '天ぷら', 'DISH')).toContain('DISH has 2 examples');
      await page.click('#adapt');
      await page.waitForSelector('#changes h3', { timeout: 60_000 });
      await idle(page);
      expect(await page.locator('#message').textContent()).toMatch(/^Adapted to .*DISH/);

      const marks = await page.$$eval('#output mark.ent', (ms) =>
        ms.map((m) => {
          const el = m as HTMLElement;
          return {
            type: el.dataset['type'],
            start: Number(el.dataset['start']),
            end: Number(el.dataset['end']),
            text: el.firstChild?.textContent,
          };
        }),
      );
      const text = await page.inputValue('#text');
      const dishes = marks.filter((m) => m.type === 'DISH');
      expect(dishes.map((m) => m.text).sort()).toEqual(['味噌ラーメン', '天ぷら'].sort());
      for (const m of marks) expect(text.slice(m.start, m.end)).toBe(m.text); // whole-text UTF-16 offsets
      expect(await page.locator('#changes li.added').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('味噌ラーメン'), expect.stringContaining('天ぷら')]),
      );
      expect(await page.locator('#output mark.ent.changed').count()).toBeGreaterThanOrEqual(2);

      // The support set exports as JSONL in our Sentence format.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-support')]);
      const rows = (await readFile((await download.path())!, 'utf8'))
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              id: string;
              text: string;
              entities: { start: number; end: number; type: string }[];
            },
        );
      const dishRows = rows.filter((r) => r.entities.some((e) => e.type === 'DISH'));
      expect(
        dishRows
          .flatMap((r) =>
            r.entities.filter((e) => e.type === 'DISH').map((e) => r.text.slice(e.start, e.end)),
          )
          .sort(),
      ).toEqual(['味噌ラーメン', '天ぷら'].sort());

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-adapted.png'), fullPage: true });
      await page.close();
    }, 90_000);

    it('answers bad input with a message and stays responsive', async () => {
      const page = await openPage();
      const message = () => page.locator('#message').textContent();

      await page.fill('#text', '   ');
      await page.click('#tag');
      expect(await message()).toMatch(/text is empty/);

      await page.fill('#text', 'あ'.repeat(6000));
      await page.click('#tag');
      expect(await message()).toMatch(/6,000 characters; the page tags at most 5,000/);

      await page.fill('#text', '山田太郎さんは大阪市にある会社で働いている。');
      await page.click('#tag');
      await idle(page);
      const loc = await page.$eval(
        '#output mark[data-type="LOCATION"]',
        (m) => (m as HTMLElement).dataset['start'],
      );
      expect(loc).toBe('7');
      expect(await label(page, '市にある', 'X')).toMatch(/overlaps the entity "大阪市" \(LOCATION\)/);
      expect(await label(page, 'にある会', 'bad name')).toMatch(/not a usable type name/);

      // A support set with one type only cannot be adapted to. (Untagged text: the new support
      // sentence holds only the label.)
      while ((await page.locator('#support button[data-remove]').count()) > 0) {
        await page.click('#support button[data-remove] >> nth=0');
      }
      await page.fill('#text', 'ラーメンを食べた。');
      expect(await label(page, 'ラーメン', 'ORG')).toMatch(/ORG has 1 example/);
      await page.click('#adapt');
      await idle(page);
      expect(await message()).toMatch(/only one type \(ORG\)/);

      // Still responsive: the main thread answers at once.
      expect(await page.evaluate(() => 1 + 1)).toBe(2);
      await page.close();
    }, 90_000);

    it('shows a run folder report: per-type F1 bars and boundary accuracy', async () => {
      const page = await openPage();
      const m = (mean: number) => ({ n: 3, mean, std: 0.1, ci95: 0.2 });
      const report = {
        format: 'nerima-eval-report',
        version: 1,
        title: 'e2e',
        createdAt: '2026-11-26T00:00:00Z',
        meta: {},
        runs: [
          {
            method: 'maml-protonet++',
            setting: '2-way 5-shot',
            result: {
              learner: 'maml-protonet++',
              episodes: [],
              summary: {
                microF1: m(0.5),
                macroF1: m(0.5),
                startAccuracy: m(0.9),
                endAccuracy: m(0.8),
                spanAccuracy: m(0.7),
              },
              perType: { EVENT: m(0.4), PRODUCT: m(0.6) },
              pooled: {},
            },
          },
        ],
      };
      await page.setInputFiles('#report-file', {
        name: 'report.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(report)),
      });
      await page.waitForSelector('#report svg.f1-chart');
      expect(
        await page.$$eval('#report g.bar', (gs) => gs.map((g) => (g as HTMLElement).dataset['type'])),
      ).toEqual(['EVENT', 'PRODUCT']);
      expect(await page.locator('#report table.boundary td').allTextContents()).toContain('90.0 ± 20.0');
      await page.setInputFiles('#report-file', {
        name: 'x.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"a":1}'),
      });
      await page.waitForFunction(() =>
        document.getElementById('message')?.textContent?.includes('not a nerima eval report'),
      );
      await page.close();
    }, 60_000);

    it('can use the HTTP server instead of the in-page model', async () => {
      const page = await openPage('?mode=server');
      expect(await page.locator('#status').textContent()).toMatch(/server \(lexicon\)/);
      // The lexicon learner tags the built-in support mentions it memorised.
      await page.evaluate(() => {
        const t = document.getElementById('text') as HTMLTextAreaElement;
        t.value = [...document.querySelectorAll<HTMLElement>('#support li')]
          .map((li) => li.dataset['text'])
          .join('\n');
      });
      await page.click('#tag');
      await idle(page);
      expect(await page.locator('#output mark.ent').count()).toBeGreaterThan(0);
      await page.close();
    }, 60_000);
  },
);
