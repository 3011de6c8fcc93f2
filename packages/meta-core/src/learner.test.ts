import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoCorpus, type Sentence, sampleEpisodes } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './features.js';
import { createMamlProtoNet, loadMamlProtoNet, type MamlProtoNet } from './learner.js';
import type { MetaModelOptions } from './model.js';
import { assertDisjoint, novelTypeEpisodes } from './protocol.js';
import { StandInEncoder, setupBackend } from './test-helpers.js';

const corpus = generateDemoCorpus({ seed: 7, sentences: 360 });
const TRAIN_TYPES = ['PERSON', 'CORPORATION', 'LOCATION', 'FACILITY'];
const TEST_TYPES = ['EVENT', 'PRODUCT'];
const encoder = new StandInEncoder(16);
const store = new FeatureStore(encoder);

/** Small sizes so a test episode takes milliseconds. */
const SMALL: MetaModelOptions = {
  projDim: 16,
  decoder: { startHidden: 16, endHidden: 16, biaffineRank: 4, widthDim: 4, spanDim: 16, maxWidth: 12 },
  control: { hidden: 8 },
  knownTypes: TRAIN_TYPES,
  innerSteps: 2,
  dropout: 0,
};

async function make(extra: MetaModelOptions = {}): Promise<MamlProtoNet> {
  return createMamlProtoNet({ encoder, store, outerLearningRate: 3e-3, ...SMALL, ...extra });
}

const heldOut = () =>
  sampleEpisodes(
    corpus.dev.map((s) => ({ ...s, entities: s.entities.filter((e) => TRAIN_TYPES.includes(e.type)) })),
    { n: 2, k: 2, count: 6, seed: 99 },
  );

beforeAll(setupBackend);
afterAll(() => store.clear());

