/** The server's Prometheus series, wired to the values they read at scrape time. */
import { Counter, Gauge, Histogram, Registry } from './metrics.js';

/** tfjs memory figures, e.g. `() => tf.memory()`. */
export interface TensorMemory {
  numTensors: number;
  numBytes: number;
}

/** Where the gauges read their values. */
export interface MetricSources {
  tasksStored(): number;
  tasksInMemory(): number;
  uptimeSeconds(): number;
  /** Absent when the model does not use tfjs: the tensor gauges are then left out. */
  tensorMemory?: (() => TensorMemory) | undefined;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export class ServerMetrics {
  readonly #registry = new Registry();
  readonly requests: Counter;
  readonly latency: Histogram;
  readonly batches: Histogram;
  readonly adaptations: Counter;
  readonly adaptSeconds: Histogram;
  readonly evictions: Counter;

  constructor(sources: MetricSources) {
    const r = this.#registry;
    this.requests = r.register(
      new Counter('nerima_http_requests_total', 'HTTP requests by method, route and status code.'),
    );
    this.latency = r.register(
      new Histogram(
        'nerima_http_request_duration_seconds',
        'HTTP request latency by method and route.',
        LATENCY_BUCKETS,
      ),
    );
    this.batches = r.register(
      new Histogram(
        'nerima_predict_batch_texts',
        'Texts per tagger.predict call (concurrent requests are batched).',
        BATCH_BUCKETS,
      ),
    );
    this.adaptations = r.register(
      new Counter(
        'nerima_task_adaptations_total',
        'learner.adapt calls: create (POST /v1/tasks) or reload (lazily after eviction or restart).',
      ),
    );
    this.adaptSeconds = r.register(
      new Histogram('nerima_task_adaptation_seconds', 'Time of learner.adapt calls.', LATENCY_BUCKETS),
    );
    this.evictions = r.register(
      new Counter('nerima_task_evictions_total', 'Adapted taggers evicted from memory (LRU).'),
    );
    r.register(new Gauge('nerima_tasks_stored', 'Tasks in the store.', () => sources.tasksStored()));
    r.register(
      new Gauge('nerima_tasks_in_memory', 'Adapted taggers in memory.', () => sources.tasksInMemory()),
    );
    const tf = sources.tensorMemory;
    r.register(new Gauge('nerima_tf_tensors', 'tfjs tensors in memory.', () => tf?.().numTensors));
    r.register(new Gauge('nerima_tf_memory_bytes', 'Bytes held by tfjs tensors.', () => tf?.().numBytes));
    r.register(
      new Gauge('process_resident_memory_bytes', 'Resident set size in bytes.', () =>
        process.memoryUsage.rss(),
      ),
    );
    r.register(
      new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', () => process.memoryUsage().heapUsed),
    );
    r.register(
      new Gauge('process_uptime_seconds', 'Seconds since the server was created.', () =>
        sources.uptimeSeconds(),
      ),
    );
  }

  /** The Content-Type of {@link render}'s output. */
  get contentType(): string {
    return Registry.contentType;
  }

  /** Every series in the Prometheus text format. */
  render(): string {
    return this.#registry.render();
  }
}
