/**
 * The command registry. To add a stage: write `commands/<name>.ts` exporting a `Command` (see
 * `../command.ts` and `validate.ts` for a small example) and add it to this list; help, parsing and
 * exit codes come for free. Commands import heavy packages (tfjs, models, the server) inside
 * `run`, so `nerima --help` and the light commands start fast.
 */
import type { Command } from '../command.js';
import { adaptCommand } from './adapt.js';
import { alignCommand } from './align.js';
import { augmentCommand } from './augment.js';
import { demoDataCommand } from './demo-data.js';
import { evalCommand } from './eval.js';
import { metaTrainCommand } from './meta-train.js';
import { pipelineCommand } from './pipeline.js';
import { predictCommand } from './predict.js';
import { serveCommand } from './serve.js';
import { tagCorpusCommand } from './tag-corpus.js';
import { trainCommand } from './train.js';
import { validateCommand } from './validate.js';
import { workerCommand } from './worker.js';

/** Every command, in the order `nerima --help` lists them (the pipeline's stages in order). */
export const commands: readonly Command[] = [
  pipelineCommand,
  validateCommand,
  demoDataCommand,
  augmentCommand,
  alignCommand,
  trainCommand,
  metaTrainCommand,
  adaptCommand,
  predictCommand,
  evalCommand,
  serveCommand,
  tagCorpusCommand,
  workerCommand,
];
