import cronParser from 'cron-parser';

// cron-parser is CommonJS without detectable named exports: take the function off the default.
const { parseExpression } = cronParser;

/** The ticks of `cron` in `timeZone` strictly after `after`, at most `count`. Throws on a bad expression or zone. */
export function computeNextTicks(cron: string, timeZone: string, after: Date, count: number): Date[] {
  const it = parseExpression(cron, { currentDate: after, tz: timeZone });
  const out: Date[] = [];
  while (out.length < count) {
    const next = it.next().toDate();
    if (next.getTime() > after.getTime()) out.push(next);
  }
  return out;
}

/** The latest ticks in (`after`, `until`], newest last, at most `limit` (older missed ticks are dropped). */
export function computeDueTicks(cron: string, timeZone: string, after: Date, until: Date, limit: number): Date[] {
  // Walk backwards from `until` so a long outage of a per-second cron costs `limit` steps, not millions.
  const it = parseExpression(cron, { currentDate: new Date(until.getTime() + 1), tz: timeZone });
  const out: Date[] = [];
  while (out.length < limit) {
    let prev: Date;
    try {
      prev = it.prev().toDate();
    } catch {
      break; // out of the expression's range
    }
    if (prev.getTime() <= after.getTime()) break;
    if (prev.getTime() <= until.getTime()) out.push(prev);
  }
  return out.reverse();
}

/** Why a cron expression or time zone is unusable, or undefined when both are fine. */
export function explainCronProblem(cron: unknown, timeZone: unknown): { field: 'cron' | 'timeZone'; message: string } | undefined {
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) return { field: 'timeZone', message: `"${String(timeZone)}" is not an IANA time zone` };
  if (typeof cron !== 'string' || !cron.trim()) return { field: 'cron', message: 'a cron expression is required' };
  const fields = cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return { field: 'cron', message: `a cron expression has 5 fields (or 6 with seconds first), not ${fields}` };
  try {
    parseExpression(cron, { tz: timeZone }).next();
    return undefined;
  } catch (err) {
    return { field: 'cron', message: err instanceof Error ? err.message : String(err) };
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
