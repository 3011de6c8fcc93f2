/**
 * Scale-out benchmark: the same corpus (Wikinews, ≥ 50k sentences, read from
 * ../shared/data/unlabeled, never copied) tagged by `nerima tag-corpus --redis` with 1 and with 2
 * `nerima worker` processes on a throw-away redis-server; then a run with 2 workers where one is
 * SIGKILLed mid-way, checked for a complete, duplicate-free output in input order. Writes
 * bench/results/scale.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/scale/scale.ts [--lines N] [--model stockmark]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redisUnavailable, startRedis } from '../../apps/server/test/redis-server.js';
import { gitCommit } from '../git-commit.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataRoot = process.env['NERIMA_DATA'] ?? resolve(repoRoot, '../shared/data');
const mainTs = join(repoRoot, 'apps/cli/src/main.ts');
const nodeArgs = ['--import', 'tsx', '--conditions=@nerima/source', mainTs];

const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    model: { type: 'string', default: 'stockmark' },
    'chunk-size': { type: 'string', default: '1000' },
    'lock-ms': { type: 'string', default: '5000' },
    out: { type: 'string', default: join(repoRoot, 'bench/results/scale.json') },
  },
});
const input = values.input ?? join(dataRoot, 'unlabeled/wikinews_ja.txt');
if (!existsSync(input)) {
  console.log(`skip: ${input} not found (set NERIMA_DATA to the shared data folder)`);
  process.exit(0);
}
const why = redisUnavailable();
if (why) {
  console.log(`skip: ${why}`);
  process.exit(0);
}
const chunkSize = values['chunk-size'] as string;
const lockMs = values['lock-ms'] as string;
const model = values.model as string;
const inputLines = readFileSync(input, 'utf8').split('\n');
if (inputLines[inputLines.length - 1] === '') inputLines.pop();

interface Worker {
  child: ChildProcess;
  log: string;
  ready: Promise<void>;
  exited: Promise<void>;
}

function startWorker(redis: string, queue: string): Worker {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      'worker',
      '--redis',
      redis,
      '--queue',
      queue,
      '--model',
      model,
      '--threads',
      '1',
      '--lock-ms',
      lockMs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const w: Worker = {
    child,
    log: '',
    ready: Promise.resolve(),
    exited: new Promise((r) => child.once('exit', () => r())),
  };
  w.ready = new Promise((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      w.log += d.toString();
      if (/: ready on /.test(w.log)) ok();
    });
    child.once('exit', (code) => fail(new Error(`worker exited ${code}: ${w.log}`)));
  });
  return w;
}

function chunksOf(w: Worker): number[] {
  return [...w.log.matchAll(/chunk (\d+): \d+ lines/g)].map((m) => Number(m[1]));
}

function coordinator(
  redis: string,
  queue: string,
  outDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        'tag-corpus',
        input,
        '--out',
        outDir,
        '--chunk-size',
        chunkSize,
        '--redis',
        redis,
        '--queue',
        queue,
        '--json',
        '-q',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** Every input line exactly once, in order, with its own text; no extra line. */
function verify(outDir: string): {
  complete: boolean;
  duplicateFree: boolean;
  inOrder: boolean;
  lines: number;
  sha256: string;
} {
  const text = readFileSync(join(outDir, 'entities.jsonl'), 'utf8');
  const rows = text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; text: string });
  const seen = new Set<number>();
  let inOrder = true;
  let textsMatch = true;
  rows.forEach((r, i) => {
    seen.add(r.line);
    if (r.line !== i + 1) inOrder = false;
    if (inputLines[r.line - 1] !== r.text) textsMatch = false;
  });
  return {
    complete: seen.size === inputLines.length && textsMatch,
    duplicateFree: seen.size === rows.length,
    inOrder,
    lines: rows.length,
    sha256: createHash('sha256').update(text).digest('hex').slice(0, 16),
  };
}

