/**
 * Prints the Markdown results table of bench/results/fewshot.json (quoted in
 * packages/meta-core/README.md).
 *
 *   pnpm exec tsx bench/fewshot/table.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface Summary {
  mean: number;
  ci95: number;
}
type MethodResult = Record<string, Summary> & {
  label: string;
  episodes: number;
  folds: Record<string, Record<string, Summary>>;
};

const file = path.resolve(import.meta.dirname, '../results/fewshot.json');
const r = JSON.parse(await readFile(file, 'utf8')) as {
  command: string;
  commands?: string[];
  commit: string;
  date: string;
  backend: string;
  complete: boolean;
  settings: Record<string, Record<string, MethodResult>>;
};
const pct = (s: Summary | undefined) =>
  s ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.ci95).toFixed(1)}` : '–';
// 1-shot before 5-shot, whatever order the runs wrote them in.
const shots = (s: string) => Number(/(\d+)-shot/.exec(s)?.[1] ?? 0);
const settings = Object.keys(r.settings).sort((a, b) => shots(a) - shots(b));
const methods = [...new Set(settings.flatMap((s) => Object.keys(r.settings[s] ?? {})))];
const lines: string[] = [];
lines.push(
  `| method | ${settings.map((s) => `${s} macro F1`).join(' | ')} | ${settings.map((s) => `${s} micro F1`).join(' | ')} | 5-shot untyped F1 | 5-shot start / end acc. | adapt ms (5-shot) |`,
);
lines.push(
  `|---|${settings.map(() => '---:').join('|')}|${settings.map(() => '---:').join('|')}|---:|---:|---:|`,
);
for (const m of methods) {
  const cells = settings.map((s) => pct(r.settings[s]?.[m]?.['macroF1']));
  const micro = settings.map((s) => pct(r.settings[s]?.[m]?.['microF1']));
  const five = r.settings['4-way 5-shot']?.[m];
  const se = five
    ? `${(100 * (five['startAccuracy']?.mean ?? 0)).toFixed(1)} / ${(100 * (five['endAccuracy']?.mean ?? 0)).toFixed(1)}`
    : '–';
  const ms = five ? (five['adaptMs']?.mean ?? 0).toFixed(0) : '–';
  const untyped = pct(five?.['untypedF1']);
  lines.push(`| ${m} | ${cells.join(' | ')} | ${micro.join(' | ')} | ${untyped} | ${se} | ${ms} |`);
}
console.log(lines.join('\n'));
// Per fold: macro F1 (untyped F1) for each setting.
const folds = [
  ...new Set(methods.flatMap((m) => settings.flatMap((s) => Object.keys(r.settings[s]?.[m]?.folds ?? {})))),
].sort();
const cols = settings.flatMap((s) => folds.map((f) => `${f} ${s.replace('4-way ', '')}`));
const per: string[] = [
  `| method | ${cols.map((c) => `${c} macro (untyped)`).join(' | ')} |`,
  `|---|${cols.map(() => '---:').join('|')}|`,
];
for (const m of methods) {
  const cells = settings.flatMap((s) =>
    folds.map((f) => {
      const x = r.settings[s]?.[m]?.folds?.[f];
      return x
        ? `${(100 * (x['macroF1']?.mean ?? 0)).toFixed(1)} (${(100 * (x['untypedF1']?.mean ?? 0)).toFixed(1)})`
        : '–';
    }),
  );
  per.push(`| ${m} | ${cells.join(' | ')} |`);
}
console.log(`\n${per.join('\n')}`);
const cmds = (r.commands ?? [r.command]).map((c) => `\`${c}\``).join(', then ');
console.log(
  `\n${r.complete ? '' : '(INCOMPLETE) '}${cmds} — commit ${r.commit}, ${r.date.slice(0, 10)}, backend ${r.backend}`,
);