describe('MamlProtoNet', () => {
  it("otherTypes 'mask' trains on sentences with other types' mentions (masked), deterministically", async () => {
    const run = async (otherTypes: 'negative' | 'mask') => {
      const learner = await make();
      const r = await learner.metaTrain(corpus.train, {
        trainTypes: TRAIN_TYPES,
        n: 2,
        k: 2,
        episodes: 8,
        seed: 5,
        otherTypes,
      });
      learner.dispose();
      return r.losses;
    };
    const before = tf.memory().numTensors;
    const masked = await run('mask');
    expect(await run('mask')).toEqual(masked);
    const negative = await run('negative');
    expect(masked.every(Number.isFinite)).toBe(true);
    // The demo corpus has EVENT / PRODUCT mentions in training sentences: masking changes the losses.
    expect(masked).not.toEqual(negative);
    expect(tf.memory().numTensors).toBe(before);
    const learner = await make();
    await expect(
      learner.metaTrain(corpus.train, {
        trainTypes: TRAIN_TYPES,
        n: 2,
        k: 2,
        episodes: 1,
        otherTypes: 'x' as 'mask',
      }),
    ).rejects.toThrow(/otherTypes must be 'negative' or 'mask'/);
    learner.dispose();
  });

  it('a tiny meta-training run decreases the held-out query loss', async () => {
    const learner = await make();
    const episodes = heldOut();
    const before = await learner.episodeLoss(episodes);
    const result = await learner.metaTrain(corpus.train, {
      trainTypes: TRAIN_TYPES,
      n: [2, 3],
      k: 2,
      episodes: 60,
      seed: 3,
    });
    const after = await learner.episodeLoss(episodes);
    expect(result.episodes).toBe(60);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    expect(after).toBeLessThan(before * 0.8);
    learner.dispose();
  });

  it.each([
    ['the type head reads the span cues alone (no span fast weights)', { typeFeatures: 'cues' }],
    ["typeBy 'cues' (a cue type head beside the whole one)", { typeBy: 'cues' }],
    ["typeBy 'cues' with cueKnown 'means'", { typeBy: 'cues', cueKnown: 'means' }],
  ] as const)('meta-trains, adapts, saves and loads when %s', async (_name, extra) => {
    const { registerSpanCue, unregisterSpanCue } = await import('./cues/registry.js');
    const { createKbCue } = await import('./cues/kb-cue.js');
    registerSpanCue(
      createKbCue([{ ja: '株式会社', type: 'CORPORATION', subtype: 'company' }], { name: 'tinykb' }),
    );
    try {
      const learner = await make({ ...extra, spanCues: ['tinykb'] });
      if (learner.vars.has('typecue.knownBias')) {
        // cueKnown 'means': a fresh run starts the cue head's known prototypes at the class means.
        await learner.metaTrain(corpus.train, { trainTypes: TRAIN_TYPES, n: 2, k: 2, episodes: 0, seed: 4 });
        const { cueClassMeans } = await import('./model.js');
        const want = cueClassMeans(learner.config, corpus.train, TRAIN_TYPES);
        expect(Array.from(learner.vars.get('typecue.known')?.dataSync() ?? [])).toEqual(Array.from(want));
      }
      const result = await learner.metaTrain(corpus.train, {
        trainTypes: TRAIN_TYPES,
        n: 2,
        k: 2,
        episodes: 4,
        seed: 4,
      });
      expect(result.losses.every(Number.isFinite)).toBe(true);
      const [ep] = sampleEpisodes(corpus.dev, { n: 2, k: 2, count: 1, seed: 5, types: TEST_TYPES });
      const before = tf.memory().numTensors;
      const tagger = await learner.adapt(ep!.support, ep!.types);
      const preds = await tagger.predict(ep!.query.map((s) => s.text));
      expect(preds.length).toBe(ep!.query.length);
      tagger.dispose?.();
      expect(tf.memory().numTensors).toBe(before);
      const dir = await mkdtemp(join(tmpdir(), 'meta-cues-'));
      try {
        await learner.save(join(dir, 'model.json'));
        const loaded = await loadMamlProtoNet(join(dir, 'model.json'), { encoder, store });
        expect(loaded.config.typeBy).toBe(learner.config.typeBy);
        const again = await loaded.adapt(ep!.support, ep!.types);
        expect(await again.predict(ep!.query.map((s) => s.text))).toEqual(preds);
        again.dispose?.();
        loaded.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      learner.dispose();
    } finally {
      unregisterSpanCue('tinykb');
    }
  });

  it.each([
    ['prototypes', false],
    ['Proto-MAML head', true],
  ])(
    'adapts to a type it never saw and frees every tensor after each episode (%s)',
    async (_name, adaptHead) => {
      const learner = await make({ adaptHead });
      await learner.metaTrain(corpus.train, { trainTypes: TRAIN_TYPES, n: 2, k: 2, episodes: 5, seed: 4 });
      // Relabel EVENT as a name no model has seen.
      const rename = (s: Sentence): Sentence => ({
        ...s,
        entities: s.entities.map((e) => (e.type === 'EVENT' ? { ...e, type: 'NEVER_SEEN' } : e)),
      });
      const dev = corpus.dev.map(rename);
      const episodes = novelTypeEpisodes(
        dev,
        { train: TRAIN_TYPES, test: ['NEVER_SEEN', 'PRODUCT'] },
        { k: 2, count: 4, seed: 5 },
      );
      // Warm-up (encodes the texts into the feature cache, which holds no tensors).
      for (const e of episodes) await store.ensure([...e.support, ...e.query].map((s) => s.text));
      const before = tf.memory().numTensors;
      for (const e of episodes) {
        const tagger = await learner.adapt(e.support, e.types);
        const preds = await tagger.predict(e.query.map((s) => s.text));
        expect(preds.length).toBe(e.query.length);
        preds.forEach((list, i) => {
          const text = e.query[i]?.text as string;
          for (const p of list) {
            expect(['NEVER_SEEN', 'PRODUCT']).toContain(p.type);
            expect(text.slice(p.start, p.end)).toBe(p.text);
            expect(p.score).toBeGreaterThanOrEqual(0);
            expect(p.score).toBeLessThanOrEqual(1);
          }
        });
        tagger.dispose?.();
        tagger.dispose?.();
        expect(tf.memory().numTensors).toBe(before);
      }
      learner.dispose();
    },
  );

  it('handles a degenerate support: one sentence, one mention', async () => {
    const learner = await make();
    const support = [
      { id: 's', text: '東京湾花火大会に行った。', entities: [{ start: 0, end: 7, type: 'FESTIVAL' }] },
    ];
    const ctrl = await learner.control(support, ['FESTIVAL']);
    ctrl.lrs.forEach((lr, i) => {
      expect(lr).toBeGreaterThan(0);
      expect(lr).toBeLessThan(learner.config.control.lrMax[i] as number);
    });
    const tagger = await learner.adapt(support);
    expect(tagger.types).toEqual(['FESTIVAL']);
    const [preds] = await tagger.predict(['']);
    expect(preds).toEqual([]);
    tagger.dispose?.();
    await expect(learner.adapt([{ id: 'x', text: 'なし', entities: [] }], ['PERSON'])).rejects.toThrow(
      /no mention of PERSON/,
    );
    learner.dispose();
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meta-core-'));
    try {
      const opts = { trainTypes: TRAIN_TYPES, n: 2, k: 2, seed: 8, checkpointEvery: 2 } as const;
      const straight = await make();
      await straight.metaTrain(corpus.train, { ...opts, episodes: 4 });
      const interrupted = await make();
      await interrupted.metaTrain(corpus.train, { ...opts, episodes: 2, checkpointDir: dir });
      interrupted.dispose();
      const resumed = await make();
      const r = await resumed.metaTrain(corpus.train, {
        ...opts,
        episodes: 4,
        checkpointDir: dir,
        resume: true,
      });
      expect(r.resumedFrom).toBe(2);
      expect(r.episodes).toBe(4);
      for (const [name, v] of straight.vars) {
        const a = v.dataSync();
        const b = (resumed.vars.get(name) as tf.Variable).dataSync();
        expect(Array.from(b)).toEqual(Array.from(a));
      }
      // A different option set refuses the checkpoint instead of silently mixing runs.
      const other = await make();
      await expect(
        other.metaTrain(corpus.train, { ...opts, k: 3, episodes: 4, checkpointDir: dir, resume: true }),
      ).rejects.toThrow(/other metaTrain options/);
      for (const l of [straight, resumed, other]) l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('saves and loads: same predictions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meta-core-'));
    try {
      const learner = await make();
      await learner.metaTrain(corpus.train, { trainTypes: TRAIN_TYPES, n: 2, k: 2, episodes: 3, seed: 9 });
      await learner.save(join(dir, 'model.json'));
      const loaded = await loadMamlProtoNet(join(dir, 'model.json'), { encoder, store });
      const [e] = novelTypeEpisodes(
        corpus.dev,
        { train: TRAIN_TYPES, test: TEST_TYPES },
        { k: 1, count: 1, seed: 1 },
      );
      if (!e) throw new Error('no episode');
      const texts = e.query.map((s) => s.text);
      const a = await learner.adapt(e.support, e.types);
      const b = await loaded.adapt(e.support, e.types);
      expect(await b.predict(texts)).toEqual(await a.predict(texts));
      a.dispose?.();
      b.dispose?.();
      learner.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('episodes', () => {
  it('never put a query sentence into the support', () => {
    const episodes = novelTypeEpisodes(
      corpus.dev,
      { train: TRAIN_TYPES, test: TEST_TYPES },
      { k: 2, count: 50, seed: 11 },
    );
    for (const e of episodes) {
      expect(e.types).toEqual(TEST_TYPES);
      const ids = new Set(e.support.map((s) => s.id));
      expect(e.query.some((q) => ids.has(q.id))).toBe(false);
      expect(() => assertDisjoint(e)).not.toThrow();
    }
    const bad = { types: ['X'], support: [corpus.dev[0] as Sentence], query: [corpus.dev[0] as Sentence] };
    expect(() => assertDisjoint(bad)).toThrow(/also in the support/);
  });
});
