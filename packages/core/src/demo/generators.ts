/**
 * Slot fillers for the demo templates. Upper-case slots that name an entity type (`PERSON`, ...)
 * produce a mention of that type, other upper-case slots produce a mention of a fixed type in a
 * fixed form (`CITY` is a LOCATION, `UNIV` an OTHER_ORG), and the remaining ones (`DATE`, `NUM`,
 * ...) produce unlabelled filler text. Names that contain a place carry it as a nested LOCATION
 * (`金沢大学` ⊃ `金沢`).
 */
import type { Rng } from '../rng.js';
import { type Fragment, join, type Piece, span } from './fragment.js';
import * as L from './lexicon.js';

/** The demo corpus entity types, the same codes as the Stockmark Wikipedia NER set. */
export const DEMO_TYPES = [
  'PERSON',
  'CORPORATION',
  'POLITICAL_ORG',
  'OTHER_ORG',
  'LOCATION',
  'FACILITY',
  'PRODUCT',
  'EVENT',
] as const;

type Filler = (rng: Rng) => Piece;

const FULLWIDTH_DIGIT_OFFSET = 0xff10 - 0x30;

/** Writes `n` with ASCII digits, or with full-width digits (０-９) about a third of the time. */
function number(rng: Rng, n: number): string {
  const ascii = String(n);
  if (rng.next() >= 0.3) return ascii;
  return ascii.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + FULLWIDTH_DIGIT_OFFSET));
}

