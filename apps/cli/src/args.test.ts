import { describe, expect, it } from 'vitest';
import { getInt, getList, parseInteger, requireString } from './args.js';
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
});
