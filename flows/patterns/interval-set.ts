// Intervals (numbers, or fixed-width hex strings for IP addresses) with a target each, and
// the query "which targets' intervals contain this value". Boundaries are sorted into
// elementary slots and the intervals stored in a segment tree over the slots, so a query
// costs O(log n + answers) whatever the overlap. The tree is rebuilt on the first query
// after a change: rules change at deploy time, events arrive all the time.

/** One interval; open ends exclude the boundary. */
export interface Interval<V extends number | string> {
  readonly low: V;
  readonly lowOpen: boolean;
  readonly high: V;
  readonly highOpen: boolean;
}

interface Entry<V extends number | string, T> {
  readonly interval: Interval<V>;
  readonly target: T;
}

export class IntervalSet<V extends number | string, T> {
  private entries: Entry<V, T>[] = [];
  private built = false;
  private points: V[] = [];
  private leafBase = 1;
  private nodes: (T[] | undefined)[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Adds an interval leading to a target (the same pair may be added more than once). */
  add(interval: Interval<V>, target: T): void {
    this.entries.push({ interval, target });
    this.built = false;
  }

  /** Removes one occurrence of an equal interval with this target. */
  remove(interval: Interval<V>, target: T): void {
    const i = this.entries.findIndex((e) => e.target === target && sameInterval(e.interval, interval));
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.built = false;
  }

  /** Writes every target whose interval contains the value into `out` from `n` on; returns the new count. */
  collect(value: V, out: T[], n: number): number {
    if (this.entries.length === 0) return n;
    if (!this.built) this.build();
    const points = this.points;
    // Slot 2i+1 is the point points[i]; slot 2i is the gap just below it.
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((points[mid] as V) < value) lo = mid + 1;
      else hi = mid;
    }
    const slot = lo < points.length && points[lo] === value ? 2 * lo + 1 : 2 * lo;
    for (let node = slot + this.leafBase; node >= 1; node >>= 1) {
      const targets = this.nodes[node];
      if (targets !== undefined) for (let i = 0; i < targets.length; i++) out[n++] = targets[i] as T;
    }
    return n;
  }

  private build(): void {
    const distinct = new Set<V>();
    for (const { interval } of this.entries) {
      distinct.add(interval.low);
      distinct.add(interval.high);
    }
    const points = [...distinct].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const slotOf = new Map<V, number>();
    points.forEach((p, i) => slotOf.set(p, 2 * i + 1));
    const slots = 2 * points.length + 1;
    let leafBase = 1;
    while (leafBase < slots) leafBase <<= 1;
    const nodes: (T[] | undefined)[] = new Array<T[] | undefined>(2 * leafBase);
    for (const { interval, target } of this.entries) {
      const lowSlot = (slotOf.get(interval.low) as number) + (interval.lowOpen ? 1 : 0);
      const highSlot = (slotOf.get(interval.high) as number) - (interval.highOpen ? 1 : 0);
      if (lowSlot > highSlot) continue;
      // Canonical cover of [lowSlot, highSlot] by tree nodes.
      let l = lowSlot + leafBase;
      let r = highSlot + leafBase + 1;
      while (l < r) {
        if (l & 1) {
          (nodes[l] ??= []).push(target);
          l++;
        }
        if (r & 1) {
          r--;
          (nodes[r] ??= []).push(target);
        }
        l >>= 1;
        r >>= 1;
      }
    }
    this.points = points;
    this.leafBase = leafBase;
    this.nodes = nodes;
    this.built = true;
  }
}

function sameInterval<V extends number | string>(a: Interval<V>, b: Interval<V>): boolean {
  return a.low === b.low && a.high === b.high && a.lowOpen === b.lowOpen && a.highOpen === b.highOpen;
}
