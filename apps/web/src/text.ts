/** Text limits and sentence splitting for the page (pure functions; UTF-16 offsets). */

/** The most UTF-16 code units the page tags at once; longer text gets a message. */
export const MAX_TEXT_LENGTH = 5000;

/** A sentence of the input: `[start, end)` into the whole text, trimmed of whitespace. */
export interface SentenceSpan {
  start: number;
  end: number;
}

/**
 * Splits text into sentences: at line breaks and after `。！？!?` (closing brackets `」』）)` that
 * follow stay with their sentence). Whitespace-only pieces are dropped; offsets are UTF-16.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  const push = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start) out.push({ start, end });
  };
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') {
      push(start, i);
      start = i + 1;
    } else if ('。！？!?'.includes(c)) {
      let end = i + 1;
      while (end < text.length && '」』）)'.includes(text[end]!)) end++;
      push(start, end);
      start = end;
      i = end - 1;
    }
  }
  push(start, text.length);
  return out;
}

/** Why `text` cannot be tagged, or `null` when it can. */
export function textProblem(text: string): string | null {
  if (text.trim().length === 0) return 'The text is empty: paste or type some Japanese text first.';
  if (text.length > MAX_TEXT_LENGTH) {
    return (
      `The text has ${text.length.toLocaleString('en')} characters; the page tags at most ` +
      `${MAX_TEXT_LENGTH.toLocaleString('en')} at a time (UTF-16 code units). Split it and tag the parts.`
    );
  }
  return null;
}
