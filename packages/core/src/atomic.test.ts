import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic, writeStreamAtomic } from './atomic.js';

const tmp = () => mkdtemp(join(tmpdir(), 'nerima-atomic-'));

describe('atomic writes', () => {
  it('writeFileAtomic replaces the file, creates parents and leaves no temp file', async () => {
    const dir = await tmp();
    const path = join(dir, 'a/b/out.txt');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'a/b'))).toEqual(['out.txt']);
  });

  it('writeJsonAtomic writes indented JSON with a final newline', async () => {
    const dir = await tmp();
    const path = join(dir, 'x.json');
    await writeJsonAtomic(path, { a: [1, 2] });
    expect(await readFile(path, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
    await writeJsonAtomic(path, { a: 1 }, { indent: 0 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    await expect(writeJsonAtomic(path, undefined)).rejects.toThrow(/not JSON-serializable/);
  });

  it('writeStreamAtomic keeps the old file when the source fails midway', async () => {
    const dir = await tmp();
    const path = join(dir, 'big.txt');
    await writeFile(path, 'old');
    async function* failing() {
      yield 'new part 1\n';
      throw new Error('source broke');
    }
    await expect(writeStreamAtomic(path, failing())).rejects.toThrow('source broke');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['big.txt']);
    await writeStreamAtomic(path, ['a', 'b']);
    expect(await readFile(path, 'utf8')).toBe('ab');
  });
});
