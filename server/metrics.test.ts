// Metrics: counters, histograms and gauges rendered in the Prometheus text format.

import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';

const lines = (m: Metrics) => m.render().split('\n');

describe('Metrics', () => {
  it('renders nothing but a final newline when empty', () => {
    expect(new Metrics().render()).toBe('\n');
  });

  describe('counters', () => {
    it('renders HELP, TYPE and one line per label set', () => {
      const m = new Metrics();
      m.describe('flowbridge_events_total', 'Events accepted');
      m.inc('flowbridge_events_total', { endpoint: 'webhook' });
      m.inc('flowbridge_events_total', { endpoint: 'webhook' }, 2);
      m.inc('flowbridge_events_total', { endpoint: 'events' });
      expect(m.render()).toBe(
        [
          '# HELP flowbridge_events_total Events accepted',
          '# TYPE flowbridge_events_total counter',
          'flowbridge_events_total{endpoint="webhook"} 3',
          'flowbridge_events_total{endpoint="events"} 1',
          '',
        ].join('\n'),
      );
    });

    it('renders a counter without labels as a bare name, and without HELP when not described', () => {
      const m = new Metrics();
      m.inc('flowbridge_router_errors_total');
      expect(m.render()).toBe('# TYPE flowbridge_router_errors_total counter\nflowbridge_router_errors_total 1\n');
    });

    it('keeps several labels in the order given, numbers as text', () => {
      const m = new Metrics();
      m.inc('x_total', { code: 'ERR_X', status: 400 });
      expect(lines(m)).toContain('x_total{code="ERR_X",status="400"} 1');
    });

    it('reads back the value of one series, 0 for an unknown one', () => {
      const m = new Metrics();
      m.inc('d_total', { outcome: 'delivered' }, 5);
      m.inc('d_total', { outcome: 'failed' });
      expect(m.value('d_total', { outcome: 'delivered' })).toBe(5);
      expect(m.value('d_total', { outcome: 'failed' })).toBe(1);
      expect(m.value('d_total', { outcome: 'other' })).toBe(0);
      expect(m.value('nope_total')).toBe(0);
    });

    // Bug: the series key is the label text in insertion order, so the same label set given
    // in another order becomes a second series with the same labels, which Prometheus
    // rejects as a duplicate sample.
    it('counts a series once whatever the order its labels are given in', () => {
      const m = new Metrics();
      m.inc('y_total', { a: '1', b: '2' });
      m.inc('y_total', { b: '2', a: '1' });
      expect(m.value('y_total', { a: '1', b: '2' })).toBe(2);
    });
  });

  describe('label escaping', () => {
    const rows: [raw: string, escaped: string][] = [
      ['plain', 'plain'],
      ['say "hi"', 'say \\"hi\\"'],
      ['C:\\temp', 'C:\\\\temp'],
      ['two\nlines', 'two\\nlines'],
      ['\\"', '\\\\\\"'],
      ['\\n', '\\\\n'],
      ['ünïcode ✓', 'ünïcode ✓'],
    ];
    it.each(rows)('escapes %j as %j', (raw, escaped) => {
      const m = new Metrics();
      m.inc('e_total', { v: raw });
      expect(lines(m)).toContain(`e_total{v="${escaped}"} 1`);
      expect(m.value('e_total', { v: raw })).toBe(1);
    });

    it('keeps every escaped series on its own line', () => {
      const m = new Metrics();
      m.inc('e_total', { v: 'a\nb' });
      m.inc('e_total', { v: 'c' });
      expect(m.render().trimEnd().split('\n')).toHaveLength(3);
    });
  });

  describe('histograms', () => {
    const BOUNDS = ['5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '10000', '30000', '60000'];

    it('renders cumulative buckets, +Inf, sum and count', () => {
      const m = new Metrics();
      m.describe('lat_ms', 'Latency');
      for (const v of [3, 5, 7, 120, 70_000]) m.observe('lat_ms', v);
      const expectedBuckets: Record<string, number> = { 5: 2, 10: 3, 25: 3, 50: 3, 100: 3, 250: 4, 500: 4, 1000: 4, 2500: 4, 5000: 4, 10000: 4, 30000: 4, 60000: 4 };
      expect(m.render()).toBe(
        [
          '# HELP lat_ms Latency',
          '# TYPE lat_ms histogram',
          ...BOUNDS.map((b) => `lat_ms_bucket{le="${b}"} ${expectedBuckets[b]}`),
          'lat_ms_bucket{le="+Inf"} 5',
          'lat_ms_sum 70135',
          'lat_ms_count 5',
          '',
        ].join('\n'),
      );
    });

    it('counts a value equal to a bound in that bucket (le is inclusive)', () => {
      const m = new Metrics();
      m.observe('b_ms', 10);
      expect(lines(m)).toContain('b_ms_bucket{le="5"} 0');
      expect(lines(m)).toContain('b_ms_bucket{le="10"} 1');
    });

    it('never has a bucket larger than a later one', () => {
      const m = new Metrics();
      for (let i = 0; i < 500; i++) m.observe('h_ms', (i * 137) % 80_000);
      const counts = lines(m).filter((l) => l.startsWith('h_ms_bucket')).map((l) => Number(l.split(' ')[1]));
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
      expect(counts.at(-1)).toBe(500);
    });
  });

  describe('gauges', () => {
    it('reads the gauge each time metrics are rendered', () => {
      const m = new Metrics();
      let queued = 3;
      m.describe('queue_depth', 'Jobs waiting');
      m.gauge('queue_depth', () => queued);
      expect(m.render()).toBe('# HELP queue_depth Jobs waiting\n# TYPE queue_depth gauge\nqueue_depth 3\n');
      queued = 9;
      expect(lines(m)).toContain('queue_depth 9');
    });

    it('replaces the reader when a gauge is registered again', () => {
      const m = new Metrics();
      m.gauge('g', () => 1);
      m.gauge('g', () => 2);
      expect(lines(m).filter((l) => l.startsWith('g '))).toEqual(['g 2']);
    });
  });

  it('renders counters, then histograms, then gauges', () => {
    const m = new Metrics();
    m.gauge('c_gauge', () => 0);
    m.observe('b_hist', 1);
    m.inc('a_total');
    const types = lines(m).filter((l) => l.startsWith('# TYPE'));
    expect(types).toEqual(['# TYPE a_total counter', '# TYPE b_hist histogram', '# TYPE c_gauge gauge']);
  });
});
