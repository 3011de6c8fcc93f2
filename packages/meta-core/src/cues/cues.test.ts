import { createRng } from '@nerima/core';
import { trainSubwordVectors } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVariables,
  cueClassMeans,
  makeConfig,
  typeDim,
  typeLogits,
  typeRepresentations,
} from '../model.js';
import { setupBackend } from '../test-helpers.js';
import { createKbCue } from './kb-cue.js';
import { getSpanCue, registerSpanCue, spanCueBlocks, unregisterSpanCue } from './registry.js';
import { createVectorCue } from './vector-cue.js';

beforeAll(setupBackend);
afterAll(() => {
  unregisterSpanCue('kb');
  unregisterSpanCue('vectors');
});

const spansOf = (...s: Array<[number, number, number]>) => ({
  batch: Int32Array.from(s.map((x) => x[0])),
  start: Int32Array.from(s.map((x) => x[1])),
  end: Int32Array.from(s.map((x) => x[2])),
});

const kb = createKbCue([
  { ja: '京都駅', type: 'FACILITY', subtype: 'station' },
  { ja: '京都', type: 'LOCATION', subtype: 'place' },
  { ja: 'トヨタ', type: 'CORPORATION', subtype: 'company' },
  { ja: '東京', type: 'LOCATION', subtype: 'place' },
]);

describe('KB cue', () => {
  const C = kb.categories.length;
  const write = (text: string) => {
    const out = new Float32Array(kb.dim);
    kb.write(text, out, 0);
    return out;
  };
  const on = (v: Float32Array) => [...v.keys()].filter((i) => (v[i] as number) > 0);
  const cat = (k: string) => kb.categories.indexOf(k);

  it('marks exact, suffix and inside matches by category, and "not in the KB"', () => {
    expect(kb.categories[0]).toBe('LOCATION:place');
    expect(kb.dim).toBe(3 * C + 1);
    expect(on(write('京都駅'))).toEqual([cat('FACILITY:station'), 2 * C + cat('LOCATION:place')]);
    // JR京都駅: suffix 京都駅 (station), inside 京都 (place), not exact.
    expect(on(write('JR京都駅'))).toEqual([
      C + cat('FACILITY:station'),
      2 * C + cat('LOCATION:place'),
      3 * C,
    ]);
    expect(on(write('無名'))).toEqual([3 * C]);
  });

  it('reads full-width forms as NFKC and keeps surrogate pairs whole', () => {
    const wide = createKbCue([{ ja: 'ABC', type: 'CORPORATION', subtype: 'company' }]);
    const out = new Float32Array(wide.dim);
    wide.write('ＡＢＣ', out, 0);
    expect(out[0]).toBe(1);
    const rare = createKbCue([{ ja: '𠮷野家', type: 'CORPORATION', subtype: 'company' }]);
    const o2 = new Float32Array(rare.dim);
    rare.write('𠮷野家', o2, 0);
    expect(o2[0]).toBe(1);
  });
});

describe('span cue registry', () => {
  it('names the missing cue and how to register it', () => {
    expect(() => getSpanCue('nope')).toThrow(/span cue 'nope' is not registered.*loadSpanCues/);
    expect(() => registerSpanCue({ name: 'Bad Name', dim: 1, write: () => {} })).toThrow(/bad cue name/);
  });

  it('cuts span surfaces from the texts and names bad text indices', () => {
    registerSpanCue(kb);
    const [block] = spanCueBlocks(['kb'], ['東京と京都駅'], spansOf([0, 0, 2], [0, 3, 9]));
    expect(block?.length).toBe(2 * kb.dim);
    expect(block?.[0]).toBe(1); // 東京: exact LOCATION:place
    expect(() => spanCueBlocks(['kb'], ['x'], spansOf([1, 0, 1]))).toThrow(/span 0 refers to text 1 of 1/);
    expect(spanCueBlocks([], [], spansOf([0, 0, 1]))).toEqual([]);
  });
});

describe('vector cue', () => {
  const corpus: string[][] = [];
  for (let i = 0; i < 3000; i++)
    corpus.push(i % 2 ? ['東京', 'の', '駅', '線', '京都'] : ['社長', 'の', '会社', '株式', '銀行']);
  const { vectors } = trainSubwordVectors(corpus, {
    dim: 8,
    buckets: 200,
    minCount: 1,
    subsample: 1,
    seed: 1,
  });
  const cue = createVectorCue(vectors, (t) => Array.from(t)); // one word per character: enough here

  it('is the unit mean of the word vectors then the unit head vector', () => {
    expect(cue.dim).toBe(16);
    const out = new Float32Array(cue.dim);
    cue.write('東京駅', out, 0);
    const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    expect(norm(out.subarray(0, 8))).toBeCloseTo(1, 5);
    expect(norm(out.subarray(8))).toBeCloseTo(1, 5);
    const again = new Float32Array(cue.dim);
    cue.write('東京駅', again, 0);
    expect(Array.from(again)).toEqual(Array.from(out));
    // A span that cuts a surrogate pair: the splitter never sees a lone half.
    const seen: string[] = [];
    const strict = createVectorCue(vectors, (t) => {
      seen.push(t);
      return Array.from(t);
    });
    strict.write('東\ud842', new Float32Array(cue.dim), 0);
    expect(seen).toEqual(['東\ufffd']);
    const empty = new Float32Array(cue.dim);
    cue.write('  ', empty, 0);
    expect(Array.from(empty).every((x) => x === 0)).toBe(true);
  });
});

