import { initBackend } from '@nerima/core';
import { loadEncoder, saveEncoder } from '@nerima/encoder';
import { alignEncoder, readKb } from '@nerima/xling-align';

await initBackend({ backend: 'wasm' });
const kb = await readKb('../shared/data/kb/entities.jsonl'); // strict: bad rows throw with file:line
console.log(kb.report.pairs, kb.report.dropped);
// { en: 67055, zh: 7196 } { emptyJa: 0, emptyEn: 0, emptyZh: 0, identicalEn: 44, duplicateEn: 36, duplicateZh: 31 }

const encoder = await loadEncoder('models/encoder/encoder.bin');
const report = await alignEncoder(encoder, kb, {
  minutes: 0.1, evalPool: 200,
  onProgress: (p) => console.log(p.phase, p.step, p.lossEn.toFixed(3)),
});
console.log(report.before?.en.jaTo, report.after?.en.jaTo); // retrieval over a pool of 1000 held-out names
await saveEncoder(encoder, '/tmp/xling-readme/encoder.bin'); // the aligned tables, same format as any encoder
encoder.dispose();
