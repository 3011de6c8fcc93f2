#!/usr/bin/env node
/** Entry point of the `nerima-server` executable (see `cli.ts`). */
import { runServerCli, UsageError } from './cli.js';

runServerCli(process.argv.slice(2)).catch((err: unknown) => {
  const usage = err instanceof UsageError;
  console.error(`nerima-server: ${err instanceof Error ? err.message : String(err)}`);
  if (usage) console.error('Run nerima-server --help for the options.');
  process.exit(usage ? 2 : 1);
});
