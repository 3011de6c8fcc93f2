import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { get, post } from './helpers.js';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'nerima-main-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function launch(args: string[]): { child: ChildProcess; exited: Promise<Exit>; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@nerima/source', '--import', 'tsx', 'src/main.ts', ...args],
    {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  let onUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    onUrl = resolve;
  });
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(stdout);
    if (m) onUrl(m[1]!);
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const ready = Promise.race([
    url,
    exited.then((e) => Promise.reject(new Error(`exited ${e.code}: ${e.stderr}`))),
  ]);
  ready.catch(() => {}); // awaited only by the tests that expect the server to start
  return { child, exited, url: ready };
}

describe('nerima-server executable', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await launch(['--help']).exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: nerima-server/);
    expect(stdout).toMatch(/--max-text-length/);
  });

  it('exits 2 on bad arguments and 1 on an unreadable support file, with a message', async () => {
    const bad = await launch(['--port', 'eighty']).exited;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be an integer/);
    const unknown = await launch(['--prot', '80']).exited;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--prot/);
    const model = await launch(['--model', 'runs/x']).exited;
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/nerima serve --model runs\/x/);
    const missing = await launch(['--support', join(dir, 'nope.jsonl'), '--db', ':memory:']).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.jsonl/);
  });

  it('serves the lexicon model, shuts down cleanly on SIGTERM, and keeps tasks across a restart', async () => {
    const support = join(dir, 'support.jsonl');
    writeFileSync(
      support,
      `${JSON.stringify({
        id: 'a',
        text: '山田さんは東京に住む。',
        entities: [
          { start: 0, end: 2, type: 'PER' },
          { start: 5, end: 7, type: 'LOC' },
        ],
      })}\n`,
    );
    const db = join(dir, 'tasks.sqlite');
    const first = launch(['--support', support, '--db', db, '--port', '0']);
    const url = await first.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tagged = await post(`${url}/v1/entities`, { text: '東京の山田' });
    expect(tagged.body.entities).toEqual([
      { start: 0, end: 2, type: 'LOC', text: '東京', score: 1 },
      { start: 3, end: 5, type: 'PER', text: '山田', score: 1 },
    ]);
    const task = await post(`${url}/v1/tasks`, {
      support: [{ text: 'ソニーの工場', entities: [{ start: 0, end: 3, type: 'ORG' }] }],
    });
    expect(task.status).toBe(201);

    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/shutdown complete/);

    const second = launch(['--db', db, '--port', '0', '--quiet']);
    const url2 = await second.url;
    expect((await get(`${url2}/healthz`)).body).toMatchObject({
      learner: 'lexicon',
      defaultTagger: false,
      tasksStored: 1,
    });
    const again = await post(`${url2}/v1/tasks/${task.body.taskId}/entities`, { text: '新しいソニー' });
    expect(again.body.entities).toEqual([{ start: 3, end: 6, type: 'ORG', text: 'ソニー', score: 1 }]);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });
});
