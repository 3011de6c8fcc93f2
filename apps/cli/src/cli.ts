/**
 * Argument parsing and dispatch. `main(argv)` never throws: it returns the exit code and prints a
 * one-line message for any error (the stack only with --debug).
 */
import { parseArgs } from 'node:util';
import { parseInteger } from './args.js';
import type { Command, CommandContext, GlobalOptions, OptionSpec, OptionValues } from './command.js';
import { commands as defaultCommands } from './commands/index.js';
import { CliError, DataError, EXIT, UsageError } from './errors.js';
import { BACKENDS, commandHelp, GLOBAL_OPTIONS, generalHelp } from './help.js';
import { Output, type OutStream } from './output.js';
import { VERSION } from './version.js';

/** The process streams and environment; tests may pass their own. */
export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

function suggest(word: string, candidates: readonly string[]): string {
  const best = candidates
    .map((c) => ({ c, d: distance(word, c) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(x.c.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return best ? ` (did you mean "${best.c}"?)` : '';
}

function parseConfig(options: Readonly<Record<string, OptionSpec>>) {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(options)) {
    config[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  return config;
}

/** Splits argv into the command name and the rest; global options may come before the command. */
function findCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, s]) => s.type === 'string')
      .map(([n]) => `--${n}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (!a.startsWith('-')) return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    if (takesValue.has(a)) i++;
  }
  return { name: undefined, rest: [...argv] };
}

function usageFromParseError(err: unknown, cmd: Command, known: readonly string[]): UsageError {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(msg)?.[1];
  const help = `run "nerima ${cmd.name} --help"`;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
    const name = quoted.replace(/^-+/, '');
    return new UsageError(
      `unknown option ${quoted} for "nerima ${cmd.name}"${suggest(name, known)}; ${help}`,
    );
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--?[\w-]+/.exec(msg)?.[0] ?? 'an option';
    return new UsageError(
      msg.includes('argument missing')
        ? `option ${flag} needs a value; ${help}`
        : `${msg.split('\n')[0]}; ${help}`,
    );
  }
  return new UsageError(`${msg.split('\n')[0]}; ${help}`);
}

function checkPositionals(cmd: Command, positionals: readonly string[]): void {
  const specs = cmd.arguments ?? [];
  const required = specs.filter((a) => a.required !== false).length;
  if (positionals.length < required) {
    const missing = specs[positionals.length];
    throw new UsageError(
      `missing argument <${missing?.name ?? 'arg'}> for "nerima ${cmd.name}"; run "nerima ${cmd.name} --help"`,
    );
  }
  if (positionals.length > specs.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[specs.length])} for "nerima ${cmd.name}"; run "nerima ${cmd.name} --help"`,
    );
  }
}

function globalOptions(values: OptionValues): GlobalOptions {
  const seedRaw = values['seed'];
  const g: GlobalOptions = {
    seed: typeof seedRaw === 'string' ? parseInteger(seedRaw, '--seed', { min: 0, max: 2 ** 32 - 1 }) : 1,
    seedGiven: typeof seedRaw === 'string',
    quiet: values['quiet'] === true,
    json: values['json'] === true,
    debug: values['debug'] === true,
  };
  const backend = values['backend'];
  if (typeof backend === 'string') {
    if (!(BACKENDS as readonly string[]).includes(backend)) {
      throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
    }
    g.backend = backend;
  }
  return g;
}

function report(err: unknown, out: Output, debug: boolean, json: boolean, stdout: OutStream): number {
  let code: number = EXIT.FAILURE;
  let message: string;
  let details: readonly string[] = [];
  if (err instanceof CliError) {
    code = err.exitCode;
    message = err.message;
    if (err instanceof DataError) details = err.details;
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    message = `${e.message.split('\n')[0]}${debug ? '' : ' (run with --debug for the stack trace)'}`;
  }
  out.error(`error: ${message}`);
  if (debug && err instanceof Error) {
    out.error(err.stack ?? String(err));
    if (err.cause instanceof Error) out.error(`caused by: ${err.cause.stack ?? err.cause.message}`);
  }
  if (json) {
    stdout.write(`${JSON.stringify({ error: { exitCode: code, message, details } }, null, 2)}\n`);
  }
  return code;
}

/**
 * Runs the CLI with `argv` (without `node` and the script path) and returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(
  argv: readonly string[],
  io: CliIO = processIO(),
  registry: readonly Command[] = defaultCommands,
): Promise<number> {
  const wantsJson = argv.includes('--json');
  const wantsDebug = argv.includes('--debug');
  const early = new Output({
    stdout: io.stdout,
    stderr: io.stderr,
    json: false,
    quiet: false,
    debug: wantsDebug,
  });
  try {
    const { name, rest } = findCommand(argv);
    if (name === undefined) {
      if (rest.includes('--version')) {
        io.stdout.write(`${VERSION}\n`);
        return EXIT.OK;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout.write(generalHelp(registry, VERSION));
        return EXIT.OK;
      }
      io.stderr.write(generalHelp(registry, VERSION));
      throw new UsageError('no command given');
    }
    if (name === 'help') {
      const topic = rest.find((a) => !a.startsWith('-'));
      const cmd = registry.find((c) => c.name === topic);
      io.stdout.write(cmd ? commandHelp(cmd) : generalHelp(registry, VERSION));
      return EXIT.OK;
    }
    const cmd = registry.find((c) => c.name === name);
    if (!cmd) {
      throw new UsageError(
        `unknown command "${name}"${suggest(
          name,
          registry.map((c) => c.name),
        )}; run "nerima --help" for the list`,
      );
    }
    const options: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...(cmd.options ?? {}) };
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: parseConfig(options), allowPositionals: true, strict: true });
    } catch (err) {
      throw usageFromParseError(err, cmd, Object.keys(options));
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values['help'] === true) {
      io.stdout.write(commandHelp(cmd));
      return EXIT.OK;
    }
    checkPositionals(cmd, parsed.positionals);
    const global = globalOptions(values);
    const own: Record<string, string | boolean | undefined> = {};
    for (const key of Object.keys(cmd.options ?? {})) own[key] = values[key];
    const out = new Output({
      stdout: io.stdout,
      stderr: io.stderr,
      json: global.json,
      quiet: global.quiet,
      debug: global.debug,
    });
    const ctx: CommandContext = {
      args: parsed.positionals,
      values: own,
      global,
      out,
      cwd: io.cwd,
      env: io.env,
      progress: (label, total, options) => out.progress(label, total, options),
    };
    return (await cmd.run(ctx)) ?? EXIT.OK;
  } catch (err) {
    return report(err, early, wantsDebug, wantsJson, io.stdout);
  }
}