describe('spanCues in the model', () => {
  const base = {
    projDim: 2,
    decoder: { startHidden: 2, endHidden: 2, biaffineRank: 1, widthDim: 2, spanDim: 3, maxWidth: 4 },
    control: { hidden: 2 },
  };

  it('appends each cue times exp(cue.<name>.logScale) (initially √dim), which gets a gradient; tensors are freed', () => {
    registerSpanCue(kb);
    const config = makeConfig(4, { ...base, spanCues: ['kb'] });
    const vars = createVariables(config, createRng(1));
    expect(typeDim(config)).toBe(3 + 2 * 2 + kb.dim);
    const z = tf.randomNormal([1, 4, 2], 0, 1, 'float32', 1) as tf.Tensor3D;
    const spans = spansOf([0, 0, 2], [0, 2, 4]);
    const texts = ['東京駅前'];
    const before = tf.memory().numTensors;
    const reps = tf.tidy(() => typeRepresentations(vars, config, z, spans, texts));
    const [block] = spanCueBlocks(['kb'], texts, spans);
    const init = Math.sqrt(kb.dim); // exp(initial logScale)
    const got = reps.arraySync()[0]?.slice(7) ?? [];
    const want = Array.from(block?.subarray(0, kb.dim) ?? []).map((x) => x * init);
    expect(got.length).toBe(kb.dim);
    for (const [i, x] of got.entries()) expect(x).toBeCloseTo(want[i] as number, 4);
    reps.dispose();
    const scale = vars.get('cue.kb.logScale') as tf.Variable;
    const g = tf.grad((s: tf.Tensor) => {
      const m = new Map<string, tf.Tensor>(vars);
      m.set('cue.kb.logScale', s);
      return tf.sum(tf.square(typeRepresentations(m, config, z, spans, texts)));
    })(scale);
    expect(Math.abs(g.dataSync()[0] as number)).toBeGreaterThan(0);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => tf.tidy(() => typeRepresentations(vars, config, z, spans))).toThrow(/needs the texts/);
    z.dispose();
    for (const x of vars.values()) x.dispose();
  });

  it.each([
    ['cues', kb.dim],
    ['z+cues', 2 * 2 + kb.dim],
  ] as const)("typeFeatures '%s' leaves out the span head: no span.* weights, no span group", (mode, dim) => {
    registerSpanCue(kb);
    const config = makeConfig(4, { ...base, typeFeatures: mode, spanCues: ['kb'] });
    expect(config.control.groups).toEqual(['proj', 'start', 'end']);
    const vars = createVariables(config, createRng(1));
    expect([...vars.keys()].filter((n) => n.startsWith('span.'))).toEqual([]);
    expect(typeDim(config)).toBe(dim);
    const z = tf.randomNormal([1, 4, 2], 0, 1, 'float32', 1) as tf.Tensor3D;
    const spans = spansOf([0, 0, 2], [0, 2, 4]);
    const texts = ['東京駅前'];
    const before = tf.memory().numTensors;
    const reps = tf.tidy(() => typeRepresentations(vars, config, z, spans, texts));
    expect(reps.shape).toEqual([2, dim]);
    // The cue block comes last in both modes.
    const [block] = spanCueBlocks(['kb'], texts, spans);
    const got = reps.arraySync()[1]?.slice(dim - kb.dim) ?? [];
    for (const [i, x] of got.entries())
      expect(x).toBeCloseTo((block?.[kb.dim + i] as number) * Math.sqrt(kb.dim), 4);
    reps.dispose();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
    for (const x of vars.values()) x.dispose();
  });

  it("typeBy 'cues' types by the unit cue blocks with its own scales, blind to the learned columns", () => {
    registerSpanCue(kb);
    const config = makeConfig(4, { ...base, spanCues: ['kb'], typeBy: 'cues', knownTypes: ['PERSON'] });
    expect(config.typeBy).toBe('cues');
    const vars = createVariables(config, createRng(1));
    expect(vars.get('typecue.known')?.shape).toEqual([1, kb.dim]);
    const dim = typeDim(config);
    const learned = dim - kb.dim;
    const r = createRng(3);
    const rows = (n: number) =>
      Array.from({ length: n }, () => Array.from({ length: dim }, () => r.normal(0, 1)));
    const x = rows(3);
    const p = rows(2);
    const before = tf.memory().numTensors;
    const logitsOf = (xs: number[][]) =>
      tf.tidy(() =>
        typeLogits(
          vars,
          config,
          tf.tensor2d(xs),
          tf.tensor2d(p),
          tf.scalar(2),
          [true, true],
          false,
        ).arraySync(),
      );
    const got = logitsOf(x);
    // Cue columns are unit blocks times √dim (cue.kb.logScale), the head's weight starts at
    // scaleInit · dim: logit = −10 · ‖Δ‖² / dim, whatever the distance scale passed (2).
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) {
        let d = 0;
        for (let k = learned; k < dim; k++) d += ((x[i]?.[k] as number) - (p[j]?.[k] as number)) ** 2;
        expect(got[i]?.[j]).toBeCloseTo((-10 * d) / kb.dim, 3);
      }
    // Other learned columns, same logits.
    const moved = x.map((row) => row.map((v, k) => (k < learned ? v + 5 : v)));
    expect(logitsOf(moved)).toEqual(got);
    // The cue head sends no gradient into cue.kb.logScale (it divides the scale out again).
    const cueScale = vars.get('cue.kb.logScale') as tf.Variable;
    const g = tf.grad((s: tf.Tensor) => {
      const m = new Map<string, tf.Tensor>(vars);
      m.set('cue.kb.logScale', s);
      // Prototypes are span representations too (class means of the support's), as in the model.
      const z = tf.tensor3d([[...x, [0, 1, 2]].map((row) => row.slice(0, 2))]) as tf.Tensor3D;
      const texts = ['東京駅前'];
      const reps = typeRepresentations(m, config, z, spansOf([0, 0, 2]), texts);
      const protos = typeRepresentations(m, config, z, spansOf([0, 2, 4], [0, 0, 4]), texts);
      return tf.sum(typeLogits(m, config, reps, protos, tf.scalar(2), [true, true], false));
    })(cueScale);
    expect(Math.abs(g.dataSync()[0] as number)).toBeLessThan(1e-3);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const v of vars.values()) v.dispose();
    expect(() => makeConfig(4, { ...base, typeBy: 'cues' })).toThrow(/typeBy 'cues' needs spanCues/);
    expect(() => makeConfig(4, { ...base, spanCues: ['kb'], typeBy: 'cues', typeHead: 'linear' })).toThrow(
      /typeBy 'cues' needs/,
    );
    expect(() => makeConfig(4, { ...base, spanCues: ['kb'], typeBy: 'x' as 'cues' })).toThrow(
      /typeBy must be 'all' or 'cues'/,
    );
  });

  it('cueClassMeans averages the unit cue blocks of each type’s mentions', () => {
    registerSpanCue(kb);
    const config = makeConfig(4, {
      ...base,
      spanCues: ['kb'],
      typeBy: 'cues',
      cueKnown: 'means',
      knownTypes: ['LOCATION'],
    });
    const sentences = [
      {
        id: 'a',
        text: '東京と京都',
        entities: [
          { start: 0, end: 2, type: 'LOCATION', text: '東京' },
          { start: 3, end: 5, type: 'LOCATION', text: '京都' },
        ],
      },
      { id: 'b', text: 'トヨタ', entities: [{ start: 0, end: 3, type: 'CORPORATION', text: 'トヨタ' }] },
    ];
    const means = cueClassMeans(config, sentences, ['LOCATION', 'PERSON']);
    expect(means.length).toBe(2 * kb.dim);
    // Both LOCATION mentions are exactly LOCATION:place: that entry is 1 (unit blocks), PERSON has none.
    const [b1, b2] = [
      spanCueBlocks(['kb'], ['東京'], spansOf([0, 0, 2]))[0],
      spanCueBlocks(['kb'], ['京都'], spansOf([0, 0, 2]))[0],
    ];
    for (let k = 0; k < kb.dim; k++)
      expect(means[k]).toBeCloseTo(((b1?.[k] as number) + (b2?.[k] as number)) / 2, 5);
    expect(means.slice(kb.dim).every((x) => x === 0)).toBe(true);
    expect(createVariables(config, createRng(1)).get('typecue.knownBias')?.shape).toEqual([]);
    expect(() =>
      makeConfig(4, { ...base, spanCues: ['kb'], typeBy: 'cues', cueKnown: 'x' as 'means' }),
    ).toThrow(/cueKnown must be/);
  });

  it('cue-only type features need a cue and no span group', () => {
    expect(() => makeConfig(4, { ...base, typeFeatures: 'cues' })).toThrow(/needs at least one of spanCues/);
    expect(() =>
      makeConfig(4, {
        ...base,
        typeFeatures: 'z+cues',
        spanCues: ['kb'],
        control: { ...base.control, groups: ['proj', 'span'] },
      }),
    ).toThrow(/must not include 'span'/);
  });

  it('rejects bad cue lists and reads configs without the field', () => {
    expect(() => makeConfig(4, { ...base, spanCues: ['kb', 'kb'] })).toThrow(/spanCues must be distinct/);
    expect(() => makeConfig(4, { ...base, typeFeatures: 'span', spanCues: ['kb'] })).toThrow(
      /need typeFeatures/,
    );
    const old = makeConfig(4, base);
    delete old.spanCues;
    expect(typeDim(old)).toBe(3 + 2 * 2);
  });
});
