/**
 * The command registry. To add a stage (augment, align, train, meta-train, adapt, predict, serve):
 * write `commands/<name>.ts` exporting a `Command` (see `../command.ts` and `validate.ts` for a
 * small example) and add it to this list; help, parsing and exit codes come for free.
 */
import type { Command } from '../command.js';
import { alignCommand } from './align.js';
import { augmentCommand } from './augment.js';
import { demoDataCommand } from './demo-data.js';
import { evalCommand } from './eval.js';
import { pipelineCommand } from './pipeline.js';
import { validateCommand } from './validate.js';

/** Every command, in the order `nerima --help` lists them. */
export const commands: readonly Command[] = [
  pipelineCommand,
  validateCommand,
  demoDataCommand,
  evalCommand,
  alignCommand,
  augmentCommand,
];
