/**
 * Run-folder reports: `report.json` (everything), `report.md` (tables) and `report.svg`
 * (a self-contained bar chart), written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@nerima/core';
import type { ProtocolResult } from './protocol.js';
import type { MetricSummary } from './stats.js';

/** One protocol result, labelled for the report. */
export interface ReportRun {
  /** The method, e.g. `lexicon` or `maml-protonet++`. */
  method: string;
  /** The setting, e.g. `5-way 1-shot`. */
  setting: string;
  result: ProtocolResult;
}

/** The content of `report.json`. */
export interface EvalReport {
  format: 'nerima-eval-report';
  version: 1;
  title: string;
  /** ISO 8601 time the report was built. */
  createdAt: string;
  /** Free-form provenance: command, commit, dataset, backend… (shown in report.md). */
  meta: Record<string, unknown>;
  runs: ReportRun[];
}

/** Options of {@link buildReport}. */
export interface BuildReportOptions {
  /** Default `nerima evaluation`. */
  title?: string;
  /** Default: now. */
  createdAt?: string;
  meta?: Record<string, unknown>;
}

/** Assembles a report from protocol results (one per method × setting). */
export function buildReport(runs: readonly ReportRun[], options: BuildReportOptions = {}): EvalReport {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError('buildReport: no runs; pass one { method, setting, result } per method × setting');
  }
  runs.forEach((r, i) => {
    if (typeof r?.method !== 'string' || r.method === '')
      throw new TypeError(`runs[${i}].method must be a string`);
    if (typeof r.setting !== 'string' || r.setting === '')
      throw new TypeError(`runs[${i}].setting must be a string`);
    if (r.result?.summary?.macroF1 === undefined) {
      throw new TypeError(
        `runs[${i}].result is not a ProtocolResult (no summary.macroF1); pass runEpisodes' result`,
      );
    }
  });
  return {
    format: 'nerima-eval-report',
    version: 1,
    title: options.title ?? 'nerima evaluation',
    createdAt: options.createdAt ?? new Date().toISOString(),
    meta: { ...options.meta },
    runs: runs.map((r) => ({ method: r.method, setting: r.setting, result: r.result })),
  };
}

/** Types seen in any run, sorted. */
function reportTypes(report: EvalReport): string[] {
  const types = new Set<string>();
  for (const r of report.runs) for (const t of Object.keys(r.result.perType)) types.add(t);
  return [...types].sort();
}

function pct(x: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(2) : '—';
}

function pctCi(s: MetricSummary | undefined): string {
  if (s === undefined || s.n === 0) return '—';
  return s.ci95 === null ? pct(s.mean) : `${pct(s.mean)} ± ${pct(s.ci95)}`;
}

function ms(s: MetricSummary): string {
  return Number.isFinite(s.mean) ? s.mean.toFixed(1) : '—';
}

