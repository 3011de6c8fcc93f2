import { type ChildProcess, spawn } from 'node:child_process';
import { getInt, getString, requireString, userPath } from '../args.js';
import { type CommandContext, defineCommand } from '../command.js';
import { CliError, UsageError } from '../errors.js';

const FORMATS = ['text', 'jsonl'] as const;

/** Starts `n` `nerima worker` processes of this same executable; they log to our stderr. */
function spawnWorkers(
  ctx: CommandContext,
  n: number,
  args: readonly string[],
): { children: ChildProcess[]; stop(): Promise<void> } {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, 'worker', ...args],
      {
        stdio: ['ignore', 'ignore', ctx.global.debug ? 'inherit' : 'ignore'],
        env: process.env,
      },
    );
    children.push(child);
  }
  return {
    children,
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((done) => {
              if (c.exitCode !== null || c.signalCode !== null) return done();
              c.once('exit', () => done());
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

export const tagCorpusCommand = defineCommand({
  name: 'tag-corpus',
  summary: 'tag a large corpus in chunks, in this process or with workers on Redis (BullMQ); resumable',
  description: `Splits <input> (one text per line, or JSONL objects with "text" and an optional "id") into
chunks of --chunk-size lines, tags every chunk and writes <out>/entities.jsonl in input order, one line
per input line: {"line", "id"?, "text", "entities": [{"start", "end", "type", "text", "score"}]}
(UTF-16 offsets). Each chunk is written atomically to <out>/chunks/; running the same command again
resumes: finished chunks are skipped, none is tagged into the output twice.
Without --redis (the default, right for small inputs) this process tags every chunk. With --redis the
chunks are queued on BullMQ and \`nerima worker\` processes tag them, on this machine (--workers N) or
on others that see the input and --out at the same paths; a worker killed mid-chunk loses the chunk
to another worker after --lock-ms.`,
  arguments: [{ name: 'input', description: 'the corpus: a .txt (one text per line) or .jsonl file' }],
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'run folder (chunks, manifest, entities.jsonl)',
    },
    model: {
      type: 'string',
      short: 'm',
      valueName: '<dir>',
      description:
        'stockmark | gsd (shipped), a tagger folder, a run folder with model/tagger, or an adapted folder',
      defaultText: 'stockmark',
    },
    support: {
      type: 'string',
      valueName: '<file>',
      description: 'instead of --model: lexicon baseline from this file',
    },
    format: {
      type: 'string',
      valueName: '<text|jsonl>',
      description: 'input format',
      defaultText: 'by extension',
    },
    'chunk-size': { type: 'string', valueName: '<n>', description: 'lines per chunk', defaultText: '1000' },
    threads: {
      type: 'string',
      valueName: '<n>',
      description: 'onnxruntime threads of a shipped tagger (workers: 1 each, run one per core)',
      defaultText: 'one per core; 1 in each --workers process',
    },
    'batch-size': {
      type: 'string',
      valueName: '<n>',
      description: 'texts per model call',
      defaultText: '32',
    },
    redis: {
      type: 'string',
      valueName: '<url>',
      description: 'queue chunks on this Redis (redis://host:port)',
    },
    queue: {
      type: 'string',
      valueName: '<name>',
      description: 'BullMQ queue name',
      defaultText: 'nerima-tag',
    },
    workers: {
      type: 'string',
      valueName: '<n>',
      description: 'with --redis: start n local workers (0: workers run elsewhere)',
      defaultText: '0',
    },
    'lock-ms': {
      type: 'string',
      valueName: '<ms>',
      description: 'with --workers: how long a dead worker holds its chunk',
      defaultText: '30000',
    },
  },
  examples: [
    {
      command: 'nerima tag-corpus news.txt --model runs/tagger --out runs/news-tagged',
      description: 'tag a file in this process (resume by running it again)',
    },
    {
      command:
        'nerima tag-corpus corpus.jsonl --model runs/tagger --out /shared/run1 --redis redis://db:6379 --workers 2',
      description: 'queue the chunks on Redis and tag them with 2 local workers',
    },
    {
      command: 'nerima tag-corpus corpus.jsonl --out /shared/run1 --redis redis://db:6379',
      description:
        'queue only; `nerima worker --redis redis://db:6379 --model ...` on other machines tags it',
    },
  ],
  async run(ctx) {
    const [inputArg] = ctx.args;
    if (!inputArg) throw new UsageError('missing <input>: the corpus file to tag');
    const input = userPath(ctx, inputArg);
    const outDir = userPath(ctx, requireString(ctx.values, 'out', 'the run folder'));
    const formatArg = getString(ctx.values, 'format');
    if (formatArg !== undefined && !(FORMATS as readonly string[]).includes(formatArg)) {
      throw new UsageError(`--format must be text or jsonl, got ${JSON.stringify(formatArg)}`);
    }
    const { guessFormat } = await import('../corpus/plan.js');
    const format = (formatArg as 'text' | 'jsonl' | undefined) ?? guessFormat(input);
    const chunkSize = getInt(ctx.values, 'chunk-size', 1000, { min: 1, max: 10_000_000 });
    const batchSize = getInt(ctx.values, 'batch-size', 32, { min: 1, max: 100_000 });
    const redisUrl = getString(ctx.values, 'redis');
    const queueName = getString(ctx.values, 'queue');
    if (queueName?.includes(':')) throw new UsageError('--queue must not contain ":"');
    const workers = getInt(ctx.values, 'workers', 0, { min: 0, max: 1024 });
    const lockMs = getInt(ctx.values, 'lock-ms', 30_000, { min: 1000, max: 3_600_000 });
    const modelArg = getString(ctx.values, 'model');
    const supportArg = getString(ctx.values, 'support');
    if (!redisUrl && (ctx.values['workers'] !== undefined || queueName !== undefined)) {
      throw new UsageError('--workers and --queue go with --redis <url>');
    }
    const needsTagger = !redisUrl || workers > 0;
    const { cliTaggerFactory } = await import('../corpus/tagger.js');
    const threadsArg = getString(ctx.values, 'threads');
    const threads =
      threadsArg === undefined ? undefined : getInt(ctx.values, 'threads', 1, { min: 1, max: 1024 });
    const source = {
      ...(threads !== undefined && !redisUrl ? { threads } : {}),
      ...(modelArg !== undefined ? { model: userPath(ctx, modelArg) } : {}),
      ...(supportArg !== undefined ? { support: userPath(ctx, supportArg) } : {}),
    };
    if (!needsTagger && (modelArg !== undefined || supportArg !== undefined)) {
      throw new UsageError(
        'with --redis and no --workers the workers load the model: give --model to `nerima worker`',
      );
    }
    const factory = needsTagger ? cliTaggerFactory(ctx, source) : undefined;

    const { tagCorpus } = await import('../corpus/run.js');
    let local: ReturnType<typeof spawnWorkers> | undefined;
    if (redisUrl) {
      const { pingRedis } = await import('../corpus/queue.js');
      await pingRedis(redisUrl);
    }
    let bar: ReturnType<CommandContext['progress']> | undefined;
    let shown = 0;
    try {
      const result = await tagCorpus({
        input,
        outDir,
        format,
        chunkSize,
        batchSize,
        ...(factory ? { tagger: factory } : {}),
        ...(redisUrl
          ? {
              redis: {
                url: redisUrl,
                ...(queueName ? { queue: queueName } : {}),
                check: () => {
                  if (local?.children.every((c) => c.exitCode !== null || c.signalCode !== null)) {
                    throw new CliError(
                      `every local worker exited (codes ${local.children.map((c) => c.exitCode ?? c.signalCode).join(', ')}); run with --debug to see their errors`,
                      1,
                    );
                  }
                },
              },
            }
          : {}),
        onPlan: (manifest, pending, resumed) => {
          ctx.out.info(
            `${input}: ${manifest.lines} lines in ${manifest.chunks.length} chunks of ${chunkSize}; ` +
              `${resumed ? `resuming, ${manifest.chunks.length - pending.length} done, ` : ''}${pending.length} to tag` +
              (redisUrl ? ` on ${redisUrl}` : ' in this process'),
          );
          bar = ctx.progress('tag-corpus', manifest.lines, { logEveryMs: 10_000 });
          if (redisUrl && workers > 0 && pending.length > 0) {
            local = spawnWorkers(ctx, workers, [
              '--redis',
              redisUrl,
              ...(queueName ? ['--queue', queueName] : []),
              ...(source.model ? ['--model', source.model] : []),
              ...(source.support ? ['--support', source.support] : []),
              '--batch-size',
              String(batchSize),
              '--threads',
              String(threads ?? 1),
              '--lock-ms',
              String(lockMs),
              ...(ctx.global.backend ? ['--backend', ctx.global.backend] : []),
            ]);
            ctx.out.info(`started ${workers} local worker(s)`);
          }
        },
        onProgress: (linesDone) => {
          bar?.tick(linesDone - shown);
          shown = linesDone;
        },
      });
      bar?.done();
      const rate = result.linesTagged / Math.max(result.taggingSeconds, 1e-9);
      ctx.out.info(
        `wrote ${result.output}: ${result.manifest.lines} lines; tagged ${result.linesTagged} in ${result.taggingSeconds.toFixed(1)} s` +
          (result.linesTagged > 0 ? ` (${rate.toFixed(1)} sentences/s)` : ''),
      );
      ctx.out.result(
        {
          output: result.output,
          lines: result.manifest.lines,
          chunks: result.manifest.chunks.length,
          chunksSkipped: result.chunksSkipped,
          linesTagged: result.linesTagged,
          taggingSeconds: result.taggingSeconds,
          sentencesPerSecond: result.linesTagged > 0 ? rate : null,
          resumed: result.resumed,
        },
        () => result.output,
      );
    } finally {
      bar?.done();
      await local?.stop();
    }
    return 0;
  },
});
