/** Request and memory limits of the server, with their defaults. */

/** Every limit the server enforces. All are positive integers. */
export interface ServerLimits {
  /** Largest request body in bytes; larger bodies get 413 `body_too_large`. Default 1 MiB. */
  bodyLimit: number;
  /** Longest text (query or support sentence) in UTF-16 code units; 413 `text_too_long`. Default 10,000. */
  maxTextLength: number;
  /** Most texts in one `{texts: [...]}` request; 413 `batch_too_large`. Default 64. */
  maxBatchSize: number;
  /** Most sentences in one support set; 413 `support_too_large`. Default 500. */
  maxSupportSentences: number;
  /** Adapted taggers kept in memory; the least recently used is disposed beyond this. Default 32. */
  maxTasksInMemory: number;
  /** Tasks kept in the store; `POST /v1/tasks` beyond this gets 429 `task_limit`. Default 10,000. */
  maxStoredTasks: number;
  /** Most texts passed to one `tagger.predict` call when concurrent requests are batched. Default 32. */
  predictBatchSize: number;
  /** Texts waiting for one tagger; more get 503 `overloaded` (load shedding). Default 4,096. */
  maxQueuedTexts: number;
  /** `learner.adapt` calls running at once (adaptation is CPU-heavy). Default 1. */
  adaptConcurrency: number;
}

/** The defaults, sized for a 2-core machine. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  bodyLimit: 1_048_576,
  maxTextLength: 10_000,
  maxBatchSize: 64,
  maxSupportSentences: 500,
  maxTasksInMemory: 32,
  maxStoredTasks: 10_000,
  predictBatchSize: 32,
  maxQueuedTexts: 4_096,
  adaptConcurrency: 1,
});

/**
 * Fills missing limits with {@link DEFAULT_LIMITS} and checks each is a positive integer.
 * @throws RangeError naming the limit and its value.
 */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) {
      throw new RangeError(
        `limits.${key} is not a known limit (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`,
      );
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key as keyof ServerLimits] = value;
  }
  return limits;
}
