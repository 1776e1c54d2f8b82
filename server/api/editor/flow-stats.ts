// The flows list's columns that the flow API does not give: when each flow last saw an
// event, and how many of its deliveries sit in the dead letters.
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';

export interface FlowStats {
  flowId: string;
  lastEventAt: string | undefined;
  deadLetters: number;
}

/** Time of a bus log entry from its stream id (`<ms>-<seq>`). */
export function streamIdTime(streamId: string): string | undefined {
  const ms = Number(streamId.split('-')[0]);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** Stats of every stored flow. */
export async function listFlowStats(redis: Redis, keys: Keys): Promise<FlowStats[]> {
  const flowIds = await redis.hkeys(keys.flows);
  const pipe = redis.pipeline();
  // Per flow: the newest entry of its recent-events list, and the size of its dead-letter index.
  for (const id of flowIds) {
    pipe.lindex(keys.flowRecentEvents(id), 0);
    pipe.zcard(keys.deadLetterIndexBy('flow', id));
  }
  const rows = (await pipe.exec()) ?? [];
  return flowIds.map((flowId, i) => {
    const ref = rows[i * 2]?.[1];
    const streamId = typeof ref === 'string' ? ref.slice(ref.indexOf('|') + 1) : undefined;
    const count = rows[i * 2 + 1]?.[1];
    return { flowId, lastEventAt: streamId ? streamIdTime(streamId) : undefined, deadLetters: typeof count === 'number' ? count : 0 };
  });
}
