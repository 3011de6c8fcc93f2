/**
 * Rule-found silver mentions of the numeric types (dates, times, money, percentages, quantities,
 * ordinals) for distant supervision: regular expressions over the raw text, so offsets are UTF-16
 * code units of the text as given (half- and full-width digits are both read; no NFKC is applied,
 * so nothing shifts). None of these types is a Stockmark type, so they are training types in
 * every fold (type-map.ts).
 */
import type { Entity } from '@nerima/core';

/** The rule types, in the order their patterns are tried (earlier wins a tie in length). */
export const RULE_TYPES = ['DATE', 'TIME', 'MONEY', 'PERCENT', 'QUANTITY', 'ORDINAL'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

const D = '[0-9０-９]';
/** An Arabic-digit number with separators and the 万 / 億 / 兆 multipliers: 1,200 / 3.5 / 12万5000. */
const ARABIC = `${D}(?:[0-9０-９,，.．]*${D})?(?:[万億兆]${D}*)*`;
/** Kanji numerals, used only with units that are not also common words (年, 月, 日, 円, 第…). */
const KANJI = '[〇一二三四五六七八九十百千万億兆]+';
const NUM = `(?:${ARABIC}|${KANJI})`;
const ERA = '(?:明治|大正|昭和|平成|令和|西暦|紀元前)';

const PATTERNS: Record<RuleType, string> = {
  // Alternatives are tried in order (a regex alternation takes the first that matches, not the
  // longest): the longer forms first.
  DATE: [
    `${ARABIC}年代`,
    // Any era name: two kanji right before the number (天延2年, 永禄2年) unless they continue a longer kanji run.
    `(?:${ERA}|(?<![\u4E00-\u9FFF])[\u4E00-\u9FFF]{2})?(?:${NUM}|元)年(?:${NUM}月(?:${NUM}日)?)?`,
    `${NUM}月${NUM}日`,
    `${ARABIC}月`,
    `${ARABIC}年代`,
    `${NUM}世紀`,
  ].join('|'),
  // Kanji numerals only after 午前 / 午後: 一時 alone is mostly "for a while".
  TIME: [`(?:午前|午後)${NUM}時(?:${NUM}分)?`, `${ARABIC}時(?:${ARABIC}分(?:${ARABIC}秒)?|半)?`].join('|'),
  MONEY: [`${NUM}円`, `${ARABIC}(?:米ドル|ドル|ユーロ|ポンド|ウォン|人民元|元)`, `[＄$]${ARABIC}`].join('|'),
  PERCENT: `${ARABIC}(?:%|％|パーセント)`,
  QUANTITY: `${ARABIC}(?:平方キロメートル|平方メートル|キロメートル|センチメートル|ミリメートル|メートル|キログラム|グラム|リットル|ヘクタール|トン|馬力|ノット|km²|km2|ｋｍ|km|cm|mm|kg|ｋｇ|m|ｍ|g)(?![A-Za-zＡ-Ｚａ-ｚ])`,
  ORDINAL: [`第${NUM}(?:回|代|位|番|次|期|号|条|章|部|戦|話|師団|艦隊)?`, `${NUM}(?:番目|代目)`].join('|'),
};

// Not inside a longer number or word: no digit, numeral or Latin letter right before the match.
const BEFORE = '(?<![0-9０-９〇一二三四五六七八九十百千万億兆.．,，A-Za-zＡ-Ｚａ-ｚ])';
const COMPILED: Array<[RuleType, RegExp]> = RULE_TYPES.map((t) => [
  t,
  new RegExp(`${BEFORE}(?:${PATTERNS[t]})`, 'gu'),
]);

/**
 * Silver mentions of the rule types in `text`: every pattern's matches, then the longest of
 * overlapping ones (the earlier type on a tie), sorted by start. Flat: no two returned mentions overlap.
 */
export function ruleMentions(text: string): Entity[] {
  const found: Entity[] = [];
  for (const [type, re] of COMPILED) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      found.push({ start: m.index, end: m.index + m[0].length, type, text: m[0] });
    }
  }
  return pickNonOverlapping(found);
}

/** Longest first (then earliest, then the order given), dropping any that overlap a kept one. */
export function pickNonOverlapping(mentions: readonly Entity[]): Entity[] {
  const order = mentions
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.end - b.e.start - (a.e.end - a.e.start) || a.e.start - b.e.start || a.i - b.i);
  const kept: Entity[] = [];
  for (const { e } of order) if (!kept.some((k) => k.start < e.end && e.start < k.end)) kept.push(e);
  return kept.sort((a, b) => a.start - b.start);
}
