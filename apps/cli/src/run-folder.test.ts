import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { startRunFolder, timestampName } from './run-folder.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nerima-runfolder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('startRunFolder', () => {
  it('writes into a hidden temporary folder and renames it into place', async () => {
    const out = join(root, 'runs', 'a');
    const f = await startRunFolder(out, false);
    await writeFile(join(f.tmp, 'report.json'), '{}');
    expect(await readdir(join(root, 'runs'))).toEqual([f.tmp.split('/').pop()]);
    expect(await f.commit()).toBe(out);
    expect(await readdir(join(root, 'runs'))).toEqual(['a']);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('{}');
  });

  it('accepts an existing empty folder', async () => {
    const out = join(root, 'empty');
    await mkdir(out);
    const f = await startRunFolder(out, false);
    await writeFile(join(f.tmp, 'x'), '1');
    await f.commit();
    expect(await readdir(out)).toEqual(['x']);
  });

  it('refuses a non-empty folder without force and a file always', async () => {
    const out = join(root, 'full');
    await mkdir(out);
    await writeFile(join(out, 'old'), 'keep');
    await expect(startRunFolder(out, false)).rejects.toThrow(UsageError);
    await expect(startRunFolder(out, false)).rejects.toThrow(/not empty.*--force/);
    await writeFile(join(root, 'file'), '');
    await expect(startRunFolder(join(root, 'file'), true)).rejects.toThrow(/is a file/);
    expect(await readFile(join(out, 'old'), 'utf8')).toBe('keep');
  });

  it('replaces a non-empty folder with force, leaving no old or temporary folders', async () => {
    const out = join(root, 'full');
    await mkdir(out);
    await writeFile(join(out, 'old'), 'gone');
    const f = await startRunFolder(out, true);
    await writeFile(join(f.tmp, 'new'), 'here');
    await f.commit();
    expect(await readdir(out)).toEqual(['new']);
    expect(await readdir(root)).toEqual(['full']);
  });

  it('refuses at commit when the target filled up meanwhile, and abort leaves the target as it was', async () => {
    const out = join(root, 'race');
    const f = await startRunFolder(out, false);
    await mkdir(out);
    await writeFile(join(out, 'other'), 'theirs');
    await expect(f.commit()).rejects.toThrow(/not empty/);
    await f.abort();
    expect(await readdir(root)).toEqual(['race']);
    expect(await readdir(out)).toEqual(['other']);
  });
});

describe('timestampName', () => {
  it('is file-system safe and sortable', () => {
    expect(timestampName(new Date(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02T03-04-05');
  });
});
