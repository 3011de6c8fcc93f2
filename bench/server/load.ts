/**
 * Server throughput benchmark: starts `nerima-server` as a child process on 127.0.0.1 (any free
 * port, in-memory task store, the lexicon model), creates one task, then drives
 * `POST /v1/tasks/:id/entities` with a keep-alive HTTP client at concurrency 1 and 16.
 * Reports requests/s and p50/p99 latency per phase, and the server's RSS before the load and
 * after 10,000 requests. Bounded: a fixed request count per phase, a time cap per phase, and a
 * hard cap on the whole run. Writes bench/results/server.json.
 *
 * Run: pnpm --filter @nerima/server bench        (or `pnpm bench` for every benchmark)
 * Options: --out <file>   --quick (a short smoke run that does not overwrite the results)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { out: { type: 'string' }, quick: { type: 'boolean' } },
});
const quick = values.quick === true;
const outPath = resolve(
  values.out ??
    (quick ? join(tmpdir(), 'nerima-server-bench.json') : join(repoRoot, 'bench/results/server.json')),
);

/** Requests per phase; warm-up + c1 + c16 add up to the 10,000 after which RSS is read. */
const PHASES = quick ? { warmup: 50, c1: 100, c16: 350 } : { warmup: 1_000, c1: 3_000, c16: 6_000 };
const PHASE_CAP_MS = 60_000;
const RUN_CAP_MS = 240_000;

// A small synthetic support set written for this benchmark (not from any data set).
const PEOPLE = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村'];
const PLACES = ['東京', '大阪', '名古屋', '札幌', '福岡', '仙台', '神戸', '京都'];
const ORGS = ['青葉電機', '桜商事', '若葉銀行', '富士精工'];
const support = PEOPLE.map((person, i) => {
  const place = PLACES[i % PLACES.length]!;
  const org = ORGS[i % ORGS.length]!;
  const text = `${person}さんは${place}の${org}に勤めている。`;
  const at = (s: string) => text.indexOf(s);
  return {
    id: `b${i}`,
    text,
    entities: [
      { start: at(person), end: at(person) + person.length, type: 'PERSON' },
      { start: at(place), end: at(place) + place.length, type: 'LOCATION' },
      { start: at(org), end: at(org) + org.length, type: 'ORGANIZATION' },
    ],
  };
});

/** A distinct query text per request, about 40 characters, with three known mentions. */
function queryText(i: number): string {
  const p = PEOPLE[i % PEOPLE.length]!;
  const l = PLACES[(i * 3) % PLACES.length]!;
  const o = ORGS[(i * 5) % ORGS.length]!;
  return `第${i}回の会議で${p}さんが${l}にある${o}の新しい計画を説明した。`;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface PhaseResult {
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

let nextText = 0;

async function phase(port: number, taskId: string, concurrency: number, count: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const t0 = performance.now();
  const deadline = t0 + PHASE_CAP_MS;
  const worker = async () => {
    while (issued < count && performance.now() < deadline) {
      issued++;
      const i = nextText++;
      const start = performance.now();
      const res = await call(port, 'POST', `/v1/tasks/${taskId}/entities`, { text: queryText(i) });
      latencies.push(performance.now() - start);
      // Every query has exactly three mentions; a wrong count is an error, not just a slow reply.
      if (res.status !== 200 || (JSON.parse(res.text) as { entities: unknown[] }).entities.length !== 3)
        errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requests: latencies.length,
    errors,
    seconds: round(seconds),
    requestsPerSecond: round(latencies.length / seconds, 1),
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
  };
}

async function scrape(port: number): Promise<Record<string, number>> {
  const { text } = await call(port, 'GET', '/metrics');
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+) ([-+\d.e]+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

function startServer(supportFile: string): Promise<{ child: ChildProcess; port: number }> {
  const args = ['--conditions=@nerima/source', '--import', 'tsx', 'apps/server/src/main.ts'];
  args.push('--host', '127.0.0.1', '--port', '0', '--db', ':memory:', '--support', supportFile, '--quiet');
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start within 30 s')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening`));
    });
  });
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps/server', 'bench/server'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}+uncommitted-server-changes` : sha;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error(`benchmark exceeded ${RUN_CAP_MS / 1000} s; stopping`);
    process.exit(1);
  }, RUN_CAP_MS);
  hardStop.unref();

  const dir = mkdtempSync(join(tmpdir(), 'nerima-bench-'));
  const supportFile = join(dir, 'support.jsonl');
  writeFileSync(supportFile, `${support.map((s) => JSON.stringify(s)).join('\n')}\n`);
  const { child, port } = await startServer(supportFile);
  try {
    const created = await call(port, 'POST', '/v1/tasks', { support });
    if (created.status !== 201) throw new Error(`POST /v1/tasks failed: ${created.status} ${created.text}`);
    const { taskId } = JSON.parse(created.text) as { taskId: string };
    const before = await scrape(port);

    await phase(port, taskId, 4, PHASES.warmup);
    console.log('concurrency 1 ...');
    const c1 = await phase(port, taskId, 1, PHASES.c1);
    console.log(`  ${c1.requestsPerSecond} req/s, p50 ${c1.p50Ms} ms, p99 ${c1.p99Ms} ms`);
    console.log('concurrency 16 ...');
    const c16 = await phase(port, taskId, 16, PHASES.c16);
    console.log(`  ${c16.requestsPerSecond} req/s, p50 ${c16.p50Ms} ms, p99 ${c16.p99Ms} ms`);
    const after = await scrape(port);
    const total = PHASES.warmup + c1.requests + c16.requests;

    const result = {
      command: `pnpm --filter @nerima/server bench${quick ? ' --quick' : ''}`,
      commit: gitCommit(),
      date: new Date().toISOString(),
      backend: 'lexicon learner (exact match, no tfjs); fastify 5, in-memory task store',
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        // Other work on the machine during the run skews the numbers; this says how busy it was.
        loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2),
      },
      setup: {
        route: 'POST /v1/tasks/:id/entities',
        textChars: queryText(0).length,
        supportSentences: support.length,
        client:
          'node:http keep-alive agent in a separate process, same machine (shares the CPU with the server)',
      },
      metrics: {
        concurrency1: c1,
        concurrency16: c16,
        requestsTotal: total,
        rssBytesBeforeLoad: before['process_resident_memory_bytes'],
        rssBytesAfterRequests: after['process_resident_memory_bytes'],
        heapUsedBytesAfterRequests: after['nodejs_heap_used_bytes'],
      },
    };
    if (c1.errors + c16.errors > 0)
      throw new Error(`${c1.errors + c16.errors} requests failed or returned wrong entities`);
    const tmp = `${outPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(tmp, outPath);
    console.log(
      `RSS ${(before['process_resident_memory_bytes']! / 2 ** 20).toFixed(1)} MiB before, ` +
        `${(after['process_resident_memory_bytes']! / 2 ** 20).toFixed(1)} MiB after ${total} requests`,
    );
    console.log(`wrote ${outPath}`);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
