import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoCorpus, type Sentence } from '@nerima/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMamlProtoNet, FeatureStore, loadMamlProtoNet, parseMamlProtoNet } from './browser.js';
import { StandInEncoder, setupBackend } from './test-helpers.js';

const corpus = generateDemoCorpus({ seed: 7, sentences: 120 });
const encoder = new StandInEncoder(16);
const store = new FeatureStore(encoder);
const SMALL = {
  seed: 3,
  projDim: 16,
  decoder: { startHidden: 16, endHidden: 16, biaffineRank: 4, widthDim: 4, spanDim: 16, maxWidth: 12 },
  control: { hidden: 8 },
  innerSteps: 2,
  dropout: 0,
};

beforeAll(setupBackend);
afterAll(() => store.clear());

describe('parseMamlProtoNet (browser entry)', () => {
  it('loads the text save() wrote, giving the same tagger as loadMamlProtoNet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meta-core-parse-'));
    try {
      const learner = await createMamlProtoNet({ encoder, store, ...SMALL });
      await learner.save(join(dir, 'model.json'));
      const text = await readFile(join(dir, 'model.json'), 'utf8');
      const parsed = parseMamlProtoNet(
        text,
        { encoder, store, decode: { allowNested: false } },
        'model.json',
      );
      const loaded = await loadMamlProtoNet(join(dir, 'model.json'), {
        encoder,
        store,
        decode: { allowNested: false },
      });
      const support: Sentence[] = corpus.train.slice(0, 12);
      const texts = corpus.dev.slice(0, 4).map((s) => s.text);
      const a = await parsed.adapt(support);
      const b = await loaded.adapt(support);
      const pa = await a.predict(texts);
      expect(pa.flat().length).toBeGreaterThan(0); // a real comparison, not of two empty lists
      expect(await b.predict(texts)).toEqual(pa);
      for (const t of [a, b]) t.dispose?.();
      for (const l of [learner, parsed, loaded]) l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the source when the text is not a model', () => {
    expect(() => parseMamlProtoNet('{', { encoder, store }, 'model/meta-model.json')).toThrow(
      /model\/meta-model\.json: not JSON/,
    );
    expect(() => parseMamlProtoNet('{"format":"x","kind":"model"}', { encoder, store }, 'm.json')).toThrow(
      /m\.json: not a meta-core model file \(format x/,
    );
  });
});
