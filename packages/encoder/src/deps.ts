/** The @nerima/core functions this package uses, in one place. */
export {
  createRng,
  deserializeWeights,
  initBackend,
  loadWeights,
  type Rng,
  readLines,
  saveWeights,
  writeFileAtomic,
} from '@nerima/core';
