/** `createServer`: the Fastify app with its routes, limits, task registry, metrics and docs. */
import { createRequire } from 'node:module';
import type { FewShotLearner, Prediction, Tagger } from '@nerima/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ApiError, clientErrorHandler, errorHandler } from './errors.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { buildOpenApi, docsPage } from './openapi.js';
import { PredictQueue } from './predict-queue.js';
import { ROUTES } from './routes.js';
import {
  createTaskRequestSchema,
  createTaskResponseSchema,
  entitiesRequestSchema,
  entitiesResponseSchema,
  healthSchema,
  taskParamsSchema,
  taskSchema,
} from './schemas.js';
import { ServerMetrics, type TensorMemory } from './server-metrics.js';
import { checkWebRoot, registerStatic } from './static.js';
import { openTaskStore, type StoreOption, type TaskStore } from './store.js';
import { TaskRegistry } from './tasks.js';
import { type CreateTaskRequest, type EntitiesRequest, textsOf, validateSupport } from './validate.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Adapts a tagger to each support set sent to `POST /v1/tasks`. */
  learner: FewShotLearner;
  /** Serves `POST /v1/entities`; without it that route answers 503 `no_default_tagger`. Not disposed by the server. */
  tagger?: Tagger;
  /**
   * Where tasks are persisted: `{ path }` for a SQLite file, `':memory:'`, or
   * `{ redis: 'redis://host:port/db' }` for a store shared by several replicas.
   */
  store: StoreOption;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
  /** Fastify (pino) logger settings; default `false` (silent). */
  logger?: FastifyServerOptions['logger'];
  /** Reports tensors in memory for `/metrics` when the model uses tfjs (e.g. `() => tf.memory()`). */
  tensorMemory?: () => TensorMemory;
  /** A built web page (e.g. `apps/web/dist`) to serve under `/app/`, with `/` redirecting there. */
  webRoot?: string;
}

/** A ready server; call {@link NerimaServer.listen} to accept connections. */
export interface NerimaServer {
  /** The Fastify instance (e.g. for `app.inject` in tests, or more routes). */
  readonly app: FastifyInstance;
  readonly limits: Readonly<ServerLimits>;
  readonly store: TaskStore;
  /** Starts listening (default host 127.0.0.1, port 0 = any free port); resolves to the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish, disposes the
   * adapted taggers and closes the store. Safe to call twice.
   */
  close(): Promise<void>;
}

function clean(preds: Prediction[][], texts: readonly string[]): Prediction[][] {
  return preds.map((list, i) =>
    list.map((p) => ({
      start: p.start,
      end: p.end,
      type: p.type,
      text: p.text ?? texts[i]!.slice(p.start, p.end),
      score: p.score,
    })),
  );
}

function shape(preds: Prediction[][], batch: boolean): object {
  return batch ? { results: preds.map((entities) => ({ entities })) } : { entities: preds[0] ?? [] };
}

/**
 * Creates the HTTP server: opens the task store and registers the routes. Does not listen yet.
 * @example
 * const server = await createServer({ learner: new LexiconLearner(), store: { path: 'tasks.sqlite' } });
 * const url = await server.listen({ port: 8080 });
 */
