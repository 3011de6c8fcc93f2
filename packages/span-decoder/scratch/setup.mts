import * as tf from '@tensorflow/tfjs-core';
import '/work/main/node_modules/.pnpm/@tensorflow+tfjs-backend-cpu@4.22.0_@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.node.js';
import { registerGradients } from '../../core/src/backend/gradients/index.ts';
import { registerKernels } from '../../core/src/backend/kernels/index.ts';
export async function setup() {
  await tf.setBackend('cpu');
  registerGradients();
  registerKernels();
}
