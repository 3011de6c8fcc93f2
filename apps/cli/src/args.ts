/** Reading option values with checks that fail as usage errors (exit 2). */
import { isAbsolute, resolve } from 'node:path';
import type { CommandContext, OptionValues } from './command.js';
import { UsageError } from './errors.js';

/** A string option, or `fallback` when absent. */
export function getString(values: OptionValues, name: string): string | undefined;
export function getString(values: OptionValues, name: string, fallback: string): string;
export function getString(values: OptionValues, name: string, fallback?: string): string | undefined {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  if (v === '') throw new UsageError(`--${name} must not be empty`);
  return v;
}

/** A string option that must be present. */
export function requireString(values: OptionValues, name: string, hint = ''): string {
  const v = getString(values, name);
  if (v === undefined) throw new UsageError(`missing required option --${name}${hint ? ` (${hint})` : ''}`);
  return v;
}

/** A boolean flag. */
export function getFlag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** Parses an integer option value; `what` names it in the message (e.g. `--k`). */
export function parseInteger(raw: string, what: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    throw new UsageError(`${what} must be an integer, got ${JSON.stringify(raw)}`);
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const bounds =
      range.max === undefined
        ? `≥ ${min}`
        : range.min === undefined
          ? `≤ ${max}`
          : `between ${min} and ${max}`;
    throw new UsageError(`${what} must be an integer ${bounds}, got ${raw}`);
  }
  return n;
}

/** An integer option, or `fallback` when absent. */
export function getInt(
  values: OptionValues,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = getString(values, name);
  return raw === undefined ? fallback : parseInteger(raw, `--${name}`, range);
}

/** A comma-separated list option (`--shots 5,1`), or `fallback` when absent. Empty items are errors. */
export function getList(values: OptionValues, name: string, fallback: readonly string[]): string[] {
  const raw = getString(values, name);
  if (raw === undefined) return [...fallback];
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`--${name} has an empty item: ${JSON.stringify(raw)}`);
  return items;
}

/**
 * Resolves a user path against the context's working directory; kept as typed when that is the
 * process's own, so messages show the path the user wrote.
 */
export function userPath(ctx: Pick<CommandContext, 'cwd'>, path: string): string {
  return isAbsolute(path) || resolve(ctx.cwd) === process.cwd() ? path : resolve(ctx.cwd, path);
}

/** A decimal number option (`--minutes 1.5`), or `fallback` when absent; must be > `above` and ≤ `max`. */
export function getNumber(
  values: OptionValues,
  name: string,
  fallback: number,
  range?: { above?: number; max?: number },
): number;
export function getNumber(
  values: OptionValues,
  name: string,
  fallback: undefined,
  range?: { above?: number; max?: number },
): number | undefined;
export function getNumber(
  values: OptionValues,
  name: string,
  fallback: number | undefined,
  range: { above?: number; max?: number } = {},
): number | undefined {
  const raw = getString(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const above = range.above ?? Number.NEGATIVE_INFINITY;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) || !(n > above) || n > max) {
    const bounds = [
      Number.isFinite(above) ? `> ${above}` : '',
      Number.isFinite(max) ? `≤ ${max}` : '',
    ].filter(Boolean);
    throw new UsageError(
      `--${name} must be a number${bounds.length ? ` ${bounds.join(' and ')}` : ''}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** A comma-separated list of integers (`--k 1,5`), or `fallback` when absent. */
export function getIntList(
  values: OptionValues,
  name: string,
  fallback: readonly number[],
  range: { min?: number; max?: number } = {},
): number[] {
  if (values[name] === undefined) return [...fallback];
  return getList(values, name, []).map((item) => parseInteger(item, `--${name}`, range));
}
