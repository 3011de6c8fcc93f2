import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, renderBar } from './progress.js';

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });
});

describe('renderBar', () => {
  it('draws the bar, count, percentage and ETA at a constant rate', () => {
    // 25 of 100 done in 10 s → 75 left at 2.5/s → 30 s.
    const line = renderBar({ label: 'eval', done: 25, total: 100, elapsedMs: 10_000 }, 80);
    expect(line).toBe(`eval [${'#'.repeat(8)}${'-'.repeat(22)}]  25/100  25% ETA 30s`);
  });

  it('says ETA ? before the first step, the total time at the end, and fits the width', () => {
    expect(renderBar({ label: 'x', done: 0, total: 4, elapsedMs: 5 }, 80)).toMatch(/0\/4 {3}0% ETA \?$/);
    expect(renderBar({ label: 'x', done: 4, total: 4, elapsedMs: 65_000, note: 'F1 50.0' }, 80)).toMatch(
      /4\/4 100% in 1m05s F1 50\.0$/,
    );
    expect(
      renderBar({ label: 'a long label', done: 1, total: 3, elapsedMs: 1 }, 30).length,
    ).toBeLessThanOrEqual(30);
  });
});

describe('renderBar with a time limit', () => {
  it('caps the ETA by the time left', () => {
    // The rate says 30 s, the limit stops it in 5 s.
    const line = renderBar({ label: 't', done: 25, total: 100, elapsedMs: 10_000, limitLeftMs: 5_000 }, 80);
    expect(line).toMatch(/ETA 5s$/);
    expect(renderBar({ label: 't', done: 0, total: 9, elapsedMs: 1, limitLeftMs: 65_000 }, 80)).toMatch(
      /ETA 1m05s$/,
    );
  });
});

describe('createProgress', () => {
  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, isTTY, columns: 80, write: (c: string) => chunks.push(c) };
  }

  it('writes nothing when the stream is not a TTY or when disabled', () => {
    const pipe = stream(false);
    const p = createProgress({ label: 'x', total: 3, stream: pipe, enabled: true });
    p.tick();
    p.done();
    const quiet = stream(true);
    createProgress({ label: 'x', total: 3, stream: quiet, enabled: false }).tick();
    expect(pipe.chunks).toEqual([]);
    expect(quiet.chunks).toEqual([]);
  });

  it('redraws in place on a TTY, throttled, and ends the line once', () => {
    const tty = stream(true);
    let t = 0;
    const p = createProgress({
      label: 'x',
      total: 3,
      stream: tty,
      enabled: true,
      intervalMs: 100,
      now: () => t,
    });
    t = 10;
    p.tick(); // first tick draws (no draw yet since start)
    t = 20;
    p.tick(); // throttled
    t = 30;
    p.tick(); // reaches total: always drawn
    p.done();
    p.done();
    expect(tty.chunks.every((c) => c === '\n' || c.startsWith('\r\x1b[2K'))).toBe(true);
    expect(tty.chunks.filter((c) => c === '\n')).toHaveLength(1);
    expect(tty.chunks).toHaveLength(5); // initial, tick 1, tick 3, done's redraw, newline
    expect(tty.chunks[3]).toContain('3/3 100%');
  });

  it('writes plain log lines to a non-TTY stream at most every logEveryMs', () => {
    const pipe = stream(false);
    let t = 0;
    const p = createProgress({
      label: 'x',
      total: 10,
      stream: pipe,
      enabled: true,
      logEveryMs: 1000,
      now: () => t,
    });
    t = 500;
    p.tick(); // too soon
    t = 1200;
    p.tick(); // logged
    t = 1500;
    p.tick(8); // reaches the total, but only 300 ms later: not logged
    p.done();
    expect(pipe.chunks).toEqual([`${renderBar({ label: 'x', done: 2, total: 10, elapsedMs: 1200 }, 120)}\n`]);
  });
});
