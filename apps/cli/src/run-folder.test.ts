import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { startResumableRunFolder, startRunFolder, timestampName } from './run-folder.js';

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

describe('startResumableRunFolder', () => {
  const CK = 'checkpoints/c.json';
  const opts = (o: { force?: boolean; resume?: boolean } = {}) => ({
    force: o.force ?? false,
    resume: o.resume ?? false,
    checkpoints: [CK],
  });

  it('keeps the work folder after a failure and continues it with resume', async () => {
    const out = join(root, 'run');
    const first = await startResumableRunFolder(out, opts());
    expect(first.tmp).toBe(join(root, '.run.partial'));
    expect(first.resumedFrom).toBeNull();
    await mkdir(join(first.tmp, 'checkpoints'));
    await writeFile(join(first.tmp, CK), '{"episode":3}');
    expect(await first.abort()).toBe(true);
    expect(await readdir(root)).toEqual(['.run.partial']);

    await expect(startResumableRunFolder(out, opts())).rejects.toThrow(/pass --resume to continue it/);
    const again = await startResumableRunFolder(out, opts({ resume: true }));
    expect(again.resumedFrom).toBe('partial');
    expect(await readFile(join(again.tmp, CK), 'utf8')).toBe('{"episode":3}');
    await again.commit();
    expect(await readdir(root)).toEqual(['run']);
  });

  it('resumes a finished run from a copy of its checkpoints, replacing it only at commit', async () => {
    const out = join(root, 'done');
    await mkdir(join(out, 'checkpoints'), { recursive: true });
    await writeFile(join(out, CK), 'old');
    await writeFile(join(out, 'model'), 'old model');
    await expect(startResumableRunFolder(out, opts())).rejects.toThrow(/not empty.*--force/);
    const f = await startResumableRunFolder(out, opts({ resume: true }));
    expect(f.resumedFrom).toBe('finished');
    expect(await readFile(join(f.tmp, CK), 'utf8')).toBe('old');
    expect(await readFile(join(out, 'model'), 'utf8')).toBe('old model');
    await writeFile(join(f.tmp, 'model'), 'new model');
    await f.commit();
    expect(await readFile(join(out, 'model'), 'utf8')).toBe('new model');
    expect((await readdir(root)).sort()).toEqual(['done']);
  });

  it('forgets an empty work folder, and --force discards an unfinished run', async () => {
    const out = join(root, 'x');
    await mkdir(join(root, '.x.partial', 'checkpoints'), { recursive: true });
    const f = await startResumableRunFolder(out, opts());
    expect(f.resumedFrom).toBeNull();
    await writeFile(join(f.tmp, 'partial-file'), '1');
    await f.abort();
    const forced = await startResumableRunFolder(out, opts({ force: true }));
    expect(await readdir(forced.tmp)).toEqual([]);
    expect(await forced.abort()).toBe(false); // nothing worth keeping: removed
    expect(await readdir(root)).toEqual([]);
  });
});

describe('timestampName', () => {
  it('is file-system safe and sortable', () => {
    expect(timestampName(new Date(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02T03-04-05');
  });
});
