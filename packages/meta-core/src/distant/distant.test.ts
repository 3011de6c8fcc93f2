import { STOCKMARK_FOLDS } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { createKbMatcher } from './kb-matcher.js';
import { ruleMentions } from './rules.js';
import { silverMentions, silverSentences, withRuleMentions } from './silver.js';
import { SILVER_TO_STOCKMARK, silverPlan } from './type-map.js';

const spans = (text: string, es: { start: number; end: number; type: string }[]) =>
  es.map((e) => `${text.slice(e.start, e.end)}/${e.type}`);

describe('rule mentions', () => {
  it('finds dates, times, money, percentages, quantities and ordinals, longest first', () => {
    const t = '平成3年4月1日午後3時に第2回大会で1,200万円と５％、全長12.5kmを記録し、3番目だった。';
    expect(spans(t, ruleMentions(t))).toEqual([
      '平成3年4月1日/DATE',
      '午後3時/TIME',
      '第2回/ORDINAL',
      '1,200万円/MONEY',
      '５％/PERCENT',
      '12.5km/QUANTITY',
      '3番目/ORDINAL',
    ]);
  });

  it('does not start inside a number or a word, and skips ambiguous kanji-numeral words', () => {
    expect(ruleMentions('一時は休止した')).toEqual([]); // "for a while", not a time
    expect(ruleMentions('ABC3km')).toEqual([]);
    expect(spans('1990年代', ruleMentions('1990年代'))).toEqual(['1990年代/DATE']);
    expect(spans('3mmの', ruleMentions('3mmの'))).toEqual(['3mm/QUANTITY']);
    expect(ruleMentions('5mg')).toEqual([]);
    // A two-kanji era name is part of the date unless it continues a longer kanji run.
    expect(spans('、永禄2年（1559年）', ruleMentions('、永禄2年（1559年）'))).toEqual([
      '永禄2年/DATE',
      '1559年/DATE',
    ]);
    expect(spans('江戸時代前期1600年', ruleMentions('江戸時代前期1600年'))).toEqual(['1600年/DATE']);
    expect(spans('3万米ドル', ruleMentions('3万米ドル'))).toEqual(['3万米ドル/MONEY']);
  });

  it('keeps UTF-16 offsets of the text as given (surrogate pairs before a match)', () => {
    const t = '𠮷野家は2020年に';
    const [m] = ruleMentions(t);
    expect(m).toMatchObject({ start: 5, end: 10, type: 'DATE' });
    expect(t.slice(m!.start, m!.end)).toBe('2020年');
  });
});

describe('KB matcher', () => {
  const kb = createKbMatcher([
    { ja: 'クロケット', type: 'LOCATION', subtype: 'place' },
    { ja: '住友商事', type: 'CORPORATION', subtype: 'company' },
    { ja: '住友', type: 'CORPORATION', subtype: 'company' }, // too short, left out
    { ja: 'さくら', type: 'PERSON', subtype: 'full_name' }, // hiragana only, left out
    { ja: '京都駅', type: 'FACILITY', subtype: 'station' },
    { ja: '京都駅', type: 'LOCATION', subtype: 'place' },
  ]);

  it('matches leftmost-longest, not inside katakana runs, with every category of a homograph', () => {
    expect(kb.size).toBe(3);
    const t = '住友商事はクロケットボールとクロケットを京都駅で。さくら';
    expect(kb.match(t).map((m) => [t.slice(m.start, m.end), m.categories.join('|')])).toEqual([
      ['住友商事', 'CORPORATION:company'],
      ['クロケット', 'LOCATION:place'],
      ['京都駅', 'FACILITY:station|LOCATION:place'],
    ]);
  });
});

