/**
 * Server load benchmark, two configurations, each a server child process on 127.0.0.1 (any free
 * port, in-memory task store) driven by a keep-alive HTTP client in this process:
 *
 * - `lexicon`: `nerima-server --support` (the exact-match model, no tfjs), one task, then
 *   `POST /v1/tasks/:id/entities` at concurrency 1 and 16: the HTTP layer alone.
 * - `neural`: `nerima serve` with no model flags (the default: the shipped Stockmark tagger on
 *   onnxruntime-node in a child process, few-shot tasks on the shipped MAML-ProtoNet++ in another),
 *   `POST /v1/entities` at concurrency 1, 16 and 100; while the 16 and 100 phases run, a probe
 *   sends `GET /healthz` every 50 ms and records its latency; then a few-shot task on the meta
 *   model at concurrency 16.
 *
 * Reports requests/s, p50/p99 and errors per phase, and RSS and tfjs tensors (`/metrics`) before
 * the load and after 10,000 requests. Bounded: a fixed request count per phase, a time cap per
 * phase and a hard cap on the run. Writes bench/results/server.json.
 *
 * Run: pnpm --filter @nerima/server bench        (or `pnpm bench server`)
 * Options: --out <file>   --quick (a short smoke run that does not overwrite the results)
 *          --only lexicon|neural
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gitCommit } from '../git-commit.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { out: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' } },
});
const quick = values.quick === true;
const only = values.only;
if (only !== undefined && only !== 'lexicon' && only !== 'neural') {
  console.error(`--only must be lexicon or neural, got ${JSON.stringify(only)}`);
  process.exit(2);
}
const outPath = resolve(
  values.out ??
    (quick ? join(tmpdir(), 'nerima-server-bench.json') : join(repoRoot, 'bench/results/server.json')),
);

/** Requests per phase; each configuration's phases before the RSS reading add up to 10,000. */
const PHASES = quick ? { warmup: 50, c1: 100, c16: 350 } : { warmup: 1_000, c1: 3_000, c16: 6_000 };
const NEURAL_PHASES = quick
  ? { warmup: 50, c1: 100, c16: 200, c100: 150, task: 100 }
  : { warmup: 500, c1: 2_000, c16: 4_000, c100: 3_500, task: 1_000 };
const PHASE_CAP_MS = 90_000;
const RUN_CAP_MS = 540_000;

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

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

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

