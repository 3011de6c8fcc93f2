/**
 * The command registry's contract. A command is one module exporting a {@link Command}; adding a
 * stage to the CLI means writing that module and listing it in `commands/index.ts`.
 */
import type { BarOptions, Output } from './output.js';
import type { Progress } from './progress.js';

/** One `--option` of a command (help text and parsing). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. `o` for `-o`. */
  short?: string;
  /** Placeholder shown in help, e.g. `<dir>`; string options only. */
  valueName?: string;
  description: string;
  /** Default shown in help (the command applies it; see `getString` and friends). */
  defaultText?: string;
}

/** One positional argument. */
export interface ArgumentSpec {
  name: string;
  description: string;
  /** Default true. */
  required?: boolean;
}

/** An example shown by `nerima <command> --help`. */
export interface Example {
  command: string;
  description: string;
}

/** Options every command accepts. */
export interface GlobalOptions {
  /** `--seed`, default 1. */
  seed: number;
  /** Whether `--seed` was given. */
  seedGiven: boolean;
  /** `--backend` (tfjs backend for commands that use tensors), when given. */
  backend?: string;
  quiet: boolean;
  json: boolean;
  debug: boolean;
}

/** Parsed option values: strings, booleans, or undefined when absent. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** What a command's `run` receives. */
export interface CommandContext {
  /** Positional arguments after the command name. */
  args: readonly string[];
  /** The command's own options (global ones are in {@link global}). */
  values: OptionValues;
  global: GlobalOptions;
  out: Output;
  /** Directory relative paths are resolved against. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  progress(label: string, total: number, options?: BarOptions): Progress;
}

/** A sub-command. */
export interface Command {
  name: string;
  /** One line for `nerima --help`. */
  summary: string;
  /** Paragraph(s) for `nerima <command> --help`. */
  description?: string;
  arguments?: readonly ArgumentSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
  /** At least one; the first is the most common use. */
  examples: readonly Example[];
  /** Returns the exit code (default 0). Throw `UsageError`/`DataError` for exits 2/3. */
  run(ctx: CommandContext): Promise<number | undefined>;
}

/** Identity function that type-checks a command object. */
export function defineCommand(command: Command): Command {
  return command;
}
