/**
 * The `nerima-server` command line: parses the options and starts {@link serve}. Without
 * `--model` it serves the lexicon (exact-match) baseline, with a default tagger adapted to
 * `--support` when given.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { lexiconModel, type ModelLoader, type ModelProvider, readSupportFile } from './model.js';
import { type RunningServer, serve } from './serve.js';

const HELP = `Usage: nerima-server [options]

Serves few-shot Japanese NER over HTTP (see /docs once it runs).

Options:
  --host <addr>                 address to listen on (default 127.0.0.1)
  --port <n>                    port, 0 for any free one (default 8080)
  --db <file|:memory:>          task database; tasks survive restarts (default nerima-tasks.sqlite)
  --store <redis-url>           instead of --db: a task store shared by several replicas, e.g.
                                redis://127.0.0.1:6379/0 (key prefix: ?prefix=..., default nerima:tasks:)
  --model <run folder>          serve a trained model (needs a model loader, e.g. \`nerima serve\`)
  --support <file>              without --model: a default tagger (lexicon) learnt from this file
                                (JSONL, Stockmark ner.json or CoNLL)
  --body-limit <bytes>          (default ${DEFAULT_LIMITS.bodyLimit})
  --max-text-length <n>         UTF-16 code units per text (default ${DEFAULT_LIMITS.maxTextLength})
  --max-batch-size <n>          texts per request (default ${DEFAULT_LIMITS.maxBatchSize})
  --max-support-sentences <n>   sentences per support set (default ${DEFAULT_LIMITS.maxSupportSentences})
  --max-tasks-in-memory <n>     adapted taggers kept loaded, LRU (default ${DEFAULT_LIMITS.maxTasksInMemory})
  --max-stored-tasks <n>        tasks kept in the database (default ${DEFAULT_LIMITS.maxStoredTasks})
  --web <dir>                   also serve this built web page under /app/ (e.g. apps/web/dist)
  --quiet                       no request logs
  -h, --help                    this help

Examples:
  nerima-server --support support.jsonl --port 8080
  curl -s localhost:8080/v1/entities -H 'content-type: application/json' -d '{"text":"山田さんは東京に住む。"}'

Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 on a runtime error, 2 on bad arguments.`;

const LIMIT_FLAGS: Record<string, keyof ServerLimits> = {
  'body-limit': 'bodyLimit',
  'max-text-length': 'maxTextLength',
  'max-batch-size': 'maxBatchSize',
  'max-support-sentences': 'maxSupportSentences',
  'max-tasks-in-memory': 'maxTasksInMemory',
  'max-stored-tasks': 'maxStoredTasks',
};

/** A bad command line; the executable exits with code 2. */
export class UsageError extends Error {}

function intFlag(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Extension points for the CLI. */
export interface MainHooks {
  /** Loads `--model <run folder>`; without it `--model` is a usage error. */
  loadModel?: ModelLoader;
}

/**
 * Parses `argv` (without node and script) and serves until SIGTERM/SIGINT. Returns `undefined`
 * after `--help`. Throws {@link UsageError} on bad arguments.
 */
export async function runServerCli(
  argv: readonly string[],
  hooks: MainHooks = {},
): Promise<RunningServer | undefined> {
  const limitOptions = Object.fromEntries(
    Object.keys(LIMIT_FLAGS).map((k) => [k, { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        store: { type: 'string' },
        model: { type: 'string' },
        support: { type: 'string' },
        web: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...limitOptions,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values['help']) {
    console.log(HELP);
    return undefined;
  }
  const limits: Partial<ServerLimits> = {};
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) {
    const raw = values[flag];
    if (typeof raw === 'string') limits[key] = intFlag(flag, raw, 1);
  }
  const port = typeof values['port'] === 'string' ? intFlag('port', values['port'], 0) : 8080;
  if (port > 65535) throw new UsageError(`--port must be <= 65535, got ${port}`);
  const host = typeof values['host'] === 'string' ? values['host'] : '127.0.0.1';
  const db = typeof values['db'] === 'string' ? values['db'] : 'nerima-tasks.sqlite';
  const storeUrl = typeof values['store'] === 'string' ? values['store'] : undefined;
  if (storeUrl !== undefined) {
    if (values['db'] !== undefined)
      throw new UsageError('--store and --db both name a task store; give one of them');
    if (!/^rediss?:\/\//i.test(storeUrl)) {
      throw new UsageError(
        `--store must be a Redis URL (redis://host:port/db), got ${JSON.stringify(storeUrl)}; for a SQLite file use --db`,
      );
    }
  }
  const modelDir = values['model'] as string | undefined;
  const supportFile = values['support'] as string | undefined;

  let model: ModelProvider;
  if (modelDir !== undefined) {
    if (supportFile !== undefined)
      throw new UsageError('--support is for the lexicon fallback; do not combine it with --model');
    if (!hooks.loadModel) {
      throw new UsageError(
        `--model ${modelDir}: this entry point has no model loader; run \`nerima serve --model ${modelDir}\``,
      );
    }
    model = await hooks.loadModel(modelDir);
  } else {
    model = await lexiconModel(supportFile === undefined ? undefined : await readSupportFile(supportFile));
  }

  const running = await serve({
    model,
    store: storeUrl !== undefined ? { redis: storeUrl } : db === ':memory:' ? ':memory:' : { path: db },
    host,
    port,
    limits,
    logger: values['quiet'] ? false : { level: 'info' },
    ...(typeof values['web'] === 'string' ? { webRoot: values['web'] } : {}),
  });
  const types = model.tagger ? model.tagger.types.join(', ') : 'none (POST /v1/tasks first)';
  console.log(
    `nerima server listening on ${running.url} (model ${model.name}, default types: ${types}, tasks: ${running.server.store.location})`,
  );
  if (typeof values['web'] === 'string') console.log(`web page: ${running.url}/app/`);
  return running;
}
