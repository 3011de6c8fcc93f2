/**
 * `nerima serve` with no model flags serves the shipped models (the Stockmark tagger on
 * POST /v1/entities, the shipped meta model models/meta on POST /v1/tasks), each outside the
 * server's thread, so /healthz answers while an adaptation runs; `--model lexicon` keeps the
 * exact-match baseline. Real HTTP on 127.0.0.1, stopped with SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nerima, repoRoot, startNerima } from './run-cli.js';

const shipped =
  existsSync(join(repoRoot, 'models/stockmark/tagger.json')) &&
  existsSync(join(repoRoot, 'models/meta/meta.json'));

async function serveUntilDone(
  args: readonly string[],
  body: (url: string) => Promise<void>,
): Promise<{ code: number | null; stderr: string }> {
  const child = startNerima(['serve', '--port', '0', '--db', ':memory:', '--quiet', ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no "listening" line in 60 s; stderr: ${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done(m[1] as string);
        }
      });
      child.on('exit', () => fail(new Error(`server exited early: ${stderr}`)));
    });
    await body(url);
  } finally {
    child.kill('SIGTERM');
  }
  return { code: await exited, stderr };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('nerima serve without --model', () => {
  it.skipIf(!shipped)(
    'serves the shipped tagger and few-shot tasks on the shipped meta model; /healthz answers during an adaptation',
    async () => {
      const { code } = await serveUntilDone([], async (url) => {
        const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
        expect(health).toMatchObject({ status: 'ok', learner: 'maml-protonet++', defaultTagger: true });
        expect(health['defaultTypes']).toHaveLength(8);

        const text = 'トヨタ自動車の豊田章男社長は名古屋市で記者会見を開いた。';
        const res = await post(`${url}/v1/entities`, { text });
        expect(res.status).toBe(200);
        const { entities } = (await res.json()) as {
          entities: { start: number; end: number; type: string; text: string }[];
        };
        for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
        expect(entities).toContainEqual(expect.objectContaining({ text: '豊田章男', type: 'PERSON' }));

        // The adaptation runs in the meta model's process: /healthz answers before it is done.
        const order: string[] = [];
        const creating = post(`${url}/v1/tasks`, {
          support: [
            {
              text: '新型のiPhoneをアップルが発表した。',
              entities: [
                { start: 3, end: 9, type: 'GADGET' },
                { start: 10, end: 14, type: 'MAKER' },
              ],
            },
            {
              text: 'ソニーはPlayStationを売る。',
              entities: [
                { start: 0, end: 3, type: 'MAKER' },
                { start: 4, end: 15, type: 'GADGET' },
              ],
            },
          ],
        }).then((r) => {
          order.push('task');
          return r;
        });
        await new Promise((r) => setTimeout(r, 20));
        const h = await fetch(`${url}/healthz`);
        order.push('healthz');
        expect(h.status).toBe(200);
        const created = await creating;
        expect(created.status).toBe(201);
        expect(order).toEqual(['healthz', 'task']);
        const { taskId, types } = (await created.json()) as { taskId: string; types: string[] };
        expect(types.sort()).toEqual(['GADGET', 'MAKER']);
        const tagged = await post(`${url}/v1/tasks/${taskId}/entities`, {
          texts: ['アップルのiPhoneが売れた。', ''],
        });
        expect(tagged.status).toBe(200);
        const { results } = (await tagged.json()) as { results: { entities: { type: string }[] }[] };
        expect(results).toHaveLength(2);
        for (const e of results.flatMap((r) => r.entities)) expect(types).toContain(e.type);
        expect(results[1]!.entities).toEqual([]);

        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toMatch(/^nerima_tf_tensors \d+$/m);
      });
      expect(code).toBe(0);
    },
    120_000,
  );

  it('--model lexicon keeps the exact-match baseline', async () => {
    const { code } = await serveUntilDone(['--model', 'lexicon'], async (url) => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', learner: 'lexicon', defaultTagger: false });
    });
    expect(code).toBe(0);
  }, 60_000);

  it('refuses --support with a shipped tagger and --processes with a run folder', async () => {
    const a = await nerima(['serve', '--model', 'stockmark', '--support', 'x.jsonl']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--model lexicon');
    const b = await nerima(['serve', '--model', 'lexicon', '--processes', '2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--processes');
  });
});
