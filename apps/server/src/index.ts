export { type MainHooks, runServerCli, UsageError } from './cli.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export { DEFAULT_LIMITS, resolveLimits, type ServerLimits } from './limits.js';
export { lexiconModel, type ModelLoader, type ModelProvider, readSupportFile } from './model.js';
export type { RedisStoreOptions } from './redis-store.js';
export { ROUTES } from './routes.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export { createServer, type NerimaServer, type ServerOptions } from './server.js';
export type { TensorMemory } from './server-metrics.js';
export { WEB_PREFIX } from './static.js';
export {
  MemoryTaskStore,
  openTaskStore,
  type StoreOption,
  type TaskRecord,
  type TaskStore,
} from './store.js';
