import type { EvalReport } from '@nerima/eval';
import { describe, expect, it } from 'vitest';
import { parseReport, perTypeSvg, reportHtml } from './report-view.js';

const m = (mean: number, n = 4, ci95: number | null = 0.05) => ({ n, mean, std: 0.1, ci95 });
const report = {
  format: 'nerima-eval-report',
  version: 1,
  title: 'demo <run>',
  createdAt: '2026-11-26T00:00:00.000Z',
  meta: {},
  runs: [
    {
      method: 'maml-protonet++',
      setting: '2-way 1-shot',
      result: {
        learner: 'maml-protonet++',
        episodes: [{}, {}, {}, {}],
        summary: {
          microF1: m(0.5),
          macroF1: m(0.4),
          startAccuracy: m(0.8),
          endAccuracy: m(0.7),
          spanAccuracy: m(0.6),
        },
        perType: { PERSON: m(0.75), EVENT: m(0.25, 1, null) },
        pooled: {},
      },
    },
  ],
};

describe('parseReport', () => {
  it('accepts a nerima eval report', () => {
    expect(parseReport(JSON.stringify(report)).runs).toHaveLength(1);
  });

  it('names what is wrong: not JSON, another format, a version, no runs', () => {
    expect(() => parseReport('{', 'r.json')).toThrow(/r\.json: not JSON/);
    expect(() => parseReport('{"format":"x"}')).toThrow(/not a nerima eval report \(format "x"\)/);
    expect(() => parseReport(JSON.stringify({ ...report, version: 2 }))).toThrow(/version 2/);
    expect(() => parseReport(JSON.stringify({ ...report, runs: [] }))).toThrow(/no runs/);
    expect(() => parseReport(JSON.stringify({ ...report, runs: [{ result: {} }] }))).toThrow(/runs\[0\]/);
  });
});

describe('report view', () => {
  it('draws one bar per type, sorted, with width proportional to F1', () => {
    const svg = perTypeSvg(report.runs[0]!.result.perType);
    expect(svg.indexOf('data-type="EVENT"')).toBeLessThan(svg.indexOf('data-type="PERSON"'));
    expect(svg).toContain('width="225.0"'); // 0.75 × 300
    expect(svg).toContain('width="75.0"');
    expect(svg).toContain('75.0 ± 5.0');
    expect(svg).toContain('>25.0</text>'); // n = 1: no interval
  });

  it('tabulates micro/macro F1 and boundary accuracies, escaping the title', () => {
    const html = reportHtml(report as unknown as EvalReport);
    expect(html).toContain('<h3>demo &#60;run&#62;</h3>');
    expect(html).toContain('<td>80.0 ± 5.0</td><td>70.0 ± 5.0</td><td>60.0 ± 5.0</td><td>4</td>');
  });
});
