import { readDataset } from '@nerima/core';
try { const d = await readDataset('/tmp/empty.jsonl'); console.log(d.sentences.length, d.stats, d.format); } catch (e) { console.log('ERR', (e as Error).name, (e as Error).message); }
