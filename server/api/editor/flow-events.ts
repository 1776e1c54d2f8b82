// A flow's recent events with what became of each, derived from their traces: the router
// keeps the list (`keys.flowRecentEvents`), the router and workers write the traces.
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';
import { parseEntry, type TraceEntry } from '../../store/event-store.ts';

export type FlowEventStatus = 'pending' | 'filtered' | 'retrying' | 'delivered' | 'dead-lettered' | 'partial';
type DeliveryState = 'filtered' | 'pending' | 'retrying' | 'delivered' | 'dead-lettered';

export interface FlowEventItem {
  bus: string;
  streamId: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  acceptedAt: string;
  via: string;
  status: FlowEventStatus;
  deliveries: { delivered: number; retrying: number; deadLettered: number; filtered: number; pending: number };
  attempts: number;
  lastError?: string;
}

export interface EventOutcome {
  status: FlowEventStatus;
  deliveries: FlowEventItem['deliveries'];
  attempts: number;
  lastError?: string;
}

/**
 * What became of one event in one flow, from its trace. Each rule of the flow is one
 * delivery (its redrives continue it); an event the router has not seen yet is pending,
 * and one routed without a delivery in this flow was filtered out (its lead filter, which
 * the router's index applies, did not match).
 */
export function deriveEventOutcome(trace: readonly TraceEntry[], flowId: string): EventOutcome {
  const byRule = new Map<string, DeliveryState>();
  let routed = false;
  let attempts = 0;
  let lastError: string | undefined;
  for (const t of [...trace].sort((a, b) => a.t - b.t)) {
    if (t.kind === 'routed') routed = true;
    if (t.flowId !== flowId || !t.ruleId) continue;
    switch (t.kind) {
      case 'filtered':
        byRule.set(t.ruleId, 'filtered');
        break;
      case 'matched':
      case 'enqueued':
      case 'redriven':
        byRule.set(t.ruleId, 'pending');
        break;
      case 'attempt':
        attempts++;
        if (t.ok === true) byRule.set(t.ruleId, 'delivered');
        else {
          byRule.set(t.ruleId, 'retrying');
          lastError = typeof t.error === 'string' ? t.error : typeof t.status === 'number' ? `HTTP ${t.status}` : 'the attempt failed';
        }
        break;
      case 'delivered':
        byRule.set(t.ruleId, 'delivered');
        break;
      case 'dead-lettered':
      case 'transform-error':
        byRule.set(t.ruleId, 'dead-lettered');
        if (typeof t.error === 'string') lastError = t.error;
        break;
    }
  }
  const deliveries = { delivered: 0, retrying: 0, deadLettered: 0, filtered: 0, pending: 0 };
  for (const s of byRule.values()) {
    if (s === 'dead-lettered') deliveries.deadLettered++;
    else deliveries[s]++;
  }
  const live = deliveries.delivered + deliveries.retrying + deliveries.deadLettered + deliveries.pending;
  let status: FlowEventStatus;
  if (!routed) status = 'pending';
  else if (live === 0) status = 'filtered';
  else if (deliveries.retrying) status = 'retrying';
  else if (deliveries.pending) status = 'pending';
  else if (deliveries.deadLettered && deliveries.delivered) status = 'partial';
  else if (deliveries.deadLettered) status = 'dead-lettered';
  else status = 'delivered';
  const out: EventOutcome = { status, deliveries, attempts };
  if (lastError !== undefined && status !== 'delivered') out.lastError = lastError;
  return out;
}

/** The newest `limit` events that reached a flow, newest first, each with its outcome. */
export async function listFlowEvents(redis: Redis, keys: Keys, flowId: string, limit: number): Promise<FlowEventItem[]> {
  const refs = [...new Set(await redis.lrange(keys.flowRecentEvents(flowId), 0, limit * 2 - 1))].slice(0, limit);
  if (!refs.length) return [];
  const pipe = redis.pipeline();
  const parsed = refs.map((ref) => {
    const bar = ref.indexOf('|');
    return { bus: ref.slice(0, bar), streamId: ref.slice(bar + 1) };
  });
  for (const { bus, streamId } of parsed) {
    pipe.xrange(keys.busLog(bus), streamId, streamId);
    pipe.lrange(keys.trace(bus, streamId), 0, -1);
  }
  const results = (await pipe.exec()) ?? [];
  const items: FlowEventItem[] = [];
  parsed.forEach(({ bus, streamId }, i) => {
    const [rowErr, rows] = results[i * 2] ?? [];
    const [traceErr, traceRows] = results[i * 2 + 1] ?? [];
    const row = !rowErr ? (rows as [string, string[]][] | undefined)?.[0] : undefined;
    // The bus log may have been trimmed past this event; it is no longer shown.
    const entry = row ? parseEntry(bus, row[0], row[1]) : undefined;
    if (!entry) return;
    const trace = !traceErr ? ((traceRows as string[] | undefined) ?? []).map((r) => JSON.parse(r) as TraceEntry) : [];
    const outcome = deriveEventOutcome(trace, flowId);
    const item: FlowEventItem = {
      bus,
      streamId,
      id: entry.event.id,
      source: entry.event.source,
      type: entry.event.type,
      acceptedAt: new Date(entry.meta.at).toISOString(),
      via: entry.meta.via,
      ...outcome,
    };
    if (typeof entry.event.subject === 'string') item.subject = entry.event.subject;
    items.push(item);
  });
  return items;
}
