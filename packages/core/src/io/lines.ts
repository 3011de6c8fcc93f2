/** Line-by-line file reading that does not load the whole file. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of a text file; `line` is 1-based, `text` has no line terminator (`\n` or `\r\n`). */
export interface TextLine {
  line: number;
  text: string;
}

/** Streams the lines of a UTF-8 file (a leading byte-order mark is removed). */
export async function* readLines(path: string): AsyncGenerator<TextLine> {
  const rl = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  try {
    for await (const raw of rl) {
      line++;
      yield { line, text: line === 1 ? stripBom(raw) : raw };
    }
  } finally {
    rl.close();
  }
}

/** Splits a string into lines like {@link readLines}. */
export function* splitLines(text: string): Generator<TextLine> {
  const parts = stripBom(text).split(/\r?\n/);
  // A final terminator does not start another line.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  for (let i = 0; i < parts.length; i++) yield { line: i + 1, text: parts[i] as string };
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
