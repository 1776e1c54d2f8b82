// The flows list's columns that the flow API does not give: when each flow last saw an
// event, and how many of its deliveries sit in the dead letters.
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';

export interface FlowStats {
  flowId: string;
  lastEventAt: string | undefined;
  deadLetters: number;
}

/** Dead letters scanned at most per count; past it the counts say "at least". */
export const DEAD_LETTER_SCAN_LIMIT = 20_000;

/** Time of a bus log entry from its stream id (`<ms>-<seq>`). */
export function streamIdTime(streamId: string): string | undefined {
  const ms = Number(streamId.split('-')[0]);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** Dead letters per flow id, newest DEAD_LETTER_SCAN_LIMIT considered. */
export async function countDeadLettersByFlow(redis: Redis, keys: Keys): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const ids = await redis.zrevrange(keys.deadLetterIndex, 0, DEAD_LETTER_SCAN_LIMIT - 1);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await redis.mget(ids.slice(i, i + 500).map((id) => keys.deadLetter(id)));
    for (const row of rows) {
      const flowId = row ? flowIdOf(row) : undefined;
      if (flowId) counts.set(flowId, (counts.get(flowId) ?? 0) + 1);
    }
  }
  return counts;
}

function flowIdOf(json: string): string | undefined {
  try {
    const id = (JSON.parse(json) as { delivery?: { flowId?: unknown } }).delivery?.flowId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    // A dead letter that does not parse belongs to no flow we can name; it is not counted.
    return undefined;
  }
}

/** Stats of every stored flow. */
export async function listFlowStats(redis: Redis, keys: Keys): Promise<FlowStats[]> {
  const flowIds = await redis.hkeys(keys.flows);
  const pipe = redis.pipeline();
  for (const id of flowIds) pipe.lindex(keys.flowRecentEvents(id), 0);
  const [heads, deadLetters] = await Promise.all([pipe.exec(), countDeadLettersByFlow(redis, keys)]);
  return flowIds.map((flowId, i) => {
    const ref = heads?.[i]?.[1];
    const streamId = typeof ref === 'string' ? ref.slice(ref.indexOf('|') + 1) : undefined;
    return { flowId, lastEventAt: streamId ? streamIdTime(streamId) : undefined, deadLetters: deadLetters.get(flowId) ?? 0 };
  });
}
