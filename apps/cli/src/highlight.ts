/**
 * Entities shown inline: `[東京大学]{ORG}` brackets (nested mentions nest), optionally with ANSI
 * colours per type for terminals.
 */
import type { Prediction } from '@nerima/core';

const COLOURS = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92, 94, 91];
const RESET = '\x1b[0m';

/** A stable colour code for a type (the same type always gets the same colour). */
function colourOf(type: string): number {
  let h = 0;
  for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] as number;
}

/**
 * `text` with every entity wrapped as `[surface]{TYPE}`; nested entities nest
 * (`[[東京]{LOCATION}大学]{ORG}`). Entities that cross another are left out of the markup (the
 * decoders never produce them). With `colour`, brackets and labels are coloured per type and the
 * mention is underlined.
 */
export function highlight(text: string, entities: readonly Prediction[], colour = false): string {
  // Outer spans first at the same start; drop any span that crosses one already placed.
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const placed: Prediction[] = [];
  for (const e of sorted) {
    if (e.start < 0 || e.end > text.length || e.end <= e.start) continue;
    const crosses = placed.some(
      (p) => e.start < p.end && p.start < e.end && !(e.start >= p.start && e.end <= p.end),
    );
    if (!crosses) placed.push(e);
  }
  const opens = new Map<number, Prediction[]>();
  const closes = new Map<number, Prediction[]>();
  for (const e of placed) {
    opens.set(e.start, [...(opens.get(e.start) ?? []), e]);
    closes.set(e.end, [...(closes.get(e.end) ?? []), e]);
  }
  const open = (e: Prediction) => (colour ? `\x1b[${colourOf(e.type)}m[${RESET}\x1b[4m` : '[');
  const close = (e: Prediction) =>
    colour ? `${RESET}\x1b[${colourOf(e.type)}m]{${e.type}}${RESET}` : `]{${e.type}}`;
  let out = '';
  for (let i = 0; i <= text.length; i++) {
    // Inner spans close first (they were opened last).
    const c = closes.get(i);
    if (c) for (const e of [...c].sort((a, b) => b.start - a.start)) out += close(e);
    const o = opens.get(i);
    if (o) for (const e of o) out += open(e);
    if (i < text.length) out += text[i];
  }
  return out;
}
