// Prometheus metrics of this process: counters and latency summaries, rendered as text.
// Kept minimal and dependency-free; every process exposes its own /metrics.

type Labels = Record<string, string | number>;

const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

function labelText(labels: Labels): string {
  // Sorted, so one label set is one series whatever order it was given in.
  const parts = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Counters and histograms of one Metrics, as plain data (sent from delivery threads). */
export interface MetricsSnapshot {
  counters: [name: string, labels: string, value: number][];
  histograms: [name: string, buckets: number[], sum: number, count: number][];
}

export class Metrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly remotes = new Map<string, MetricsSnapshot>();
  private readonly gauges = new Map<string, () => number>();
  private readonly help = new Map<string, string>();

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    let series = this.counters.get(name);
    if (!series) this.counters.set(name, (series = new Map()));
    const key = labelText(labels);
    series.set(key, (series.get(key) ?? 0) + by);
  }

  /** Records one observation (milliseconds) in a histogram. */
  observe(name: string, value: number): void {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (value <= BUCKETS[i]!) h.buckets[i]!++;
    h.sum += value;
    h.count++;
  }

  /** A gauge read when metrics are rendered. */
  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  /** The current value of a counter series, threads included (for tests and health). */
  value(name: string, labels: Labels = {}): number {
    const key = labelText(labels);
    let v = this.counters.get(name)?.get(key) ?? 0;
    for (const snap of this.remotes.values()) for (const [n, l, x] of snap.counters) if (n === name && l === key) v += x;
    return v;
  }

  /** This instance's counters and histograms as plain data. */
  snapshot(): MetricsSnapshot {
    const counters: MetricsSnapshot['counters'] = [];
    for (const [name, series] of this.counters) for (const [labels, v] of series) counters.push([name, labels, v]);
    const histograms: MetricsSnapshot['histograms'] = [...this.histograms].map(([name, h]) => [name, [...h.buckets], h.sum, h.count]);
    return { counters, histograms };
  }

  /** Adds another thread's latest snapshot to what `render` shows (replacing its previous one). */
  setRemote(id: string, snapshot: MetricsSnapshot): void {
    this.remotes.set(id, snapshot);
  }

  render(): string {
    if (this.remotes.size) {
      // Render local and remote values together, on a scratch instance.
      const all = new Metrics();
      for (const [k, v] of this.help) all.help.set(k, v);
      for (const [k, v] of this.gauges) all.gauges.set(k, v);
      for (const snap of [this.snapshot(), ...this.remotes.values()]) {
        for (const [name, labels, v] of snap.counters) {
          let series = all.counters.get(name);
          if (!series) all.counters.set(name, (series = new Map()));
          series.set(labels, (series.get(labels) ?? 0) + v);
        }
        for (const [name, buckets, sum, count] of snap.histograms) {
          let h = all.histograms.get(name);
          if (!h) all.histograms.set(name, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
          buckets.forEach((b, i) => (h!.buckets[i]! += b));
          h.sum += sum;
          h.count += count;
        }
      }
      return all.renderLocal();
    }
    return this.renderLocal();
  }

  private renderLocal(): string {
    const lines: string[] = [];
    const head = (name: string, type: string) => {
      const help = this.help.get(name);
      if (help) lines.push(`# HELP ${name} ${help}`);
      lines.push(`# TYPE ${name} ${type}`);
    };
    for (const [name, series] of this.counters) {
      head(name, 'counter');
      for (const [labels, v] of series) lines.push(`${name}${labels} ${v}`);
    }
    for (const [name, h] of this.histograms) {
      head(name, 'histogram');
      BUCKETS.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${h.buckets[i]}`));
      lines.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
    }
    for (const [name, read] of this.gauges) {
      head(name, 'gauge');
      lines.push(`${name} ${read()}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
