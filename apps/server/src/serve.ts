/** `serve`: create, listen, and shut down gracefully on SIGTERM / SIGINT. */
import type { ServerLimits } from './limits.js';
import type { ModelProvider } from './model.js';
import { createServer, type NerimaServer, type ServerOptions } from './server.js';
import type { StoreOption } from './store.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  model: ModelProvider;
  store: StoreOption;
  host?: string;
  port?: number;
  limits?: Partial<ServerLimits>;
  logger?: ServerOptions['logger'];
  /** Milliseconds to wait for in-flight requests on shutdown before exiting anyway. Default 10,000. */
  shutdownTimeoutMs?: number;
  /** A built web page to serve under `/app/` (see {@link ServerOptions.webRoot}). */
  webRoot?: string;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
}

/** A listening server. */
export interface RunningServer {
  server: NerimaServer;
  url: string;
  /** Closes the server, then disposes the model. Resolves when done. */
  shutdown(): Promise<void>;
}

/**
 * Starts serving `model`. On SIGTERM or SIGINT it stops accepting connections, lets in-flight
 * requests finish (up to `shutdownTimeoutMs`), disposes the taggers, closes the store and exits
 * with code 0 (1 if the shutdown failed or timed out). A second signal exits at once.
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { model } = options;
  const serverOptions: ServerOptions = {
    learner: model.learner,
    store: options.store,
    logger: options.logger ?? false,
  };
  if (model.tagger) serverOptions.tagger = model.tagger;
  if (options.limits) serverOptions.limits = options.limits;
  if (options.webRoot !== undefined) serverOptions.webRoot = options.webRoot;
  if (model.tensorMemory) serverOptions.tensorMemory = () => model.tensorMemory!();
  const server = await createServer(serverOptions);
  const url = await server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });

  let done: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    done ??= (async () => {
      await server.close();
      await model.dispose?.();
    })();
    return done;
  };

  if (options.handleSignals !== false) {
    const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
    const onSignal = (signal: NodeJS.Signals) => {
      if (done) {
        server.app.log.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      server.app.log.info(`${signal}: finishing in-flight requests, then exiting`);
      const timer = setTimeout(() => {
        server.app.log.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      shutdown().then(
        () => {
          clearTimeout(timer);
          server.app.log.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { server, url, shutdown };
}
