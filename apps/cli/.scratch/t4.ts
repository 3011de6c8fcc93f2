import { initBackend } from '@nerima/core';
import { alignFiles } from '@nerima/xling-align';
const t = performance.now();
await initBackend({});
const r = await alignFiles({ kb: '/work/shared/data/kb/entities.jsonl', encoder: '../../models/encoder', out: '/tmp/nt/align1', minutes: 0.2, seed: 1, evalPool: 200,
  onProgress: (p) => console.log(p.phase, ((performance.now() - t) / 1000).toFixed(1), 'step' in p ? p.step : '') });
console.log(r.training, ((performance.now() - t) / 1000).toFixed(1));
console.log(r.after?.en.jaTo, r.before?.en.jaTo);
