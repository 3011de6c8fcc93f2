import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from './metrics.js';

describe('Prometheus registry', () => {
  it('renders counters, cumulative histograms and gauges in the text format', () => {
    const r = new Registry();
    const c = r.register(new Counter('reqs_total', 'Requests.'));
    const h = r.register(new Histogram('lat_seconds', 'Latency.', [0.1, 1]));
    let g: number | undefined = 3;
    r.register(new Gauge('things', 'Things.', () => g));
    c.inc({ route: '/a', status: '200' });
    c.inc({ route: '/a', status: '200' }, 2);
    c.inc({ route: 'say "hi"\n\\' });
    h.observe({ route: '/a' }, 0.05);
    h.observe({ route: '/a' }, 0.5);
    h.observe({ route: '/a' }, 5);
    expect(c.get({ route: '/a', status: '200' })).toBe(3);
    expect(r.render()).toBe(
      [
        '# HELP reqs_total Requests.',
        '# TYPE reqs_total counter',
        'reqs_total{route="/a",status="200"} 3',
        'reqs_total{route="say \\"hi\\"\\n\\\\"} 1',
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{route="/a",le="0.1"} 1',
        'lat_seconds_bucket{route="/a",le="1"} 2',
        'lat_seconds_bucket{route="/a",le="+Inf"} 3',
        'lat_seconds_sum{route="/a"} 5.55',
        'lat_seconds_count{route="/a"} 3',
        '# HELP things Things.',
        '# TYPE things gauge',
        'things 3',
        '',
      ].join('\n'),
    );
    g = undefined;
    expect(r.render()).not.toContain('things');
  });
});
