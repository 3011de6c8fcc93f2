import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_TYPE_INFO, generateDemoCorpus, writeJsonAtomic, writeJsonl } from '@nerima/core';
import { getFlag, getInt, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

const FILES = ['train.jsonl', 'dev.jsonl', 'test.jsonl', 'types.json'] as const;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export const demoDataCommand = defineCommand({
  name: 'demo-data',
  summary: 'write the generated demo corpus (train/dev/test JSONL + types.json)',
  description: `Generates the small synthetic Japanese NER corpus that "nerima pipeline" uses when no --data is
given: 8 types (the Stockmark codes), nested mentions, full-width digits and Latin, astral-plane
characters. Deterministic per --seed. Each file is written atomically; existing files are kept
unless --force.`,
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'folder to write into (created if missing)',
    },
    sentences: {
      type: 'string',
      valueName: '<n>',
      description: 'total sentences, split 4:1:1 into train/dev/test',
      defaultText: '900',
    },
    force: { type: 'boolean', description: 'overwrite existing files' },
  },
  examples: [
    {
      command: 'nerima demo-data --out data/demo',
      description: 'write data/demo/{train,dev,test}.jsonl and types.json',
    },
    {
      command: 'nerima demo-data --out data/demo-big --sentences 6000 --seed 7',
      description: 'a bigger corpus (4000/1000/1000) from another seed',
    },
  ],
  async run(ctx) {
    const dir = userPath(ctx, requireString(ctx.values, 'out', 'the folder to write into'));
    const sentences = getInt(ctx.values, 'sentences', 900, { min: 3, max: 10_000_000 });
    const force = getFlag(ctx.values, 'force');
    const paths = FILES.map((f) => join(dir, f));
    if (!force) {
      const taken: string[] = [];
      for (const p of paths) if (await exists(p)) taken.push(p);
      if (taken.length > 0) {
        throw new UsageError(
          `${taken.join(', ')} already exist(s); choose another --out, or pass --force to overwrite`,
        );
      }
    }
    const corpus = generateDemoCorpus({ seed: ctx.global.seed, sentences });
    const [train, dev, test, types] = paths as [string, string, string, string];
    await writeJsonl(train, corpus.train);
    await writeJsonl(dev, corpus.dev);
    await writeJsonl(test, corpus.test);
    await writeJsonAtomic(types, Object.fromEntries(corpus.types.map((t) => [t, DEMO_TYPE_INFO[t]])));
    const counts = { train: corpus.train.length, dev: corpus.dev.length, test: corpus.test.length };
    ctx.out.result(
      {
        out: dir,
        seed: ctx.global.seed,
        files: { train, dev, test, types },
        sentences: counts,
        types: corpus.types,
      },
      () =>
        [
          `wrote the demo corpus (seed ${ctx.global.seed}) to ${dir}:`,
          `  ${train}  ${counts.train} sentences`,
          `  ${dev}  ${counts.dev} sentences`,
          `  ${test}  ${counts.test} sentences`,
          `  ${types}  ${corpus.types.length} types`,
        ].join('\n'),
    );
    return 0;
  },
});
