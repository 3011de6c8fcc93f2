/**
 * A one-line progress bar with ETA on stderr. It draws only when the stream is a TTY (and the
 * caller did not ask for --quiet); otherwise every call is a no-op, so logs and pipes stay clean.
 */

/** What a command uses to report progress. */
export interface Progress {
  /** Advances by `n` (default 1); `note` replaces the text after the bar. */
  tick(n?: number, note?: string): void;
  /** Draws the final state and ends the line. Safe to call twice. */
  done(): void;
}

/** A writable stream as far as the bar needs it. */
export interface BarStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats seconds as `12s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The state {@link renderBar} draws. */
export interface BarState {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
  note?: string;
  /** Milliseconds left before a time limit stops the work; caps the ETA. */
  limitLeftMs?: number;
}

/**
 * Renders one line of at most `width` columns:
 * `label [#########---------]  45/100  45% ETA 12s note`. The ETA assumes a constant rate, capped
 * by `limitLeftMs` when a time limit will stop the work first; it is `?` before the first step
 * and becomes the total time at 100%.
 */
export function renderBar(state: BarState, width = 80): string {
  const { label, done, total, elapsedMs } = state;
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  let eta = '';
  if (done < total) {
    const byRate = done > 0 ? ((total - done) * elapsedMs) / done : Number.NaN;
    const left =
      state.limitLeftMs === undefined
        ? byRate
        : Number.isNaN(byRate)
          ? Math.max(0, state.limitLeftMs)
          : Math.min(byRate, Math.max(0, state.limitLeftMs));
    eta = Number.isNaN(left) ? ' ETA ?' : ` ETA ${formatDuration(left / 1000)}`;
  } else eta = ` in ${formatDuration(elapsedMs / 1000)}`;
  const tail = ` ${count} ${pct}${eta}${state.note ? ` ${state.note}` : ''}`;
  const barWidth = Math.max(10, Math.min(30, width - label.length - tail.length - 3));
  const filled = Math.round(frac * barWidth);
  const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

const NOOP: Progress = { tick() {}, done() {} };

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  label: string;
  total: number;
  stream: BarStream;
  /** Draw at all; false gives a no-op bar. */
  enabled: boolean;
  /** Minimum milliseconds between redraws; default 100. */
  intervalMs?: number;
  /** The work stops after this many milliseconds (e.g. a training time budget): caps the ETA. */
  limitMs?: number;
  /**
   * When the stream is not a TTY: write the bar as a plain line at most this often (for logs of
   * long runs). Default: nothing is written to a non-TTY stream.
   */
  logEveryMs?: number;
  now?: () => number;
}

/**
 * A progress bar, or a no-op when `enabled` is false, or when the stream is not a TTY (unless
 * `logEveryMs` asks for plain log lines).
 */
export function createProgress(options: ProgressOptions): Progress {
  const { label, total, stream } = options;
  if (!options.enabled || total <= 0) return NOOP;
  if (!stream.isTTY && options.logEveryMs === undefined) return NOOP;
  const tty = stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const interval = tty ? (options.intervalMs ?? 100) : (options.logEveryMs as number);
  const start = now();
  let done = 0;
  let note: string | undefined;
  let lastDraw = tty ? Number.NEGATIVE_INFINITY : start;
  let finished = false;
  const draw = () => {
    const elapsedMs = now() - start;
    const state: BarState = { label, done, total, elapsedMs };
    if (note !== undefined) state.note = note;
    if (options.limitMs !== undefined) state.limitLeftMs = options.limitMs - elapsedMs;
    const cols = stream.columns && stream.columns >= 20 ? stream.columns : 80;
    stream.write(tty ? `\r\x1b[2K${renderBar(state, cols)}` : `${renderBar(state, 120)}\n`);
  };
  if (tty) draw();
  return {
    tick(n = 1, text) {
      if (finished) return;
      done = Math.min(total, done + n);
      if (text !== undefined) note = text;
      const t = now();
      if (t - lastDraw >= interval || (tty && done === total)) {
        lastDraw = t;
        draw();
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (!tty) return;
      draw();
      stream.write('\n');
    },
  };
}
