import { createRng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeFeatures, FeatureStore } from './features.js';
import {
  createVariables,
  makeConfig,
  makePart,
  prototypeHead,
  prototypeSpread,
  typeDim,
  typeLogits,
  typeRepresentations,
} from './model.js';
import { StandInEncoder, setupBackend } from './test-helpers.js';

beforeAll(setupBackend);

const SMALL = {
  projDim: 2,
  decoder: { startHidden: 2, endHidden: 2, biaffineRank: 1, widthDim: 2, spanDim: 3, maxWidth: 4 },
  control: { hidden: 2 },
  knownTypes: ['PERSON'],
};
const config = makeConfig(4, SMALL);

describe('type representations', () => {
  it('append the mean of z over the span and z at its last character', () => {
    const vars = createVariables(config, createRng(1));
    // z: one text of 4 characters, projDim 2.
    const z = tf.tensor3d([
      [
        [1, 0],
        [3, 2],
        [5, 4],
        [7, 6],
      ],
    ]);
    const spans = { batch: Int32Array.of(0, 0), start: Int32Array.of(1, 0), end: Int32Array.of(3, 1) };
    const reps = typeRepresentations(vars, config, z, spans);
    expect(reps.shape).toEqual([2, typeDim(config)]);
    expect(typeDim(config)).toBe(3 + 2 * 2);
    const v = reps.arraySync();
    // span [1, 3): mean of rows 1 and 2 = (4, 3); last character row 2 = (5, 4)
    expect(v[0]?.slice(3)).toEqual([4, 3, 5, 4]);
    // span [0, 1): mean = last = row 0
    expect(v[1]?.slice(3)).toEqual([1, 0, 1, 0]);
    tf.dispose([z, reps]);
    for (const x of vars.values()) x.dispose();
  });

  it('score prototypes by scaled squared distance, push absent types down, add known-type columns', () => {
    const vars = createVariables(config, createRng(1));
    const dim = typeDim(config);
    const row = (x: number) => Array.from({ length: dim }, (_, i) => (i === 0 ? x : 0));
    const reps = tf.tensor2d([row(0), row(2)]);
    const protos = tf.tensor2d([row(0), row(1)]);
    const neg = tf.tensor2d([row(2)]);
    const logits = typeLogits(
      vars,
      config,
      reps,
      protos,
      tf.scalar(dim),
      [true, false],
      false,
      neg,
    ).arraySync();
    // −scale·d²/dim with scale = dim → −d²; type 1 is absent (−1e4); column 2 is the known type.
    const plain = (xs: number[] | undefined) => (xs ?? []).map((x) => x + 0); // −0 → 0
    expect(plain(logits[0])).toEqual([0, -1 - 1e4, -4]);
    expect(plain(logits[1])).toEqual([-4, -1 - 1e4, 0]);
    tf.dispose([reps, protos, neg]);
    for (const x of vars.values()) x.dispose();
  });

  it('Proto-MAML: the prototype-initialised linear head reproduces the distance logits', () => {
    const protoConfig = makeConfig(4, { ...SMALL, adaptHead: false });
    const headConfig = makeConfig(4, { ...SMALL, adaptHead: true });
    expect(headConfig.control.groups).toContain('type');
    const dim = typeDim(headConfig);
    const rng = createRng(4);
    const reps = tf.tensor2d(
      Array.from({ length: 3 * dim }, () => rng.normal()),
      [3, dim],
    );
    const protos = tf.tensor2d(
      Array.from({ length: 2 * dim }, () => rng.normal()),
      [2, dim],
    );
    const scale = tf.scalar(7);
    const [w, b] = prototypeHead(headConfig, protos, scale);
    const params = new Map<string, tf.Tensor>([
      ['type.linear.w', w],
      ['type.linear.b', b],
    ]);
    const a = typeLogits(params, protoConfig, reps, protos, scale, [true, true], false).arraySync();
    const h = typeLogits(params, headConfig, reps, null, scale, [true, true], false).arraySync();
    a.forEach((row, i) => {
      row.forEach((x, j) => {
        expect(h[i]?.[j]).toBeCloseTo(x, 3);
      });
    });
    tf.dispose([reps, protos, scale, w, b]);
  });

  it('measures the prototype spread over present types only', () => {
    const protos = tf.tensor2d([
      [0, 0],
      [3, 4],
      [100, 100],
    ]);
    // ‖p0 − p1‖² = 25 → √(25 / dim 1) = 5; the absent third prototype is ignored.
    expect(prototypeSpread(protos, [true, true, false], 1)).toBeCloseTo(5, 5);
    expect(prototypeSpread(protos, [true, false, false], 1)).toBe(0);
    protos.dispose();
  });
});

describe('masked mentions', () => {
  it('leave their start (and shared-start end) out of the boundary loss and are never negative spans', async () => {
    const store = new FeatureStore(new StandInEncoder(4));
    const text = '東京で大阪万博を見た';
    // 大阪 (LOCATION, target) [3,5); 大阪万博 (EVENT, masked) [3,7) shares its start; 見 [8,9) masked too.
    const sentence = {
      id: 's1',
      text,
      entities: [
        { start: 3, end: 5, type: 'LOCATION', text: '大阪' },
        { start: 3, end: 7, type: 'EVENT', text: '大阪万博' },
        { start: 8, end: 9, type: 'EVENT', text: '見' },
      ],
    };
    await store.ensure([text]);
    const c = makeConfig(4, { ...SMALL, decoder: { ...SMALL.decoder, maxWidth: 6 } });
    const masked = (s: { entities: readonly { type: string }[] }) =>
      s.entities.filter((e) => e.type === 'EVENT');
    const plain = makePart(store, [sentence], ['LOCATION'], c.decoder, createRng(1));
    const part = makePart(
      store,
      [sentence],
      ['LOCATION'],
      c.decoder,
      createRng(1),
      undefined,
      masked as never,
    );
    const T = part.feats.mask.shape[1];
    const K = c.decoder.maxWidth;
    // Unmasked, the EVENT mention at 8 is a weighted negative start; masked, its weight is 0.
    expect(plain.targets.startWeights[8]).toBe(1);
    expect(part.targets.startWeights[8]).toBe(0);
    // Gold starts keep their weights; other characters are negatives as before.
    expect(part.targets.startLabels[3]).toBe(1);
    expect(part.targets.startWeights[3]).toBe(plain.targets.startWeights[3]);
    expect(part.targets.startWeights[1]).toBe(1);
    // The gold start 3 has end [3,5) positive and the masked end [3,7) (k = 3) left out.
    expect(part.targets.endLabels[1]).toBe(1);
    expect(plain.targets.endWeights[3]).toBe(1);
    expect(part.targets.endWeights[3]).toBe(0);
    expect(part.targets.endWeights[2]).toBe(1);
    // Only the target mention is gold.
    expect(part.targets.numGold).toBe(1);
    expect(T).toBeGreaterThanOrEqual(text.length);
    expect(K).toBe(6);
    for (const p of [plain, part]) disposeFeatures(p.feats);
    store.clear();
  });
});
