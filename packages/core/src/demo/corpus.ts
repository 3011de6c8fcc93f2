import { createRng, type Rng, type Seed } from '../rng.js';
import type { Entity, EntityType, Sentence } from '../types.js';
import { type Fragment, join, type Piece } from './fragment.js';
import { DEMO_TYPES, FILLERS } from './generators.js';
import { FRAMES } from './templates.js';

/** Options for {@link generateDemoCorpus}. */
export interface DemoCorpusOptions {
  /** Seed of the generator; the same seed always gives the same corpus. */
  seed: Seed;
  /** Total number of sentences, split 4:1:1 into train/dev/test; default 900 (600/150/150). */
  sentences?: number;
}

/** A generated corpus with its splits and type inventory. */
export interface DemoCorpus {
  train: Sentence[];
  dev: Sentence[];
  test: Sentence[];
  /** The entity type codes, in a fixed order. */
  types: EntityType[];
}

/** Japanese names and descriptions of the demo types, in the shape of a dataset's `types.json`. */
export const DEMO_TYPE_INFO: Readonly<Record<string, { ja: string; description: string }>> = {
  PERSON: { ja: '人名', description: 'person name' },
  CORPORATION: { ja: '法人名', description: 'company or company-like organisation' },
  POLITICAL_ORG: { ja: '政治的組織名', description: 'party, government body, international organisation' },
  OTHER_ORG: { ja: 'その他の組織名', description: 'university, sports team, orchestra, theatre group' },
  LOCATION: { ja: '地名', description: 'place name: prefecture, city, country, mountain, river' },
  FACILITY: { ja: '施設名', description: 'station, museum, stadium, library, castle, airport' },
  PRODUCT: { ja: '製品名', description: 'product model, book or film title, food product' },
  EVENT: { ja: 'イベント名', description: 'tournament, festival, conference, historical event' },
};

const SLOT = /\{([A-Z_]+)\}/g;

function fillFrame(frame: string, rng: Rng): Fragment {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of frame.matchAll(SLOT)) {
    const index = match.index ?? 0;
    const name = match[1] ?? '';
    const fill = FILLERS[name];
    if (!fill) throw new Error(`demo corpus: frame "${frame}" uses unknown slot {${name}}`);
    pieces.push(frame.slice(last, index), fill(rng));
    last = index + match[0].length;
  }
  pieces.push(frame.slice(last));
  return join(...pieces);
}

function sortEntities(entities: Entity[]): Entity[] {
  return entities.sort((a, b) => a.start - b.start || a.end - b.end || a.type.localeCompare(b.type));
}

/**
 * Generates a small synthetic Japanese NER corpus from sentence frames and name lists: 8 types
 * (the Stockmark codes PERSON, CORPORATION, POLITICAL_ORG, OTHER_ORG, LOCATION, FACILITY, PRODUCT,
 * EVENT), nested mentions (`金沢大学` ⊃ LOCATION `金沢`), full-width digits and Latin letters,
 * astral-plane characters (`𠮷田`) and sentences without entities. Offsets are UTF-16 code units.
 * Made for demos and smoke tests: it runs the whole pipeline in seconds, and says nothing about
 * accuracy on real text.
 * @example
 * const { train, dev, test, types } = generateDemoCorpus({ seed: 1 });
 * train.length; // 600
 */
export function generateDemoCorpus(options: DemoCorpusOptions): DemoCorpus {
  const total = options.sentences ?? 900;
  if (!Number.isInteger(total) || total < 3) {
    throw new RangeError(`generateDemoCorpus: sentences must be an integer ≥ 3, got ${total}`);
  }
  const rng = createRng(options.seed).fork('demo-corpus');
  const nDev = Math.max(1, Math.round(total / 6));
  const nTest = nDev;
  const nTrain = total - nDev - nTest;
  const make = (split: string, count: number): Sentence[] => {
    const out: Sentence[] = [];
    const width = String(count).length;
    // Frames are dealt like cards (every frame once per shuffled round), so each split, even a
    // small one, has close to the expected count of every type.
    let deck: string[] = [];
    for (let i = 0; i < count; i++) {
      if (deck.length === 0) deck = rng.shuffle([...FRAMES]);
      const { text, entities } = fillFrame(deck.pop() as string, rng);
      out.push({
        id: `demo-${split}-${String(i).padStart(width, '0')}`,
        text,
        entities: sortEntities(entities),
      });
    }
    return out;
  };
  return {
    train: make('train', nTrain),
    dev: make('dev', nDev),
    test: make('test', nTest),
    types: [...DEMO_TYPES],
  };
}
