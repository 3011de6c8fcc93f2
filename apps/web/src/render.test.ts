import { describe, expect, it } from 'vitest';
import { entitiesHtml, escapeHtml, inlineEntities, legendHtml, typeColour } from './render.js';

describe('entitiesHtml', () => {
  it('marks entities with type, offsets (shifted), score and an escaped surface', () => {
    const html = entitiesHtml(
      'a<b>東京c',
      [{ start: 4, end: 6, type: 'LOC', text: '東京', score: 0.91234 }],
      {
        types: ['LOC'],
        offset: 10,
      },
    );
    expect(html).toBe(
      'a&#60;b&#62;<mark class="ent" style="background:#7aecec" data-type="LOC" data-start="14" data-end="16" ' +
        'data-score="0.9123" title="LOC · score 0.912 · [14, 16)">東京<span class="ent-label">LOC</span></mark>c',
    );
  });

  it('draws the first of overlapping entities, flags changed ones, and labels unscored ones', () => {
    const html = entitiesHtml(
      'ABCDE',
      [
        { start: 1, end: 3, type: 'Y' },
        { start: 0, end: 2, type: 'X' },
      ],
      { types: ['X', 'Y'], changed: new Set(['0:2:X']) },
    );
    expect(html.match(/<mark/g)).toHaveLength(1);
    expect(html).toContain('class="ent changed"');
    expect(html).toContain('title="X · labelled · [0, 2)"');
    expect(html.endsWith('CDE')).toBe(true);
  });
});

describe('helpers', () => {
  it('inlineEntities keeps non-overlapping ones, longest first at a tie', () => {
    const r = inlineEntities([
      { start: 0, end: 1 },
      { start: 0, end: 3 },
      { start: 3, end: 4 },
    ]);
    expect(r.shown).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 4 },
    ]);
    expect(r.hidden).toEqual([{ start: 0, end: 1 }]);
  });

  it('colours by legend position, escapes quotes, renders chips', () => {
    expect(typeColour('B', ['A', 'B'])).toBe('#bfeeb7');
    expect(typeColour('Z', [])).toBe(typeColour('Z', ['A']));
    expect(escapeHtml(`"'&`)).toBe('&#34;&#39;&#38;');
    expect(legendHtml(['A'], new Map([['A', 2]]))).toBe(
      '<span class="chip" data-type="A" style="background:#7aecec">A <small>2</small></span>',
    );
  });
});
