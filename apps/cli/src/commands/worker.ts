import { getInt, getString, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'tag corpus chunks queued by `nerima tag-corpus --redis` (BullMQ), until stopped',
  description: `Loads the tagger once, then takes chunk jobs from the BullMQ queue on --redis, one at a
time, and writes each chunk's result atomically into the run's out folder (which this machine must see
at the same path as the machine that queued it, like the input). Run one worker per CPU core, on as
many machines as you like, all on one Redis. SIGTERM or Ctrl-C finishes the current chunk and exits 0;
a worker that is killed outright loses its chunk to another worker after --lock-ms.`,
  options: {
    redis: { type: 'string', valueName: '<url>', description: 'the Redis the chunks are queued on' },
    queue: {
      type: 'string',
      valueName: '<name>',
      description: 'BullMQ queue name',
      defaultText: 'nerima-tag',
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
    threads: {
      type: 'string',
      valueName: '<n>',
      description: 'onnxruntime threads of a shipped tagger (workers: 1 each, run one per core)',
      defaultText: '1',
    },
    'batch-size': {
      type: 'string',
      valueName: '<n>',
      description: 'texts per model call',
      defaultText: '32',
    },
    'lock-ms': {
      type: 'string',
      valueName: '<ms>',
      description: 'job lock; a killed worker loses its chunk after about twice this',
      defaultText: '30000',
    },
  },
  examples: [
    {
      command: 'nerima worker --redis redis://db:6379 --model runs/tagger',
      description: 'tag chunks until stopped (start one per core on each machine)',
    },
  ],
  async run(ctx) {
    const redisUrl = requireString(ctx.values, 'redis', 'redis://host:port of the queue');
    const queueName = getString(ctx.values, 'queue');
    if (queueName?.includes(':')) throw new UsageError('--queue must not contain ":"');
    const batchSize = getInt(ctx.values, 'batch-size', 32, { min: 1, max: 100_000 });
    const lockMs = getInt(ctx.values, 'lock-ms', 30_000, { min: 1000, max: 3_600_000 });
    const modelArg = getString(ctx.values, 'model');
    const supportArg = getString(ctx.values, 'support');
    const { cliTaggerFactory } = await import('../corpus/tagger.js');
    const threads = getInt(ctx.values, 'threads', 1, { min: 1, max: 1024 });
    const factory = cliTaggerFactory(ctx, {
      threads,
      ...(modelArg !== undefined ? { model: userPath(ctx, modelArg) } : {}),
      ...(supportArg !== undefined ? { support: userPath(ctx, supportArg) } : {}),
    });
    const { pingRedis, startWorker } = await import('../corpus/queue.js');
    await pingRedis(redisUrl);
    const worker = startWorker({
      redisUrl,
      ...(queueName ? { queue: queueName } : {}),
      tagger: factory,
      batchSize,
      lockMs,
      log: (line) => ctx.out.info(`worker ${process.pid}: ${line}`),
    });
    await worker.ready;
    ctx.out.info(`worker ${process.pid}: ready on ${redisUrl} (queue ${queueName ?? 'nerima-tag'})`);
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        ctx.out.info(`worker ${process.pid}: ${signal}, finishing the current chunk`);
        worker.close().then(done, done);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    ctx.out.info(`worker ${process.pid}: stopped after ${worker.chunksDone} chunk(s)`);
    return 0;
  },
});