export async function createServer(options: ServerOptions): Promise<NerimaServer> {
  if (!options || typeof options.learner?.adapt !== 'function') {
    throw new TypeError(
      'createServer: options.learner must be a FewShotLearner (an object with adapt(support, types))',
    );
  }
  const limits = resolveLimits(options.limits);
  const webRoot = options.webRoot === undefined ? undefined : await checkWebRoot(options.webRoot);
  const store = await openTaskStore(options.store);
  const started = performance.now();

  let app: FastifyInstance | undefined;
  const registry = new TaskRegistry(options.learner, store, limits, {
    onAdapt(reason, seconds) {
      metrics.adaptations.inc({ reason });
      metrics.adaptSeconds.observe({ reason }, seconds);
    },
    onEvict: () => metrics.evictions.inc(),
    onBatch: (n) => metrics.batches.observe({ model: 'task' }, n),
    onDisposeError: (err) => app?.log.warn({ err }, 'tagger.dispose failed'),
  });
  const metrics = new ServerMetrics({
    // Refreshed by the /metrics route before each render (the store is asynchronous).
    tasksStored: () => registry.lastStored,
    tasksInMemory: () => registry.inMemory,
    uptimeSeconds: () => (performance.now() - started) / 1000,
    tensorMemory: options.tensorMemory,
  });

  const defaultQueue = options.tagger
    ? new PredictQueue(options.tagger, {
        batchSize: limits.predictBatchSize,
        maxQueued: limits.maxQueuedTexts,
        onBatch: (n) => metrics.batches.observe({ model: 'default' }, n),
      })
    : undefined;

  const fastify = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyLimit,
    forceCloseConnections: 'idle',
    // Requests arriving during shutdown get our own 503 body (onRequest hook below).
    return503OnClosing: false,
    // Router errors (bad percent-encoding, over-long ids) get the same error body as the rest.
    frameworkErrors: errorHandler,
    clientErrorHandler,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  app = fastify;
  // JSON only: a text/plain body gets 415 rather than a confusing schema error.
  fastify.removeContentTypeParser('text/plain');
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler((request, reply) => {
    const err = new ApiError(404, 'not_found', `no route ${request.method} ${request.url}; see /docs`);
    void reply.status(404).send(err.toBody());
  });
  // Responses finished during shutdown close their keep-alive connection; otherwise close()
  // would wait for the client's idle connection to time out (72 s by default).
  let shuttingDown = false;
  fastify.addHook('preClose', async () => {
    shuttingDown = true;
  });
  fastify.addHook('onRequest', async () => {
    if (shuttingDown)
      throw new ApiError(503, 'shutting_down', 'the server is shutting down; retry on another instance');
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (shuttingDown) void reply.header('connection', 'close');
    return payload;
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  const openapi = buildOpenApi(ROUTES, { title: 'nerima NER server', version });
  const docs = docsPage(ROUTES, 'nerima NER server');

  fastify.post<{ Body: EntitiesRequest }>(
    '/v1/entities',
    { schema: { body: entitiesRequestSchema, response: { 200: entitiesResponseSchema } } },
    async (request) => {
      const { texts, batch } = textsOf(request.body, limits);
      if (!defaultQueue) {
        throw new ApiError(
          503,
          'no_default_tagger',
          'no default model is loaded: start the server with --support <file.jsonl> or --model <run folder>, ' +
            'or create a task with POST /v1/tasks and use POST /v1/tasks/:id/entities',
        );
      }
      return shape(clean(await defaultQueue.predict(texts), texts), batch);
    },
  );

  fastify.post<{ Body: CreateTaskRequest }>(
    '/v1/tasks',
    { schema: { body: createTaskRequestSchema, response: { 201: createTaskResponseSchema } } },
    async (request, reply) => {
      const { support, types } = validateSupport(request.body, limits);
      const record = await registry.create(support, types);
      void reply.status(201).header('location', `/v1/tasks/${record.id}`);
      return { taskId: record.id, types: record.types };
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/v1/tasks/:id',
    { schema: { params: taskParamsSchema, response: { 200: taskSchema } } },
    async (request) => {
      const info = await registry.info(request.params.id);
      if (!info) throw taskNotFound(request.params.id);
      const { record, inMemory } = info;
      return {
        taskId: record.id,
        types: record.types,
        learner: record.learner,
        supportSize: record.support.length,
        createdAt: record.createdAt,
        inMemory,
      };
    },
  );

  fastify.delete<{ Params: { id: string } }>(
    '/v1/tasks/:id',
    { schema: { params: taskParamsSchema } },
    async (request, reply) => {
      if (!(await registry.delete(request.params.id))) throw taskNotFound(request.params.id);
      return reply.status(204).send();
    },
  );

  fastify.post<{ Params: { id: string }; Body: EntitiesRequest }>(
    '/v1/tasks/:id/entities',
    {
      schema: {
        params: taskParamsSchema,
        body: entitiesRequestSchema,
        response: { 200: entitiesResponseSchema },
      },
    },
    async (request) => {
      const { texts, batch } = textsOf(request.body, limits);
      const preds = await registry.predict(request.params.id, texts);
      if (!preds) throw taskNotFound(request.params.id);
      return shape(clean(preds, texts), batch);
    },
  );

  fastify.get('/healthz', { schema: { response: { 200: healthSchema } } }, async () => ({
    status: 'ok',
    learner: options.learner.name,
    defaultTagger: options.tagger !== undefined,
    defaultTypes: options.tagger ? [...options.tagger.types] : [],
    tasksStored: await registry.stored(),
    tasksInMemory: registry.inMemory,
    uptimeSeconds: (performance.now() - started) / 1000,
  }));

  fastify.get('/metrics', async (_request, reply) => {
    // A store that cannot answer leaves the last count in the gauge; the other series still render.
    await registry.stored().catch(() => undefined);
    void reply.type(metrics.contentType);
    return metrics.render();
  });

  fastify.get('/openapi.json', async () => openapi);
  fastify.get('/docs', async (_request, reply) => {
    void reply.type('text/html; charset=utf-8');
    return docs;
  });

  if (webRoot !== undefined) registerStatic(fastify, webRoot);

  fastify.addHook('onClose', async () => {
    await registry.close();
    await store.close();
  });

  try {
    await fastify.ready();
  } catch (err) {
    await store.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    app: fastify,
    limits,
    store,
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      await fastify.listen({ host, port });
      const addr = fastify.server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return `http://${shownHost}:${actualPort}`;
    },
    close() {
      closing ??= fastify.close();
      return closing;
    },
  };
}

function taskNotFound(id: string): ApiError {
  return new ApiError(404, 'task_not_found', `no task ${JSON.stringify(id)}; create one with POST /v1/tasks`);
}
