// Recent real events of a bus, newest first, for picking a sample in the editor's test run.
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';
import { parseEntry, type StoredEvent } from '../../store/event-store.ts';

export interface RecentBusEvent {
  bus: string;
  streamId: string;
  acceptedAt: string;
  via: string;
  event: StoredEvent;
}

/** How far back one call looks for events that pass the `via` filter. */
export const RECENT_SCAN_LIMIT = 2000;

/** The newest `limit` events of `bus` (only those that came in through `via`, when given: `webhook:<id>` or `events`). */
export async function listRecentBusEvents(redis: Redis, keys: Keys, bus: string, limit: number, via?: string): Promise<RecentBusEvent[]> {
  const out: RecentBusEvent[] = [];
  let end = '+';
  let scanned = 0;
  while (out.length < limit && scanned < RECENT_SCAN_LIMIT) {
    const count = Math.min(200, RECENT_SCAN_LIMIT - scanned);
    const rows = await redis.xrevrange(keys.busLog(bus), end, '-', 'COUNT', count);
    if (!rows.length) break;
    scanned += rows.length;
    for (const [streamId, fields] of rows) {
      const entry = parseEntry(bus, streamId, fields);
      if (!entry || (via !== undefined && entry.meta.via !== via)) continue;
      out.push({ bus, streamId, acceptedAt: new Date(entry.meta.at).toISOString(), via: entry.meta.via, event: entry.event });
      if (out.length >= limit) break;
    }
    end = `(${rows[rows.length - 1]![0]}`;
    if (rows.length < count) break;
  }
  return out;
}
