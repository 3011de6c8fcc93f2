import { describe, expect, it } from 'vitest';
import { getInt, getIntList, getList, getNumber, parseInteger, requireString } from './args.js';
import { UsageError } from './errors.js';

describe('option parsing', () => {
  it('parses integers within bounds and names the option otherwise', () => {
    expect(parseInteger('42', '--k', { min: 1 })).toBe(42);
    expect(parseInteger(' +7 ', '--k')).toBe(7);
    expect(() => parseInteger('4.5', '--k')).toThrow('--k must be an integer, got "4.5"');
    expect(() => parseInteger('0', '--k', { min: 1 })).toThrow('--k must be an integer ≥ 1, got 0');
    expect(() => parseInteger('9', '--n', { min: 1, max: 8 })).toThrow('between 1 and 8');
    expect(() => parseInteger('x', '--n')).toThrow(UsageError);
  });

  it('applies defaults, lists and required options', () => {
    expect(getInt({}, 'k', 5)).toBe(5);
    expect(getInt({ k: '3' }, 'k', 5)).toBe(3);
    expect(getList({ m: 'a, b' }, 'm', [])).toEqual(['a', 'b']);
    expect(getList({}, 'm', ['x'])).toEqual(['x']);
    expect(() => getList({ m: 'a,,b' }, 'm', [])).toThrow('--m has an empty item');
    expect(() => requireString({}, 'out', 'a folder')).toThrow('missing required option --out (a folder)');
  });

  it('parses decimal numbers and integer lists with bounds', () => {
    expect(getNumber({ minutes: '1.5' }, 'minutes', 3)).toBe(1.5);
    expect(getNumber({ minutes: '.25' }, 'minutes', 3)).toBe(0.25);
    expect(getNumber({}, 'minutes', 3)).toBe(3);
    expect(getNumber({}, 'minutes', undefined)).toBeUndefined();
    expect(() => getNumber({ minutes: '0' }, 'minutes', 1, { above: 0 })).toThrow(
      '--minutes must be a number > 0, got "0"',
    );
    expect(() => getNumber({ minutes: '1m' }, 'minutes', 1)).toThrow('--minutes must be a number, got "1m"');
    expect(() => getNumber({ lr: '20' }, 'lr', 1, { above: 0, max: 10 })).toThrow('> 0 and ≤ 10');
    expect(getIntList({ k: '1, 5' }, 'k', [2])).toEqual([1, 5]);
    expect(getIntList({}, 'k', [2])).toEqual([2]);
    expect(() => getIntList({ k: '1,x' }, 'k', [], { min: 1 })).toThrow('--k must be an integer, got "x"');
    expect(() => getIntList({ k: '0' }, 'k', [], { min: 1 })).toThrow('--k must be an integer ≥ 1, got 0');
  });
});