function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map(mdCell).join(' | ')} |`;
}

/** Renders `report.md`: a summary table (method × setting), per-type F1 and pooled counts. */
export function renderMarkdown(report: EvalReport): string {
  const lines: string[] = [`# ${mdCell(report.title)}`, '', `Created ${report.createdAt}.`, ''];
  const meta = Object.entries(report.meta);
  if (meta.length > 0) {
    for (const [k, v] of meta)
      lines.push(`- **${mdCell(k)}**: ${mdCell(typeof v === 'string' ? v : JSON.stringify(v))}`);
    lines.push('');
  }
  lines.push(
    'Scores are ×100. Per-episode metrics are averaged over episodes; `±` is the half-width of the 95% confidence',
    'interval of that mean (Student t with n − 1 degrees of freedom). Macro F1 averages the per-type F1 over each',
    "episode's N types; micro F1 pools the episode's counts; start/end accuracy is the fraction of gold entities",
    'with a prediction (any type) that starts/ends at the same offset.',
    '',
    '## Summary',
    '',
    mdRow([
      'Method',
      'Setting',
      'Episodes',
      'Macro F1',
      'Micro F1',
      'Start acc',
      'End acc',
      'Adapt ms',
      'Predict ms',
    ]),
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const { method, setting, result } of report.runs) {
    const s = result.summary;
    lines.push(
      mdRow([
        method,
        setting,
        String(result.episodes.length),
        pctCi(s.macroF1),
        pctCi(s.microF1),
        pct(s.startAccuracy.mean),
        pct(s.endAccuracy.mean),
        ms(s.adaptMs),
        ms(s.predictMs),
      ]),
    );
  }

  const types = reportTypes(report);
  if (types.length > 0) {
    lines.push(
      '',
      '## Per-type F1',
      '',
      "Mean of the type's per-episode F1 over the episodes that include it, ± 95% CI; — where a run never had the type.",
      '',
      mdRow(['Method', 'Setting', ...types]),
      `|---|---|${types.map(() => '---:|').join('')}`,
    );
    for (const { method, setting, result } of report.runs) {
      lines.push(mdRow([method, setting, ...types.map((t) => pctCi(result.perType[t]))]));
    }
  }

  lines.push(
    '',
    '## Pooled over all episodes',
    '',
    'Counts summed over every query sentence of every episode, then scored once.',
    '',
    mdRow(['Method', 'Setting', 'Gold', 'Predicted', 'Precision', 'Recall', 'Micro F1', 'Untyped F1']),
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const { method, setting, result } of report.runs) {
    const p = result.pooled;
    lines.push(
      mdRow([
        method,
        setting,
        String(p.gold),
        String(p.predicted),
        pct(p.micro.precision),
        pct(p.micro.recall),
        pct(p.micro.f1),
        pct(p.untyped.f1),
      ]),
    );
  }
  lines.push('');
  return lines.join('\n');
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Rough rendered width in px at 12px: wide for CJK and full-width characters. */
function textWidth(text: string, fontSize = 12): number {
  let w = 0;
  for (const ch of text) w += (ch.codePointAt(0)! >= 0x2e80 ? 1.0 : 0.62) * fontSize;
  return w;
}

function truncate(text: string, max = 24): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Okabe–Ito colour-blind-safe palette. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const FONT =
  'system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", sans-serif';