async function scrape(port: number): Promise<Record<string, number>> {
  const { text } = await call(port, 'GET', '/metrics');
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+) ([-+\d.e]+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

interface Entity {
  start: number;
  end: number;
  text: string;
}

type Check = (text: string, res: { status: number; text: string }) => boolean;

/** 200 with entities whose offsets match the text sent. */
const consistent: Check = (text, res) => {
  if (res.status !== 200) return false;
  const { entities } = JSON.parse(res.text) as { entities: Entity[] };
  return Array.isArray(entities) && entities.every((e) => text.slice(e.start, e.end) === e.text);
};

/** Every query has exactly three mentions the lexicon knows; a wrong count is an error. */
const threeMentions: Check = (_text, res) =>
  res.status === 200 && (JSON.parse(res.text) as { entities: unknown[] }).entities.length === 3;

async function phase(
  port: number,
  path: string,
  concurrency: number,
  count: number,
  ok: Check,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const t0 = performance.now();
  const deadline = t0 + PHASE_CAP_MS;
  const worker = async () => {
    while (issued < count && performance.now() < deadline) {
      issued++;
      const text = queryText(nextText++);
      const start = performance.now();
      try {
        const res = await call(port, 'POST', path, { text });
        latencies.push(performance.now() - start);
        if (!ok(text, res)) errors++;
      } catch {
        latencies.push(performance.now() - start);
        errors++;
      }
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

/** `GET /healthz` every `everyMs` until stopped (its own connection): latencies and failures. */
function healthProbe(port: number, everyMs = 50): { stop(): Promise<Record<string, number>> } {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        if ((await call(port, 'GET', '/healthz')).status !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      latencies.sort((a, b) => a - b);
      return {
        probes: latencies.length,
        failures,
        p50Ms: round(quantile(latencies, 0.5)),
        p99Ms: round(quantile(latencies, 0.99)),
        maxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
      };
    },
  };
}

/** Resident memory of a process and all its descendants (Linux /proc), in bytes; null elsewhere. */
function treeRss(pid: number): number | null {
  try {
    const children = new Map<number, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
      } catch {
        // the process ended meanwhile
      }
    }
    let total = 0;
    const todo = [pid];
    while (todo.length > 0) {
      const p = todo.pop() as number;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += Number(m?.[1] ?? 0) * 1024;
      todo.push(...(children.get(p) ?? []));
    }
    return total;
  } catch {
    return null;
  }
}

function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=@nerima/source', '--import', 'tsx', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000);
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

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function lexiconRun(dir: string): Promise<Record<string, unknown>> {
  const supportFile = join(dir, 'support.jsonl');
  writeFileSync(supportFile, `${support.map((s) => JSON.stringify(s)).join('\n')}\n`);
  const { child, port } = await startServer([
    'apps/server/src/main.ts',
    ...['--host', '127.0.0.1', '--port', '0', '--db', ':memory:', '--support', supportFile, '--quiet'],
  ]);
  try {
    const created = await call(port, 'POST', '/v1/tasks', { support });
    if (created.status !== 201) throw new Error(`POST /v1/tasks failed: ${created.status} ${created.text}`);
    const { taskId } = JSON.parse(created.text) as { taskId: string };
    const path = `/v1/tasks/${taskId}/entities`;
    const before = await scrape(port);
    await phase(port, path, 4, PHASES.warmup, threeMentions);
    console.log('lexicon, concurrency 1 ...');
    const c1 = await phase(port, path, 1, PHASES.c1, threeMentions);
    console.log(`  ${c1.requestsPerSecond} req/s, p50 ${c1.p50Ms} ms, p99 ${c1.p99Ms} ms`);
    console.log('lexicon, concurrency 16 ...');
    const c16 = await phase(port, path, 16, PHASES.c16, threeMentions);
    console.log(`  ${c16.requestsPerSecond} req/s, p50 ${c16.p50Ms} ms, p99 ${c16.p99Ms} ms`);
    const after = await scrape(port);
    if (c1.errors + c16.errors > 0)
      throw new Error(`lexicon: ${c1.errors + c16.errors} requests failed or returned wrong entities`);
    return {
      backend: 'lexicon learner (exact match, no tfjs); fastify 5, in-memory task store',
      setup: {
        server: 'node --import tsx apps/server/src/main.ts --support <8 sentences> (from source)',
        route: 'POST /v1/tasks/:id/entities',
        textChars: queryText(0).length,
        supportSentences: support.length,
      },
      metrics: {
        concurrency1: c1,
        concurrency16: c16,
        requestsTotal: PHASES.warmup + c1.requests + c16.requests,
        rssBytesBeforeLoad: before['process_resident_memory_bytes'],
        rssBytesAfterRequests: after['process_resident_memory_bytes'],
        heapUsedBytesAfterRequests: after['nodejs_heap_used_bytes'],
      },
    };
  } finally {
    await stopServer(child);
  }
}

async function neuralRun(): Promise<Record<string, unknown>> {
  const { child, port } = await startServer([
    'apps/cli/src/main.ts',
    ...['serve', '--host', '127.0.0.1', '--port', '0', '--db', ':memory:', '--quiet'],
  ]);
  try {
    const health = JSON.parse((await call(port, 'GET', '/healthz')).text) as Record<string, unknown>;
    const P = NEURAL_PHASES;
    const before = await scrape(port);
    const rssTreeBefore = treeRss(child.pid as number);
    await phase(port, '/v1/entities', 4, P.warmup, consistent);
    console.log('neural, concurrency 1 ...');
    const c1 = await phase(port, '/v1/entities', 1, P.c1, consistent);
    console.log(`  ${c1.requestsPerSecond} req/s, p50 ${c1.p50Ms} ms, p99 ${c1.p99Ms} ms`);
    console.log('neural, concurrency 16 (+ /healthz probe) ...');
    let probe = healthProbe(port);
    const c16 = await phase(port, '/v1/entities', 16, P.c16, consistent);
    const health16 = await probe.stop();
    console.log(
      `  ${c16.requestsPerSecond} req/s, p50 ${c16.p50Ms} ms, p99 ${c16.p99Ms} ms; healthz p99 ${health16['p99Ms']} ms`,
    );
    console.log('neural, concurrency 100 (+ /healthz probe) ...');
    probe = healthProbe(port);
    const c100 = await phase(port, '/v1/entities', 100, P.c100, consistent);
    const health100 = await probe.stop();
    console.log(
      `  ${c100.requestsPerSecond} req/s, p50 ${c100.p50Ms} ms, p99 ${c100.p99Ms} ms; healthz p99 ${health100['p99Ms']} ms`,
    );
    const after = await scrape(port);
    const rssTreeAfter = treeRss(child.pid as number);

    // A few-shot task on the shipped meta model (adapted in its own process), tagged at concurrency 16.
    const t0 = performance.now();
    const created = await call(port, 'POST', '/v1/tasks', { support });
    const createMs = performance.now() - t0;
    if (created.status !== 201) throw new Error(`POST /v1/tasks failed: ${created.status} ${created.text}`);
    const { taskId } = JSON.parse(created.text) as { taskId: string };
    const taskPath = `/v1/tasks/${taskId}/entities`;
    await phase(port, taskPath, 4, 20, consistent);
    const taskBefore = await scrape(port);
    console.log('neural, few-shot task, concurrency 16 (+ /healthz probe) ...');
    probe = healthProbe(port);
    const task16 = await phase(port, taskPath, 16, P.task, consistent);
    const healthTask = await probe.stop();
    console.log(
      `  ${task16.requestsPerSecond} req/s, p50 ${task16.p50Ms} ms, p99 ${task16.p99Ms} ms; healthz p99 ${healthTask['p99Ms']} ms`,
    );
    const taskAfter = await scrape(port);
    const errors = c1.errors + c16.errors + c100.errors + task16.errors;
    if (errors > 0) throw new Error(`neural: ${errors} requests failed or returned inconsistent entities`);
    return {
      backend:
        'nerima serve default: shipped Stockmark tagger on onnxruntime-node in 1 child process (OnnxTaggerPool); few-shot tasks on the shipped MAML-ProtoNet++ (models/meta) on tfjs in its own child process; fastify 5, in-memory task store',
      setup: {
        server: 'node --import tsx apps/cli/src/main.ts serve --db :memory: (from source, no model flags)',
        health,
        route: 'POST /v1/entities (POST /v1/tasks/:id/entities in fewShotTask)',
        textChars: queryText(0).length,
        healthProbe:
          'GET /healthz every 50 ms on its own connection during the concurrency 16 and 100 phases and the task phase',
        tensors:
          'nerima_tf_tensors: tfjs tensors of the server process (the tagger weights it keeps) + those of the meta model process as of its last reply; the ONNX child holds no tfjs tensors',
      },
      metrics: {
        concurrency1: c1,
        concurrency16: { ...c16, healthz: health16 },
        concurrency100: { ...c100, healthz: health100 },
        requestsTotal: P.warmup + c1.requests + c16.requests + c100.requests,
        rssBytesBeforeLoad: before['process_resident_memory_bytes'],
        rssBytesAfterRequests: after['process_resident_memory_bytes'],
        rssBytesWithChildrenBeforeLoad: rssTreeBefore,
        rssBytesWithChildrenAfterRequests: rssTreeAfter,
        heapUsedBytesAfterRequests: after['nodejs_heap_used_bytes'],
        tfTensorsBeforeLoad: before['nerima_tf_tensors'],
        tfTensorsAfterRequests: after['nerima_tf_tensors'],
        fewShotTask: {
          supportSentences: support.length,
          createMs: round(createMs),
          concurrency16: { ...task16, healthz: healthTask },
          tfTensorsBefore: taskBefore['nerima_tf_tensors'],
          tfTensorsAfter: taskAfter['nerima_tf_tensors'],
        },
      },
    };
  } finally {
    await stopServer(child);
  }
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error(`benchmark exceeded ${RUN_CAP_MS / 1000} s; stopping`);
    process.exit(1);
  }, RUN_CAP_MS);
  hardStop.unref();

  const dir = mkdtempSync(join(tmpdir(), 'nerima-bench-'));
  try {
    const lexicon = only === 'neural' ? undefined : await lexiconRun(dir);
    const neural = only === 'lexicon' ? undefined : await neuralRun();
    const result = {
      command: `pnpm --filter @nerima/server bench${quick ? ' --quick' : ''}${only ? ` --only ${only}` : ''}`,
      commit: gitCommit(),
      date: new Date().toISOString(),
      backend: 'per configuration (lexicon.backend, neural.backend)',
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        // Other work on the machine during the run skews the numbers; this says how busy it was.
        loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2),
      },
      client:
        'node:http keep-alive agent in the benchmark process, same machine (shares the CPU with the server)',
      ...(lexicon ? { lexicon } : {}),
      ...(neural ? { neural } : {}),
    };
    const tmp = `${outPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
    renameSync(tmp, outPath);
    console.log(`wrote ${outPath}`);
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
