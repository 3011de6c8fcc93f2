/**
 * The eval report of a run folder (`report.json`, format `nerima-eval-report` v1, written by
 * `nerima eval` / `nerima pipeline`): checks it and renders per-type F1 bars (SVG) and the
 * boundary accuracies (start, end, span) of every run. Pure string functions.
 */
import type { EvalReport, MetricSummary } from '@nerima/eval';
import { escapeHtml } from './render.js';

/** Parses and checks a report; throws an error naming what is wrong. */
export function parseReport(text: string, name = 'report.json'): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name}: not JSON (${(err as Error).message}); choose the report.json of a run folder`);
  }
  const r = value as Partial<EvalReport> | null;
  if (!r || typeof r !== 'object' || r.format !== 'nerima-eval-report') {
    throw new Error(
      `${name}: not a nerima eval report (format ${JSON.stringify(r && typeof r === 'object' ? r.format : r)}); ` +
        'choose the report.json that nerima eval or nerima pipeline wrote in a run folder',
    );
  }
  if (r.version !== 1)
    throw new Error(`${name}: report version ${String(r.version)}, this page reads version 1`);
  if (!Array.isArray(r.runs) || r.runs.length === 0) throw new Error(`${name}: the report has no runs`);
  r.runs.forEach((run, i) => {
    if (!run?.result?.summary || !run.result.perType) {
      throw new Error(`${name}: runs[${i}] has no result.summary or result.perType`);
    }
  });
  return r as EvalReport;
}

const pct = (s: MetricSummary | undefined) =>
  s && s.n > 0 && Number.isFinite(s.mean) ? `${(100 * s.mean).toFixed(1)}` : '—';
const pctCi = (s: MetricSummary | undefined) =>
  s && s.ci95 !== null && s.n > 1 ? `${pct(s)} ± ${(100 * s.ci95).toFixed(1)}` : pct(s);

/** Horizontal bars of per-type F1 (0–100) for one run, as an SVG string. */
export function perTypeSvg(perType: Record<string, MetricSummary>): string {
  const types = Object.keys(perType).sort();
  const rowH = 22;
  const labelW = 130;
  const barW = 300;
  const h = types.length * rowH + 24;
  let rows = '';
  types.forEach((t, i) => {
    const s = perType[t];
    const v = s && s.n > 0 && Number.isFinite(s.mean) ? Math.max(0, Math.min(1, s.mean)) : 0;
    const y = i * rowH + 4;
    rows +=
      `<g class="bar" data-type="${escapeHtml(t)}" data-f1="${pct(s)}">` +
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(t)}</text>` +
      `<rect x="${labelW}" y="${y}" width="${(v * barW).toFixed(1)}" height="${rowH - 6}" fill="#4c78a8"/>` +
      `<text x="${labelW + v * barW + 4}" y="${y + 14}">${pctCi(s)}</text></g>`;
  });
  const axisY = types.length * rowH + 8;
  let axis = `<line x1="${labelW}" y1="${axisY}" x2="${labelW + barW}" y2="${axisY}" stroke="#888"/>`;
  for (const tick of [0, 25, 50, 75, 100]) {
    const x = labelW + (tick / 100) * barW;
    axis += `<text x="${x}" y="${axisY + 14}" text-anchor="middle" class="tick">${tick}</text>`;
  }
  return (
    `<svg class="f1-chart" role="img" aria-label="per-type F1" width="${labelW + barW + 90}" height="${h}" ` +
    `font-size="12" font-family="sans-serif">${rows}${axis}</svg>`
  );
}

/** The whole report view: title, and per run its micro/macro F1, boundary accuracy and F1 chart. */
export function reportHtml(report: EvalReport): string {
  let html = `<h3>${escapeHtml(report.title)}</h3><p class="muted">created ${escapeHtml(report.createdAt)}</p>`;
  html +=
    '<table class="boundary"><thead><tr><th>method</th><th>setting</th><th>micro F1</th><th>macro F1</th>' +
    '<th>start acc.</th><th>end acc.</th><th>span acc.</th><th>episodes</th></tr></thead><tbody>';
  for (const run of report.runs) {
    const s = run.result.summary;
    html +=
      `<tr><td>${escapeHtml(run.method)}</td><td>${escapeHtml(run.setting)}</td><td>${pctCi(s.microF1)}</td>` +
      `<td>${pctCi(s.macroF1)}</td><td>${pctCi(s.startAccuracy)}</td><td>${pctCi(s.endAccuracy)}</td>` +
      `<td>${pctCi(s.spanAccuracy)}</td><td>${run.result.episodes?.length ?? s.microF1?.n ?? '—'}</td></tr>`;
  }
  html +=
    '</tbody></table><p class="muted">Boundary accuracy: share of gold mentions whose start / end / both are predicted (any type); mean ± 95% CI over episodes.</p>';
  for (const run of report.runs) {
    html += `<h4>Per-type F1 — ${escapeHtml(run.method)}, ${escapeHtml(run.setting)}</h4>${perTypeSvg(run.result.perType)}`;
  }
  return html;
}
