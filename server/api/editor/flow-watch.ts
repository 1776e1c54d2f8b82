// Live updates for the editor: one poller per watched flow (however many browsers watch
// it), reading Redis about once a second and telling listeners only what changed. Nothing
// runs per event, and nothing runs for flows nobody watches.
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys.ts';
import { listFlowEvents, type FlowEventItem } from './flow-events.ts';

export type FlowStreamMessage =
  | { type: 'events'; items: FlowEventItem[] }
  | { type: 'stats'; deadLetters: number; version: number | null; deployedVersion: number | null };

type Listener = (message: FlowStreamMessage) => void;

export interface FlowWatchOptions {
  intervalMs: number;
  eventsLimit: number;
  onError?: (err: unknown) => void;
}

export const DEFAULT_FLOW_WATCH_OPTIONS: FlowWatchOptions = { intervalMs: 1000, eventsLimit: 50 };

interface Watch {
  listeners: Set<Listener>;
  timer: NodeJS.Timeout | undefined;
  polling: boolean;
  last: Partial<Record<FlowStreamMessage['type'], string>>;
  cached: Partial<Record<FlowStreamMessage['type'], FlowStreamMessage>>;
}

function versionOf(json: string | null): number | null {
  if (!json) return null;
  try {
    const v = (JSON.parse(json) as { version?: unknown }).version;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

export class FlowWatcher {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly options: FlowWatchOptions = DEFAULT_FLOW_WATCH_OPTIONS,
  ) {}

  /** Calls `listener` with the flow's current state at once, then with each change; returns the unsubscribe. */
  subscribe(flowId: string, listener: Listener): () => void {
    let watch = this.watches.get(flowId);
    if (!watch) {
      watch = { listeners: new Set(), timer: undefined, polling: false, last: {}, cached: {} };
      this.watches.set(flowId, watch);
      const w = watch;
      w.timer = setInterval(() => void this.poll(flowId, w), this.options.intervalMs);
      w.timer.unref();
    }
    watch.listeners.add(listener);
    for (const message of Object.values(watch.cached)) listener(message);
    if (!watch.cached.events) void this.poll(flowId, watch);
    return () => {
      const w = this.watches.get(flowId);
      if (!w) return;
      w.listeners.delete(listener);
      if (w.listeners.size === 0) {
        clearInterval(w.timer);
        this.watches.delete(flowId);
      }
    };
  }

  /** Flows with at least one listener (for tests and metrics). */
  get watchedFlows(): string[] {
    return [...this.watches.keys()];
  }

  close(): void {
    for (const w of this.watches.values()) clearInterval(w.timer);
    this.watches.clear();
  }

  /** Reads the flow's state once and tells its listeners what changed. */
  async poll(flowId: string, watch: Watch): Promise<void> {
    if (watch.polling) return;
    watch.polling = true;
    try {
      const [items, stored, deployed, deadLetters] = await Promise.all([
        listFlowEvents(this.redis, this.keys, flowId, this.options.eventsLimit),
        this.redis.hget(this.keys.flows, flowId),
        this.redis.hget(this.keys.deployed, flowId),
        this.redis.zcard(this.keys.deadLetterIndexBy('flow', flowId)),
      ]);
      this.emit(watch, { type: 'events', items });
      this.emit(watch, { type: 'stats', deadLetters, version: versionOf(stored), deployedVersion: versionOf(deployed) });
    } catch (err) {
      // A failed poll (Redis away) is tried again on the next tick; listeners keep their last state.
      this.options.onError?.(err);
    } finally {
      watch.polling = false;
    }
  }

  private emit(watch: Watch, message: FlowStreamMessage): void {
    const json = JSON.stringify(message);
    if (watch.last[message.type] === json) return;
    watch.last[message.type] = json;
    watch.cached[message.type] = message;
    for (const l of watch.listeners) l(message);
  }
}
