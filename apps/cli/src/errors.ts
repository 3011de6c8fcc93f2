/**
 * Exit codes and the errors commands throw. Any other error is a runtime failure (exit 1); its
 * stack is printed only with `--debug`.
 */

/** Process exit codes of `nerima`. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** Runtime failure: a bug, an I/O error while writing, out of memory, ... */
  FAILURE: 1,
  /** Usage error: unknown command or option, missing argument, invalid option value. */
  USAGE: 2,
  /** Bad input data: missing or unreadable input file, malformed row, unknown type, too few examples. */
  DATA: 3,
} as const;

/** An error with a one-line, user-facing message and an exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options);
  }
}

/** The input data cannot be used (exit 3). `details` are extra lines (e.g. every file:line issue). */
export class DataError extends CliError {
  override name = 'DataError';
  constructor(
    message: string,
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, EXIT.DATA, options);
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` is a Node file-system error for a path that does not exist or is not readable. */
export function isMissingFile(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES';
}

/**
 * Turns an error thrown while reading `what` (a file the user named) into a {@link DataError}, or
 * returns it unchanged when it is not about the input. Recognises missing files, `DatasetError`
 * (by name, with its issues) and `SamplingError` from `@nerima/core`.
 */
export function asInputError(err: unknown, what: string): unknown {
  if (err instanceof CliError) return err;
  if (isMissingFile(err)) {
    const code = errorCode(err);
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EISDIR'
          ? 'is a directory, expected a file'
          : code === 'ENOTDIR'
            ? 'a parent is not a directory'
            : 'permission denied';
    return new DataError(`${what}: ${why}`, [], { cause: err });
  }
  if (err instanceof Error && err.name === 'DatasetError') {
    const issues = (
      (err as Error & { issues?: { message: string; severity: string }[] }).issues ?? []
    ).filter((i) => i.severity === 'error');
    const first = issues[0]?.message ?? err.message.split('\n')[0] ?? err.message;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more error(s): run \`nerima validate\` on it)` : '';
    return new DataError(
      `${first}${more}`,
      issues.map((i) => i.message),
      { cause: err },
    );
  }
  if (err instanceof Error && err.name === 'SamplingError') {
    return new DataError(`${what}: ${err.message}`, [], { cause: err });
  }
  return err;
}
