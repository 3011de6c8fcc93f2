/** Selecting the tfjs backend once per process, with one-line errors. */
import { type BackendRequest, initBackend } from '@nerima/core';
import type { CommandContext } from './command.js';
import { CliError, EXIT } from './errors.js';

let selected: Promise<string> | undefined;

/**
 * Initialises tfjs with --backend (else `NERIMA_BACKEND`, else auto) and returns the backend's
 * name; later calls return the same promise. A backend that cannot load is a runtime failure
 * (exit 1) with a one-line message.
 */
export function initTensorBackend(ctx: Pick<CommandContext, 'global' | 'out'>): Promise<string> {
  selected ??= (async () => {
    try {
      const request = ctx.global.backend as BackendRequest | undefined;
      const info = await initBackend(request ? { backend: request } : {});
      ctx.out.info(`tfjs backend: ${info.name}${info.fallbackReason ? ` (${info.fallbackReason})` : ''}`);
      return info.name;
    } catch (err) {
      selected = undefined;
      throw new CliError((err as Error).message, EXIT.FAILURE, { cause: err });
    }
  })();
  return selected;
}
