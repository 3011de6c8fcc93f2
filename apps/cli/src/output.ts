/**
 * Where a command's words go. Results go to stdout: text, or one JSON document with `--json`.
 * Logs (progress notes, warnings, errors) go to stderr, so `nerima ... --json | jq` always works.
 */
import { type BarStream, createProgress, type Progress, type ProgressOptions } from './progress.js';

/** A writable stream as far as the CLI needs it. */
export interface OutStream extends BarStream {
  write(chunk: string): unknown;
}

/** What a command may set on a progress bar. */
export type BarOptions = Pick<ProgressOptions, 'limitMs' | 'logEveryMs'>;

/** Options of {@link Output}. */
export interface OutputOptions {
  stdout: OutStream;
  stderr: OutStream;
  json: boolean;
  quiet: boolean;
  debug: boolean;
}

export class Output {
  constructor(private readonly o: OutputOptions) {}

  get json(): boolean {
    return this.o.json;
  }

  /** An informational line on stderr; suppressed by --quiet. */
  info(message: string): void {
    if (!this.o.quiet) this.o.stderr.write(`${message}\n`);
  }

  /** A warning on stderr; shown even with --quiet. */
  warn(message: string): void {
    this.o.stderr.write(`warning: ${message}\n`);
  }

  /** A diagnostic line on stderr, only with --debug. */
  debug(message: string): void {
    if (this.o.debug) this.o.stderr.write(`debug: ${message}\n`);
  }

  /** An error line on stderr. */
  error(message: string): void {
    this.o.stderr.write(`${message}\n`);
  }

  /**
   * The command's result: `value` as JSON on stdout with --json, otherwise `text()` on stdout.
   * Printed even with --quiet (which silences only stderr chatter).
   */
  result(value: unknown, text: () => string): void {
    if (this.o.json) this.o.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const t = text();
      if (t) this.o.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
    }
  }

  /**
   * A progress bar on stderr: drawn only when stderr is a TTY and --quiet is off (with
   * `logEveryMs`, a plain line that often when stderr is not a TTY).
   */
  progress(label: string, total: number, options: BarOptions = {}): Progress {
    return createProgress({ ...options, label, total, stream: this.o.stderr, enabled: !this.o.quiet });
  }

  /** Whether stdout is a terminal (for colours). */
  get stdoutIsTTY(): boolean {
    return this.o.stdout.isTTY === true;
  }
}
