/**
 * The `nerima` executable. Run from source with
 * `tsx --conditions=@nerima/source apps/cli/src/main.ts <command>` or built as `dist/main.js`.
 */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
