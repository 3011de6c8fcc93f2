/** The @nerima/core functions this package uses, in one place. */
export {
  createRng,
  initBackend,
  loadWeights,
  type Rng,
  readLines,
  saveWeights,
  writeFileAtomic,
} from '@nerima/core';
