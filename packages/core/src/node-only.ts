/**
 * Browser stand-ins for the file-system functions of `@nerima/core`: the browser entry exports
 * these under the same names, so packages that import them (for saving or reading files) still
 * bundle for the browser; calling one there throws a clear error instead.
 */

/** Thrown when a Node.js-only function of `@nerima/core` is called in a browser. */
export class NodeOnlyError extends Error {
  constructor(name: string) {
    super(
      `@nerima/core: ${name} reads or writes files and needs Node.js; it is not available in the browser build ` +
        '(load models from bytes, e.g. with deserializeWeights, and keep data in memory)',
    );
    this.name = 'NodeOnlyError';
  }
}

function nodeOnly(name: string): () => never {
  return () => {
    throw new NodeOnlyError(name);
  };
}

type Atomic = typeof import('./atomic.js');
type Io = typeof import('./io/index.js');

export const writeFileAtomic: Atomic['writeFileAtomic'] = nodeOnly('writeFileAtomic');
export const writeJsonAtomic: Atomic['writeJsonAtomic'] = nodeOnly('writeJsonAtomic');
export const readLines: Io['readLines'] = nodeOnly('readLines');
export const readDataset: Io['readDataset'] = nodeOnly('readDataset');
export const readJsonl: Io['readJsonl'] = nodeOnly('readJsonl');
export const writeJsonl: Io['writeJsonl'] = nodeOnly('writeJsonl');