describe('silver type map', () => {
  it('drops the silver types of a fold test type, merges one-to-one training types, adds the rest', () => {
    const a = silverPlan(STOCKMARK_FOLDS.A);
    expect([...a.blocked].sort()).toEqual([
      'KB:LOCATION:city',
      'KB:LOCATION:country_or_region',
      'KB:LOCATION:place',
      'KB:LOCATION:subdivision',
      'KB:ORGANIZATION:organization',
      'KB:PRODUCT:product',
      'KB:PRODUCT:work',
    ]);
    expect(a.rename.get('KB:PERSON:full_name')).toBe('PERSON');
    expect(a.rename.get('DATE')).toBe('DATE');
    const b = silverPlan(STOCKMARK_FOLDS.B);
    expect(b.blocked.has('KB:PERSON:full_name')).toBe(true);
    expect(b.blocked.has('KB:FACILITY:station')).toBe(true);
    expect(b.rename.get('KB:LOCATION:city')).toBe('LOCATION');
    for (const plan of [a, b]) {
      // No silver type is ever trained as, or merged into, a fold test type.
      const fold = plan === a ? STOCKMARK_FOLDS.A : STOCKMARK_FOLDS.B;
      for (const to of plan.rename.values()) expect(fold.test).not.toContain(to);
      for (const t of plan.trainTypes) expect(fold.test).not.toContain(t);
      for (const [s, to] of Object.entries(SILVER_TO_STOCKMARK))
        if (to.some((x) => fold.test.includes(x))) expect(plan.blocked.has(s)).toBe(true);
    }
    expect(a.trainTypes).toEqual([
      ...STOCKMARK_FOLDS.A.train,
      'DATE',
      'TIME',
      'MONEY',
      'PERCENT',
      'QUANTITY',
      'ORDINAL',
      'KB:LANGUAGE:language',
    ]);
    expect(() => silverPlan(STOCKMARK_FOLDS.A, ['KB:EVENT:war'])).toThrow(
      /no Stockmark correspondence.*KB:EVENT:war/,
    );
  });
});

describe('silver sentences', () => {
  const kb = createKbMatcher([
    { ja: '山田太郎', type: 'PERSON', subtype: 'full_name' },
    { ja: 'ヘルシンキ', type: 'LOCATION', subtype: 'city' },
  ]);
  const planA = silverPlan(STOCKMARK_FOLDS.A);

  it('labels rule and allowed KB mentions, drops texts with a test-type match', () => {
    expect(spans('山田太郎は2001年に', silverMentions('山田太郎は2001年に', planA, kb) ?? [])).toEqual([
      '山田太郎/PERSON',
      '2001年/DATE',
    ]);
    // LOCATION is a test type of fold A: the whole text goes.
    expect(silverMentions('山田太郎はヘルシンキで', planA, kb)).toBeNull();
  });

  it('samples lines deterministically, with a report, up to the limit', async () => {
    const lines = [
      '山田太郎は2001年に生まれた。',
      'ヘルシンキで1999年に。',
      'なにもない普通の文です。',
      '第3回の会議が開かれた。',
    ].map((text, i) => ({ source: 'x.txt', line: i + 1, text }));
    const r = await silverSentences(lines, { plan: planA, kb, limit: 10 });
    expect(r.sentences.map((s) => s.id)).toEqual(['x.txt:1', 'x.txt:4']);
    expect(r.report).toMatchObject({ lines: 4, considered: 4, blocked: 1, empty: 1, kept: 2 });
    expect(r.report.mentions).toEqual({ PERSON: 1, DATE: 1, ORDINAL: 1 });
    const one = await silverSentences(lines, { plan: planA, kb, limit: 1 });
    expect(one.sentences.length).toBe(1);
    const half = await silverSentences(lines, { plan: planA, kb, limit: 10, rate: 0.5, seed: 3 });
    const again = await silverSentences(lines, { plan: planA, kb, limit: 10, rate: 0.5, seed: 3 });
    expect(half.sentences).toEqual(again.sentences);
  });

  it('adds rule mentions to labelled sentences where they overlap no gold mention', () => {
    const s = {
      id: 'a',
      text: '2008年北京オリンピックは2008年8月に',
      entities: [{ start: 0, end: 13, type: 'EVENT', text: '2008年北京オリンピック' }],
    };
    const [out] = withRuleMentions([s], silverPlan(STOCKMARK_FOLDS.B));
    expect(spans(s.text, out!.entities)).toEqual(['2008年北京オリンピック/EVENT', '2008年8月/DATE']);
  });
});
