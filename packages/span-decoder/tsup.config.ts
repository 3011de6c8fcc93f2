import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// The Node.js library, the browser-safe subset (export condition `browser`), and the child process
// of OnnxTaggerPool (dist/pool-worker.js, forked by path, next to the chunk that forks it).
export default defineConfig(
  preset({
    entry: { index: 'src/index.ts', browser: 'src/browser.ts', 'pool-worker': 'src/onnx/pool-worker.ts' },
  }),
);