/** Picks one of the weighted alternatives. */
function oneOf(rng: Rng, choices: ReadonlyArray<readonly [number, Filler]>): Piece {
  const total = choices.reduce((sum, [w]) => sum + w, 0);
  let r = rng.next() * total;
  for (const [w, fill] of choices) {
    r -= w;
    if (r < 0) return fill(rng);
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error('oneOf: no choices');
  return last[1](rng);
}

function root(rng: Rng): string {
  const r = rng.next();
  if (r < 0.5) return rng.pick(L.ROOTS_KANJI);
  if (r < 0.85) return rng.pick(L.ROOTS_KANA);
  return rng.pick(L.ROOTS_LATIN_FULLWIDTH);
}

// --- LOCATION -------------------------------------------------------------------------------

const loc = (text: string): Fragment => span('LOCATION', text);

/** A city's full name (`金沢市`), or the bare name (`金沢`) a quarter of the time. */
const city: Filler = (rng) => {
  const c = rng.pick(L.CITIES);
  return loc(rng.next() < 0.25 ? c.name : c.name + c.suffix);
};
const prefecture: Filler = (rng) => loc(rng.pick(L.PREFECTURES));
const country: Filler = (rng) => loc(rng.pick(L.COUNTRIES));
const landmark: Filler = (rng) => loc(rng.pick(L.LANDMARKS));
const location: Filler = (rng) =>
  oneOf(rng, [
    [35, city],
    [25, prefecture],
    [25, country],
    [15, landmark],
  ]);

// --- PERSON ---------------------------------------------------------------------------------

const person: Filler = (rng) => {
  const r = rng.next();
  if (r < 0.12) return span('PERSON', `${rng.pick(L.FOREIGN_GIVEN)}・${rng.pick(L.FOREIGN_FAMILY)}`);
  const surname = r < 0.2 ? rng.pick(L.ASTRAL_SURNAMES) : rng.pick(L.SURNAMES);
  return span('PERSON', surname + rng.pick(L.GIVEN_NAMES));
};

// --- CORPORATION ----------------------------------------------------------------------------

const corporation: Filler = (rng) =>
  oneOf(rng, [
    [55, (r) => span('CORPORATION', root(r) + r.pick(L.COMPANY_SUFFIXES))],
    [15, (r) => span('CORPORATION', `株式会社${root(r)}`)],
    [10, (r) => span('CORPORATION', `${root(r)}${r.pick(L.COMPANY_SUFFIXES)}株式会社`)],
    [10, (r) => span('CORPORATION', `${r.pick(L.ROOTS_LATIN)} ${r.pick(['Inc.', 'Systems', 'Labs'])}`)],
    [10, (r) => span('CORPORATION', loc(r.pick(L.CITIES).name), r.pick(L.CITY_COMPANY_SUFFIXES))],
  ]);

// --- POLITICAL_ORG --------------------------------------------------------------------------

const party: Filler = (rng) => span('POLITICAL_ORG', rng.pick(L.PARTIES));
const politicalOrg: Filler = (rng) =>
  oneOf(rng, [
    [15, (r) => span('POLITICAL_ORG', loc(r.pick(L.PREFECTURES)), r.pick(['議会', '警察', '教育委員会']))],
    [
      10,
      (r) => {
        const c = r.pick(L.CITIES);
        return span(
          'POLITICAL_ORG',
          loc(c.name + c.suffix),
          r.pick(['議会', '教育委員会', '選挙管理委員会']),
        );
      },
    ],
    [30, (r) => span('POLITICAL_ORG', r.pick(L.MINISTRIES))],
    [25, party],
    [10, (r) => span('POLITICAL_ORG', r.pick(L.INTERNATIONAL_ORGS))],
    [5, (r) => span('POLITICAL_ORG', loc(r.pick(L.COUNTRIES)), '政府')],
  ]);

// --- OTHER_ORG ------------------------------------------------------------------------------

/** `金沢大学` (the city a nested LOCATION) or `青葉学院大学`. */
const university: Filler = (rng) =>
  rng.next() < 0.5
    ? span('OTHER_ORG', loc(rng.pick(L.CITIES).name), rng.pick(L.UNIVERSITY_KINDS))
    : span('OTHER_ORG', `${rng.pick(L.ROOTS_KANJI)}学院${rng.pick(L.UNIVERSITY_KINDS)}`);
/** `浜松ブルーファルコンズ` (the city a nested LOCATION) or `ＳＯＲＡＮＯウインズ`. */
const team: Filler = (rng) =>
  rng.next() < 0.5
    ? span('OTHER_ORG', loc(rng.pick(L.CITIES).name), rng.pick(L.TEAM_NAMES))
    : span('OTHER_ORG', root(rng) + rng.pick(L.TEAM_NAMES));
const otherOrg: Filler = (rng) =>
  oneOf(rng, [
    [30, university],
    [25, team],
    [20, (r) => span('OTHER_ORG', root(r) + r.pick(L.ORCHESTRA_KINDS))],
    [10, (r) => span('OTHER_ORG', loc(r.pick(L.CITIES).name), r.pick(L.ORCHESTRA_KINDS))],
    [15, (r) => span('OTHER_ORG', `劇団${root(r)}`)],
  ]);

// --- FACILITY -------------------------------------------------------------------------------

const facility: Filler = (rng) =>
  oneOf(rng, [
    [
      30,
      (r) => {
        const c = r.pick(L.CITIES);
        const suffix = r.pick(L.CITY_FACILITY_SUFFIXES);
        // 市立図書館 / 市民会館 follow the full name (横浜市立図書館 ⊃ 横浜市); the rest the bare name.
        if (suffix === '市立図書館' || suffix === '市民会館') {
          return span('FACILITY', loc(c.name + c.suffix), suffix.slice(1));
        }
        return span('FACILITY', loc(c.name), suffix);
      },
    ],
    [55, (r) => span('FACILITY', root(r) + r.pick(L.FACILITY_KINDS))],
    [15, (r) => span('FACILITY', `${r.pick(L.ROOTS_LATIN_FULLWIDTH)}アリーナ`)],
  ]);

// --- PRODUCT --------------------------------------------------------------------------------

const modelName: Filler = (rng) => {
  const brand = rng.next() < 0.6 ? rng.pick(L.ROOTS_KANA) : rng.pick(L.ROOTS_LATIN);
  const sep = rng.next() < 0.5 ? ' ' : '';
  return span('PRODUCT', `${brand}${sep}${rng.pick(L.MODEL_LETTERS)}${number(rng, 1 + rng.int(20))}`);
};
const title: Filler = (rng) => span('PRODUCT', rng.pick(L.BOOK_TITLES));
const food: Filler = (rng) => span('PRODUCT', rng.pick(L.FOOD_ROOTS) + rng.pick(L.FOODS));
const product: Filler = (rng) =>
  oneOf(rng, [
    [55, modelName],
    [25, (r) => join('『', title(r), '』')],
    [20, food],
  ]);

// --- EVENT ----------------------------------------------------------------------------------

const event: Filler = (rng) =>
  oneOf(rng, [
    [
      25,
      (r) =>
        span(
          'EVENT',
          `第${number(r, 1 + r.int(60))}回`,
          loc(r.pick(L.CITIES).name),
          `${r.pick(L.SPORTS)}大会`,
        ),
    ],
    [20, (r) => span('EVENT', loc(r.pick(L.CITIES).name), r.pick(L.FESTIVAL_WORDS))],
    [15, (r) => span('EVENT', `${r.pick(L.ROOTS_KANA)}${r.pick(L.FESTIVAL_WORDS)}`)],
    [15, (r) => span('EVENT', `全日本${r.pick(L.SPORTS)}選手権`)],
    [10, (r) => span('EVENT', `${r.pick(L.ROOTS_KANJI)}杯`)],
    [15, (r) => span('EVENT', r.pick(L.HISTORICAL_EVENTS))],
  ]);

// --- unlabelled fillers ---------------------------------------------------------------------

const year = (rng: Rng): string => number(rng, 1950 + rng.int(75));
const date: Filler = (rng) =>
  `${year(rng)}年${number(rng, 1 + rng.int(12))}月${number(rng, 1 + rng.int(28))}日`;

/** Every slot a template may use. */
export const FILLERS: Readonly<Record<string, Filler>> = {
  PERSON: person,
  CORPORATION: corporation,
  POLITICAL_ORG: politicalOrg,
  OTHER_ORG: otherOrg,
  LOCATION: location,
  FACILITY: facility,
  PRODUCT: product,
  EVENT: event,
  CITY: city,
  PREF: prefecture,
  COUNTRY: country,
  PARTY: party,
  UNIV: university,
  TEAM: team,
  TITLE: title,
  MODEL: modelName,
  DATE: date,
  YEAR: year,
  MONTH: (rng) => number(rng, 1 + rng.int(12)),
  NUM: (rng) => number(rng, 2 + rng.int(98)),
  INDUSTRY: (rng) => rng.pick(L.INDUSTRIES),
  PRODKIND: (rng) => rng.pick(L.PRODUCT_KINDS),
  JOB: (rng) => rng.pick(L.JOBS),
  SPORT: (rng) => rng.pick(L.SPORTS),
};
