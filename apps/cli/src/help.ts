/** Help text for `nerima --help` and `nerima <command> --help`. */
import type { Command, OptionSpec } from './command.js';

/** Values of --backend (as `initBackend` in @nerima/core accepts them). */
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** Options every command accepts (parsed before the command's own). */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  seed: {
    type: 'string',
    valueName: '<n>',
    description: 'random seed for sampling and generated data; the same seed gives the same result',
    defaultText: '1',
  },
  backend: {
    type: 'string',
    valueName: '<name>',
    description: `tfjs backend for methods that use tensors: ${BACKENDS.join(', ')}`,
    defaultText: 'NERIMA_BACKEND, else auto',
  },
  quiet: { type: 'boolean', short: 'q', description: 'no progress bars or info lines on stderr' },
  json: {
    type: 'boolean',
    description: 'print the result as one JSON document on stdout (logs stay on stderr)',
  },
  debug: { type: 'boolean', description: 'print stack traces and debug lines' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export const EXIT_CODES_TEXT = `Exit codes:
  0  success
  1  runtime failure (a bug or an I/O error while writing)
  2  usage error (unknown command or option, missing or invalid argument)
  3  bad input data (missing file, malformed row, unknown type, too few examples)`;

function optionRows(options: Readonly<Record<string, OptionSpec>>): [string, string][] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}`;
    const def = spec.defaultText !== undefined ? ` (default: ${spec.defaultText})` : '';
    return [flag, spec.description + def];
  });
}

function table(rows: readonly [string, string][], indent = 2): string {
  const width = Math.min(34, Math.max(...rows.map(([a]) => a.length)));
  return rows
    .map(([a, b]) =>
      a.length > width
        ? `${' '.repeat(indent)}${a}\n${' '.repeat(indent + width + 2)}${b}`
        : `${' '.repeat(indent)}${a.padEnd(width)}  ${b}`,
    )
    .join('\n');
}

function usageLine(cmd: Command): string {
  const args = (cmd.arguments ?? []).map((a) => (a.required === false ? `[${a.name}]` : `<${a.name}>`));
  return ['nerima', cmd.name, ...args, '[options]'].join(' ');
}

/** `nerima --help`. */
export function generalHelp(commands: readonly Command[], version: string): string {
  return `nerima ${version} — few-shot Japanese named entity recognition

Usage: nerima <command> [options]

Commands:
${table(commands.map((c) => [c.name, c.summary]))}

Global options (any command):
${table([...optionRows(GLOBAL_OPTIONS), ['    --version', 'print the version']])}

${EXIT_CODES_TEXT}

Examples:
${commands
  .map((c) => c.examples[0])
  .filter((e) => e !== undefined)
  .map((e) => `  ${e.command}`)
  .join('\n')}

Run "nerima <command> --help" for a command's options and more examples.
`;
}

/** `nerima <command> --help`. */
export function commandHelp(cmd: Command): string {
  const parts = [`Usage: ${usageLine(cmd)}`, '', cmd.summary];
  if (cmd.description) parts.push('', cmd.description.trim());
  if (cmd.arguments?.length) {
    parts.push('', 'Arguments:', table(cmd.arguments.map((a) => [`<${a.name}>`, a.description])));
  }
  if (cmd.options && Object.keys(cmd.options).length > 0) {
    parts.push('', 'Options:', table(optionRows(cmd.options)));
  }
  parts.push('', 'Global options:', table(optionRows(GLOBAL_OPTIONS)));
  parts.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e.command}\n      ${e.description}`));
  parts.push('', EXIT_CODES_TEXT, '');
  return parts.join('\n');
}
