/**
 * Registers nerima's gradient definitions with tfjs-core's global gradient registry.
 * Internal: {@link initBackend} calls it.
 */

import type { GradConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { elementwiseGradients } from './elementwise.js';
import { nnGradients } from './nn.js';
import { reduceGradients } from './reduce.js';
import { shapeGradients } from './shape.js';

/** Every gradient this package defines, in registration order. */
export const allGradients: readonly GradConfig[] = [
  ...elementwiseGradients,
  ...reduceGradients,
  ...shapeGradients,
  ...nnGradients,
];

/**
 * Registers all gradients, replacing any already registered for the same kernel (so behaviour
 * does not depend on whether another tfjs package registered the upstream ones first).
 * Returns the kernel names registered. Cheap and safe to call more than once.
 */
export function registerGradients(): string[] {
  for (const config of allGradients) tf.registerGradient(config);
  return allGradients.map((g) => g.kernelName);
}
