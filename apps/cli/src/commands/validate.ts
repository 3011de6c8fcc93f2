import type { DatasetStats, Issue } from '@nerima/core';
import { getFlag, getString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { readDatasetFile, readTypesFile } from '../data.js';
import { DataError, EXIT } from '../errors.js';

/** How many issue lines are printed before "... and N more". */
const MAX_LISTED = 50;

function statsText(
  file: string,
  format: string,
  stats: DatasetStats,
  types: readonly string[] | undefined,
): string {
  const rows: [string, string, string][] = [['type', 'mentions', 'sentences']];
  const names = types ?? Object.keys(stats.perType);
  for (const t of names)
    rows.push([t, String(stats.perType[t] ?? 0), String(stats.sentencesPerType[t] ?? 0)]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  const table = rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(w2)}`).join('\n');
  return [
    `${file}: ok (${format})`,
    `  sentences ${stats.sentences} (${stats.sentencesWithoutEntities} without entities), entities ${stats.entities} (${stats.overlappingEntities} overlapping)`,
    `  entity length (UTF-16 units): mean ${stats.entityLength.mean.toFixed(1)}, p99 ${stats.entityLength.p99}, max ${stats.entityLength.max}`,
    '',
    table,
  ].join('\n');
}

function listIssues(issues: readonly Issue[]): string[] {
  const lines = issues
    .slice(0, MAX_LISTED)
    .map((i) => `${i.severity === 'warning' ? 'warning: ' : ''}${i.message}`);
  if (issues.length > MAX_LISTED)
    lines.push(`... and ${issues.length - MAX_LISTED} more (see --json for all)`);
  return lines;
}

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'check a dataset file (JSONL, Stockmark ner.json or CoNLL) and print counts per type',
  description: `Reads the whole file and checks every row: JSON syntax, ids, offsets inside the text and on
UTF-16 character boundaries, entity text matching text.slice(start, end), and types (with --types).
Prints counts per type, or every problem as file:line: message and exits with 3. The format is
chosen by extension (.jsonl, .conll/.iob/.bio/.tsv) or by content (a JSON array is Stockmark ner.json).`,
  arguments: [{ name: 'file', description: 'the dataset file to check' }],
  options: {
    types: {
      type: 'string',
      valueName: '<types.json>',
      description: 'allowed entity types: {"TYPE": {...}} or ["TYPE", ...]; other types are errors',
    },
    lenient: {
      type: 'boolean',
      description: 'report problems as warnings, count only the valid rows, and exit 0',
    },
  },
  examples: [
    {
      command:
        'nerima validate ../shared/data/stockmark/dev.jsonl --types ../shared/data/stockmark/types.json',
      description: 'check the Stockmark dev split against its type list',
    },
    {
      command: 'nerima validate data/train.conll --lenient',
      description: 'count the usable rows of a CoNLL file',
    },
    { command: 'nerima validate data/test.jsonl --json | jq .stats.perType', description: 'counts as JSON' },
  ],
  async run(ctx) {
    const file = userPath(ctx, ctx.args[0] as string);
    const shown = ctx.args[0] as string;
    const typesPath = getString(ctx.values, 'types');
    const types = typesPath ? await readTypesFile(userPath(ctx, typesPath)) : undefined;
    const lenient = getFlag(ctx.values, 'lenient');
    let ds: Awaited<ReturnType<typeof readDatasetFile>>;
    try {
      ds = await readDatasetFile(file, { lenient, ...(types ? { types } : {}) });
    } catch (err) {
      if (err instanceof DataError && err.details.length > 0) {
        const issues = (err.cause as { issues?: Issue[] } | undefined)?.issues ?? [];
        const errors = issues.filter((i) => i.severity === 'error');
        if (ctx.out.json) {
          ctx.out.result({ file: shown, valid: false, errors: errors.length, issues }, () => '');
        } else {
          for (const line of listIssues(issues)) ctx.out.error(line);
          ctx.out.error(
            `${shown}: ${errors.length} error(s) in ${new Set(errors.map((i) => i.line)).size} row(s); fix them, or use --lenient to skip those rows`,
          );
        }
        return EXIT.DATA;
      }
      throw err;
    }
    for (const line of listIssues(ds.issues)) ctx.out.warn(line.replace(/^warning: /, ''));
    const skipped = new Set(ds.issues.filter((i) => i.severity === 'error').map((i) => i.line)).size;
    ctx.out.result(
      {
        file: shown,
        format: ds.format,
        valid: skipped === 0,
        skippedRows: skipped,
        stats: ds.stats,
        issues: ds.issues,
      },
      () =>
        statsText(shown, ds.format, ds.stats, types) +
        (skipped > 0
          ? `\n\n${skipped} invalid row(s) skipped (--lenient); the counts are of the valid rows`
          : ''),
    );
    return EXIT.OK;
  },
});
