// Shared tsup preset: ESM + .d.ts, Node 20. ESM only on purpose: tfjs keeps global state
// (backends, kernels) and a dual CJS/ESM build would load two copies of it. CommonJS users on
// Node >= 20.19 `require()` the ESM build directly.
/** @param {import('tsup').Options} [overrides] */
export function preset(overrides = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // Heavy/native deps stay external: users install them once, at one version.
    external: [/^@tensorflow\//, /^@huggingface\//, /^onnxruntime/, 'kuromoji'],
    ...overrides,
  };
}
