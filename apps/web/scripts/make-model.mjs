#!/usr/bin/env node
// Reproduces apps/web/model/meta-model.json: the MAML-ProtoNet++ model the page adapts in the browser.
// It is meta-trained (seeded, episode-count bound, so deterministic on one backend) on our own
// synthetic demo corpus (`nerima demo-data`, seed 1) over the repository encoder
// models/encoder/encoder.bin, then copied here. Run from anywhere: `node apps/web/scripts/make-model.mjs`
// (about 4 minutes on 2 cores with the wasm backend).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EPISODES = 1000;
const SEED = 1;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const work = mkdtempSync(join(tmpdir(), 'nerima-web-model-'));
const nerima = (...args) => {
  const r = spawnSync('pnpm', ['-s', 'nerima', ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`nerima ${args.join(' ')} exited with ${r.status}`);
};
try {
  nerima('demo-data', '--out', join(work, 'demo'), '--seed', String(SEED));
  nerima(
    'meta-train',
    '--data',
    join(work, 'demo'),
    '--episodes',
    String(EPISODES),
    '--seed',
    String(SEED),
    '--backend',
    'wasm',
    '--out',
    join(work, 'run'),
  );
  const out = join(root, 'apps/web/model/meta-model.json');
  copyFileSync(join(work, 'run/model/meta/model.json'), out);
  // The training manifest, without this machine's paths.
  const manifest = JSON.parse(readFileSync(join(work, 'run/model/meta/meta.json'), 'utf8'));
  manifest.encoderSource = 'models/encoder/encoder.bin';
  writeFileSync(join(root, 'apps/web/model/meta-training.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