const redis = await startRedis();
const tmp = mkdtempSync(join(tmpdir(), 'nerima-scale-'));
const runs: Record<string, unknown>[] = [];
try {
  for (const n of [1, 2]) {
    const queue = `scale${n}`;
    const outDir = join(tmp, `w${n}`);
    const workers = Array.from({ length: n }, () => startWorker(redis.url, queue));
    await Promise.all(workers.map((w) => w.ready));
    const load = loadavg()[0];
    const t0 = performance.now();
    const r = await coordinator(redis.url, queue, outDir);
    const wall = (performance.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`tag-corpus exited ${r.code}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout) as { lines: number; taggingSeconds: number };
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    const check = verify(outDir);
    const run = {
      workers: n,
      lines: summary.lines,
      taggingSeconds: summary.taggingSeconds,
      wallSeconds: wall,
      sentencesPerSecond: summary.lines / summary.taggingSeconds,
      chunksByWorker: workers.map((w) => chunksOf(w).length),
      loadAverage1mBefore: load,
      loadAverage1mAfter: loadavg()[0],
      ...check,
    };
    console.log(JSON.stringify(run));
    runs.push(run);
  }

  // Two workers; one is SIGKILLed once a third of the chunks are written.
  const queue = 'scalekill';
  const outDir = join(tmp, 'kill');
  const workers = [startWorker(redis.url, queue), startWorker(redis.url, queue)];
  await Promise.all(workers.map((w) => w.ready));
  const load = loadavg()[0];
  const t0 = performance.now();
  const coord = coordinator(redis.url, queue, outDir);
  const total = Math.ceil(inputLines.length / Number(chunkSize));
  let killedAfterChunks = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const done = existsSync(join(outDir, 'chunks'))
      ? readdirSync(join(outDir, 'chunks')).filter((f) => /^\d+\.jsonl$/.test(f)).length
      : 0;
    if (done >= Math.floor(total / 3)) {
      killedAfterChunks = done;
      break;
    }
  }
  const victim = workers[0] as Worker;
  victim.child.kill('SIGKILL');
  const killedAtSeconds = (performance.now() - t0) / 1000;
  const r = await coord;
  const wall = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`tag-corpus exited ${r.code}: ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { lines: number; taggingSeconds: number };
  const survivor = workers[1] as Worker;
  survivor.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  const byVictim = chunksOf(victim);
  const bySurvivor = chunksOf(survivor);
  const check = verify(outDir);
  const run = {
    workers: 2,
    killed: 'worker 1 of 2, SIGKILL',
    killedAfterChunksWritten: killedAfterChunks,
    killedAtSeconds,
    lines: summary.lines,
    taggingSeconds: summary.taggingSeconds,
    wallSeconds: wall,
    sentencesPerSecond: summary.lines / summary.taggingSeconds,
    chunksByKilledWorker: byVictim.length,
    chunksBySurvivor: bySurvivor.length,
    chunksTaggedTwice: byVictim.filter((c) => bySurvivor.includes(c)).length,
    loadAverage1mBefore: load,
    loadAverage1mAfter: loadavg()[0],
    ...check,
  };
  console.log(JSON.stringify(run));
  runs.push(run);

  const [one, two, killed] = runs as [
    Record<string, number | string>,
    Record<string, number | string>,
    Record<string, unknown>,
  ];
  const result = {
    command: `pnpm exec tsx --conditions=@nerima/source bench/scale/scale.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend: `@nerima/models loadTagger('${model}', { threads: 1 }) in each worker (its default runtime: onnxruntime-node when it loads, else tfjs)`,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      note: 'shared 2-core VM; other jobs may run: see loadAverage1m* (1-minute load average before and after each run)',
    },
    redis: 'Debian redis-server, started by this benchmark (no persistence), 127.0.0.1',
    corpus: { file: input.replace(`${dataRoot}/`, '../shared/data/'), lines: inputLines.length },
    chunkSize: Number(chunkSize),
    lockMs: Number(lockMs),
    method:
      'workers are started and have loaded the tagger before the clock starts; sentencesPerSecond = lines / taggingSeconds (tag-corpus: from queueing to the last chunk file); outputs are checked line by line against the input',
    runs,
    speedup2vs1: Number(two['sentencesPerSecond']) / Number(one['sentencesPerSecond']),
    sameOutputAllRuns: one['sha256'] === two['sha256'] && two['sha256'] === killed['sha256'],
  };
  const target = values.out as string;
  writeFileSync(`${target}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${target}.tmp`, target);
  console.log(`speed-up ${result.speedup2vs1.toFixed(2)}x; wrote ${values.out}`);
} finally {
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
}