function f(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/**
 * Renders `report.svg`: grouped bars of each type's mean per-episode F1 and of macro F1, one bar
 * per run (method × setting), with 95% CI whiskers, a 0–100 axis and a legend. Self-contained SVG 1.1.
 */
export function renderSvg(report: EvalReport): string {
  const runs = report.runs;
  const types = reportTypes(report);
  const groups: { label: string; macro: boolean; value: (r: ReportRun) => MetricSummary | undefined }[] = [
    ...types.map((t) => ({ label: t, macro: false, value: (r: ReportRun) => r.result.perType[t] })),
    { label: 'macro F1', macro: true, value: (r: ReportRun) => r.result.summary.macroF1 },
  ];
  const series = runs.length;
  const barW = Math.max(8, Math.min(24, Math.floor(80 / series)));
  const groupW = barW * series + 24;
  const labels = groups.map((g) => truncate(g.label));
  const maxLabel = Math.max(...labels.map((l) => textWidth(l)));
  const rotate = maxLabel > groupW - 6;
  const labelSpace = rotate ? Math.ceil(maxLabel * Math.sin((40 * Math.PI) / 180)) + 28 : 28;

  // Rotated labels end at their group's centre and run down-left: keep the first one inside.
  const firstCentre = 12 + (barW * series) / 2;
  const left = rotate
    ? Math.max(60, Math.ceil(maxLabel * Math.cos((40 * Math.PI) / 180) - firstCentre + 8))
    : 60;
  const top = 64;
  const plotH = 280;
  const plotW = groups.length * groupW;
  const legendTexts = runs.map((r) => `${r.method} — ${r.setting}`);
  const legendW = Math.max(...legendTexts.map((t) => textWidth(t))) + 28;
  const title = truncate(report.title, 80);
  const subtitle = 'Per-type F1 (mean over episodes) and macro F1, ×100; whiskers: 95% CI';
  const width = Math.ceil(
    Math.max(left + plotW + 24, legendW + left, textWidth(title, 15) + 32, textWidth(subtitle) + 32, 360),
  );
  const legendTop = top + plotH + labelSpace + 12;
  const height = legendTop + series * 20 + 12;
  const y = (v: number) => top + plotH * (1 - Math.max(0, Math.min(1, v)));

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${FONT}' font-size="12">`,
    `<title>${xml(report.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="bold" fill="#111111">${xml(title)}</text>`,
    `<text x="16" y="44" fill="#444444">${subtitle}</text>`,
  ];
  // Axis, grid and tick labels.
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    const yy = f(y(v));
    out.push(
      `<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" stroke="${i === 0 ? '#333333' : '#dddddd'}" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${yy}" dy="4" text-anchor="end" fill="#333333">${i * 20}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333333" stroke-width="1"/>`,
    `<text transform="translate(${left - 42} ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333333">F1 (×100)</text>`,
  );
  if (types.length > 0) {
    const xs = left + types.length * groupW;
    out.push(
      `<line x1="${xs}" y1="${top}" x2="${xs}" y2="${top + plotH}" stroke="#999999" stroke-dasharray="4 3"/>`,
    );
  }

  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + 12;
    runs.forEach((r, ri) => {
      const s = g.value(r);
      if (s === undefined || !Number.isFinite(s.mean)) return;
      const x = x0 + ri * barW;
      const color = PALETTE[ri % PALETTE.length]!;
      const ci = s.ci95 === null ? '' : ` ± ${pct(s.ci95)}`;
      const tip = `${r.method} — ${r.setting} — ${g.label}: ${pct(s.mean)}${ci} (n = ${s.n})`;
      // At least 2 px tall, so a score of 0 is visibly different from a type the run never had.
      const h = Math.max(2, y(0) - y(s.mean));
      out.push(
        `<rect class="bar" x="${f(x + 1)}" y="${f(y(0) - h)}" width="${f(barW - 2)}" height="${f(h)}" fill="${color}"><title>${xml(tip)}</title></rect>`,
      );
      if (s.ci95 !== null && s.ci95 > 0) {
        const cx = f(x + barW / 2);
        const lo = f(y(s.mean - s.ci95));
        const hi = f(y(s.mean + s.ci95));
        const cap = Math.max(2, barW / 4);
        out.push(
          `<path class="whisker" d="M${cx} ${lo}V${hi}M${f(x + barW / 2 - cap)} ${lo}H${f(x + barW / 2 + cap)}M${f(x + barW / 2 - cap)} ${hi}H${f(x + barW / 2 + cap)}" stroke="#222222" stroke-width="1.2" fill="none"/>`,
        );
      }
    });
    const lx = f(x0 + (barW * series) / 2);
    const ly = top + plotH + 18;
    const weight = g.macro ? ' font-weight="bold"' : '';
    const full = labels[gi] !== g.label ? `<title>${xml(g.label)}</title>` : '';
    out.push(
      rotate
        ? `<text x="${lx}" y="${ly}" transform="rotate(-40 ${lx} ${ly})" text-anchor="end" fill="#111111"${weight}>${full}${xml(labels[gi]!)}</text>`
        : `<text x="${lx}" y="${ly}" text-anchor="middle" fill="#111111"${weight}>${full}${xml(labels[gi]!)}</text>`,
    );
  });

  legendTexts.forEach((t, i) => {
    const ly = legendTop + i * 20;
    out.push(
      `<rect x="${left}" y="${ly}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${left + 18}" y="${ly + 10}" fill="#111111">${xml(t)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/** Paths written by {@link writeReport}. */
export interface WrittenReport {
  json: string;
  markdown: string;
  svg: string;
}

/**
 * Writes `report.json`, `report.md` and `report.svg` into `dir` (created if missing), each
 * atomically (temporary file, flush, rename). Non-finite numbers become `null` in the JSON.
 */
export async function writeReport(dir: string, report: EvalReport): Promise<WrittenReport> {
  const paths = {
    json: join(dir, 'report.json'),
    markdown: join(dir, 'report.md'),
    svg: join(dir, 'report.svg'),
  };
  await writeFileAtomic(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(paths.markdown, renderMarkdown(report));
  await writeFileAtomic(paths.svg, renderSvg(report));
  return paths;
}
