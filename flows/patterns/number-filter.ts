// The union of the numeric tests of one field, for reading events: when every test of a
// field across an index is `numeric` or an exact number, an event value outside the union
// of their intervals can pass none of them, so the readers drop it before it costs a leaf
// object, array-membership bookkeeping and index lookups. Coordinates are the typical case:
// thousands of numbers, of which the rules want a few.

import type { NumericRange } from './numeric-range.ts';

/** Which numbers may pass one of a set of numeric intervals; one binary search per value. */
export class NumberFilter {
  private constructor(
    /** Distinct interval ends, ascending. */
    private readonly points: Float64Array,
    /** Slot 2i+1 is the point points[i], slot 2i the gap just below it: 1 where some interval covers the slot. */
    private readonly covered: Uint8Array,
  ) {}

  /** The filter accepting exactly the numbers of the union of the intervals (an exact number v is [v, v]). */
  static of(ranges: Iterable<NumericRange>): NumberFilter {
    const list = [...ranges];
    const distinct = new Set<number>();
    for (const r of list) {
      distinct.add(r.low);
      distinct.add(r.high);
    }
    const points = Float64Array.from(distinct).sort();
    const slotOf = new Map<number, number>();
    points.forEach((p, i) => slotOf.set(p, 2 * i + 1));
    // A difference array over the slots: +1 where an interval starts, -1 after it ends.
    const delta = new Int32Array(2 * points.length + 2);
    for (const r of list) {
      const low = (slotOf.get(r.low) as number) + (r.lowOpen ? 1 : 0);
      const high = (slotOf.get(r.high) as number) - (r.highOpen ? 1 : 0);
      if (low > high) continue;
      delta[low] = (delta[low] as number) + 1;
      delta[high + 1] = (delta[high + 1] as number) - 1;
    }
    const covered = new Uint8Array(2 * points.length + 1);
    let depth = 0;
    for (let slot = 0; slot < covered.length; slot++) {
      depth += delta[slot] as number;
      covered[slot] = depth > 0 ? 1 : 0;
    }
    return new NumberFilter(points, covered);
  }

  /** Whether the number lies in one of the intervals. */
  accepts(value: number): boolean {
    // Kept apart from IntervalSet's search, which also serves strings: this one stays monomorphic.
    const points = this.points;
    let above = 0; // then the first point above the value
    let end = points.length;
    while (above < end) {
      const mid = (above + end) >> 1;
      if ((points[mid] as number) <= value) above = mid + 1;
      else end = mid;
    }
    // Slot 2i+1 is the point points[i], slot 2i the gap just below it.
    const slot = above > 0 && points[above - 1] === value ? 2 * above - 1 : 2 * above;
    return this.covered[slot] === 1;
  }
}
