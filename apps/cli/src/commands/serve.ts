import { getInt, getString, userPath } from '../args.js';
import { defineCommand, type OptionSpec } from '../command.js';
import { CliError, DataError, EXIT, UsageError } from '../errors.js';

/** Prefix of the `--model` value the server's entry point gets for a shipped name. */
const SHIPPED_MARKER = 'shipped:';

/** Limit flags passed through to @nerima/server (see its README for the defaults). */
const LIMITS: Record<string, string> = {
  'body-limit': 'request body size in bytes',
  'max-text-length': 'UTF-16 code units per text',
  'max-batch-size': 'texts per request',
  'max-support-sentences': 'sentences per support set',
  'max-tasks-in-memory': 'adapted taggers kept loaded (LRU)',
  'max-stored-tasks': 'tasks kept in the database',
};

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve a model over HTTP: entities, few-shot tasks (POST /v1/tasks), metrics, OpenAPI',
  description: `Starts @nerima/server (Fastify). Without --model it serves the shipped models, no training needed:
  POST /v1/entities: the Stockmark 8-type tagger (onnxruntime-node, in --processes child processes);
  POST /v1/tasks:    the shipped MAML-ProtoNet++ meta-trained on Stockmark (models/meta), in a child process.
So slow predictions and adaptations never hold up GET /healthz. --model gsd serves the shipped GSD NE
tagger instead; --model lexicon (or --support without --model) the exact-match baseline, with a default
tagger learnt from --support. Otherwise --model is
  a run folder: its MAML-ProtoNet++ model (model/meta) adapts to the support sets of POST /v1/tasks, and
                its supervised tagger (model/tagger), if any, answers POST /v1/entities;
  an adapted folder (nerima adapt): its adapted tagger answers POST /v1/entities, its meta model the tasks;
--tagger <run folder> takes the default tagger from another run (e.g. one of nerima train).
Tasks are stored in --db (SQLite) and survive restarts. Prints the URL when listening;
SIGTERM or Ctrl-C finishes in-flight requests and exits 0. Routes: POST /v1/entities,
POST /v1/tasks, POST /v1/tasks/:id/entities, GET/DELETE /v1/tasks/:id, GET /healthz, GET /metrics,
GET /openapi.json, GET /docs; with --web <dir>, the nerima web page under /app/ (and / redirects there).`,
  options: {
    model: {
      type: 'string',
      short: 'm',
      valueName: '<dir>',
      description:
        'stockmark or gsd (shipped tagger + shipped meta model), lexicon (exact-match baseline), a run folder (model/meta and/or model/tagger) or an adapted folder',
      defaultText: 'stockmark',
    },
    host: {
      type: 'string',
      valueName: '<addr>',
      description: 'address to listen on',
      defaultText: '127.0.0.1',
    },
    tagger: {
      type: 'string',
      valueName: '<dir>',
      description: 'with --model: the default tagger from another run folder (nerima train) or tagger folder',
    },
    port: {
      type: 'string',
      short: 'p',
      valueName: '<n>',
      description: 'port, 0 for any free one',
      defaultText: '8080',
    },
    db: {
      type: 'string',
      valueName: '<file|:memory:>',
      description: 'task database; :memory: keeps tasks in memory only',
      defaultText: 'nerima-tasks.sqlite',
    },
    store: {
      type: 'string',
      valueName: '<redis-url>',
      description:
        'instead of --db: tasks in Redis, shared by every replica started with the same URL (e.g. redis://127.0.0.1:6379/0; key prefix ?prefix=...)',
    },
    support: {
      type: 'string',
      valueName: '<file>',
      description: 'the lexicon baseline (implies --model lexicon): its default tagger learns from this file',
    },
    processes: {
      type: 'string',
      valueName: '<n>',
      description:
        'with a shipped tagger: ONNX child processes that run it (0: in the server process, which then blocks while it tags)',
      defaultText: '1',
    },
    web: {
      type: 'string',
      valueName: '<dir>',
      description:
        'also serve this built web page under /app/ (pnpm --filter @nerima/web build → apps/web/dist)',
    },
    ...Object.fromEntries(
      Object.entries(LIMITS).map(([name, description]): [string, OptionSpec] => [
        name,
        { type: 'string', valueName: '<n>', description },
      ]),
    ),
  },
  examples: [
    {
      command: 'nerima serve --port 8080',
      description: 'the shipped Stockmark tagger and few-shot tasks on the shipped meta model',
    },
    {
      command: 'nerima serve --model lexicon --support support.jsonl',
      description: 'the exact-match baseline, its default tagger learnt from support.jsonl',
    },
    {
      command: 'nerima serve --model runs/2025-11-25T22-04-17 --port 8080',
      description: 'serve a pipeline run; then: curl -s localhost:8080/healthz',
    },
    {
      command: 'nerima serve --model runs/meta-A --tagger runs/tagger',
      description: 'few-shot tasks with a meta model, POST /v1/entities with a supervised tagger',
    },
    {
      command: 'nerima serve --web apps/web/dist --port 8080',
      description: 'the shipped models plus the web page at http://127.0.0.1:8080/app/',
    },
    {
      command: 'nerima serve --model runs/products --db tasks.sqlite --max-batch-size 16',
      description: 'serve an adapted model with its own task database and a smaller batch limit',
    },
  ],
  async run(ctx) {
    const argv: string[] = [];
    for (const name of ['host', 'port', 'db', 'store', ...Object.keys(LIMITS)]) {
      const v = getString(ctx.values, name);
      if (v !== undefined) argv.push(`--${name}`, v);
    }
    const model = getString(ctx.values, 'model');
    const support = getString(ctx.values, 'support');
    const { SHIPPED_TAGGERS, DEFAULT_TAGGER } = await import('@nerima/models');
    const lexicon = model === 'lexicon' || (model === undefined && support !== undefined);
    const shipped = lexicon
      ? undefined
      : model === undefined
        ? DEFAULT_TAGGER
        : SHIPPED_TAGGERS[model]
          ? model
          : undefined;
    if (support !== undefined && !lexicon) {
      throw new UsageError(
        '--support is for the lexicon baseline (--model lexicon); do not combine it with --model',
      );
    }
    const tagger = getString(ctx.values, 'tagger');
    if (tagger !== undefined && (model === undefined || lexicon || shipped !== undefined)) {
      throw new UsageError(
        '--tagger goes with --model <run folder> (the few-shot model to serve next to it)',
      );
    }
    const processesRaw = getString(ctx.values, 'processes');
    if (processesRaw !== undefined && shipped === undefined) {
      throw new UsageError('--processes is for the shipped taggers (no --model, or --model stockmark|gsd)');
    }
    const processes = getInt(ctx.values, 'processes', 1, { min: 0, max: 64 });
    // The server's own entry point treats --model as a folder for our loader; a shipped name goes
    // through as a marker that cannot collide with a folder (user paths are made absolute).
    if (shipped !== undefined) argv.push('--model', `${SHIPPED_MARKER}${shipped}`);
    else if (model !== undefined && !lexicon) argv.push('--model', userPath(ctx, model));
    if (support !== undefined) argv.push('--support', userPath(ctx, support));
    const web = getString(ctx.values, 'web');
    if (web !== undefined) argv.push('--web', userPath(ctx, web));
    if (ctx.global.quiet) argv.push('--quiet');

    const server = await import('@nerima/server');
    const loadModel = async (dir: string) => {
      const { initTensorBackend } = await import('../backend.js');
      await initTensorBackend(ctx);
      if (dir.startsWith(SHIPPED_MARKER)) {
        const { loadDefaultProvider } = await import('../default-model.js');
        const name = dir.slice(SHIPPED_MARKER.length);
        ctx.out.info(`loading the shipped ${name} tagger and meta model`);
        return loadDefaultProvider({
          tagger: name,
          processes,
          ...(ctx.global.backend !== undefined ? { backend: ctx.global.backend } : {}),
          warn: (m) => ctx.out.warn(m),
        });
      }
      const { loadModelProvider } = await import('../model-folder.js');
      ctx.out.info(`loading ${dir}`);
      return loadModelProvider(dir, (m) => ctx.out.warn(m), {
        ...(tagger !== undefined ? { taggerFrom: userPath(ctx, tagger) } : {}),
      });
    };
    try {
      await server.runServerCli(argv, { loadModel });
    } catch (err) {
      if (err instanceof server.UsageError) throw new UsageError(err.message, { cause: err });
      if (err instanceof CliError) throw err;
      const e = err as Error & { code?: string; name?: string };
      if (e.name === 'DatasetError' || e.code === 'ENOENT')
        throw new DataError(e.message.split('\n')[0] ?? '', [], { cause: err });
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
        throw new CliError(`cannot listen: ${e.message}; choose another --port or --host`, EXIT.FAILURE, {
          cause: err,
        });
      }
      throw err;
    }
    // The server keeps the process alive; SIGTERM / SIGINT shut it down (exit 0).
    return EXIT.OK;
  },
});
