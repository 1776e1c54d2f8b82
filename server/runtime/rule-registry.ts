import type { Redis } from 'ioredis';
import { pollVia, type CompiledFlow, type PollSourceDefinition, type WebhookSourceDefinition } from '../../flows/flow.compiler.ts';
import { PatternIndex } from '../../flows/patterns/pattern-index.ts';
import { prepareRule, type PreparedRule } from '../../flows/rule-runtime.ts';
import type { Logger } from '../logging.ts';
import type { Keys } from '../redis/keys.ts';

interface BusRules {
  /** Rules whose first step is a filter, indexed by that pattern. */
  index: PatternIndex<string>;
  /** Rules with no leading filter: every event is a candidate. */
  unfiltered: Set<string>;
}

/**
 * The deployed rules, as this process knows them: compiled once per deploy and indexed
 * per bus. `refresh()` reloads what changed since the last deploy generation it saw.
 */
export class RuleRegistry {
  private generation = -1;
  private readonly flows = new Map<string, { version: number; ruleIds: string[]; sourceIds: string[] }>();
  private readonly rules = new Map<string, PreparedRule>();
  private readonly buses = new Map<string, BusRules>();
  private readonly sources = new Map<string, WebhookSourceDefinition>();
  private readonly polls = new Map<string, PollSourceDefinition>();
  private inflight: Promise<void> | undefined;
  /** Deployed flows this process could not compile (flow id → reason). */
  private readonly broken = new Map<string, string>();
  private lastFailedLoad = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  /** Reloads when the deploy generation moved (or always with `force`). Concurrent calls share one load. */
  async refresh(force = false): Promise<void> {
    if (this.inflight) return await this.inflight;
    this.inflight = (async () => {
      const gen = Number((await this.redis.get(this.keys.deployGeneration)) ?? 0);
      if (!force && gen === this.generation) return;
      // While a deployed flow does not compile here, try again at most once a second.
      if (!force && this.broken.size && Date.now() - this.lastFailedLoad < 1000) return;
      const all = await this.redis.hgetall(this.keys.deployed);
      this.apply(Object.values(all).map((j) => JSON.parse(j) as CompiledFlow));
      if (this.broken.size) this.lastFailedLoad = Date.now();
      // A generation with a flow this process cannot compile is not marked as seen: it is retried.
      else this.generation = gen;
    })();
    try {
      await this.inflight;
    } finally {
      this.inflight = undefined;
    }
  }

  private busRules(bus: string): BusRules {
    let b = this.buses.get(bus);
    if (!b) {
      b = { index: new PatternIndex<string>(), unfiltered: new Set() };
      this.buses.set(bus, b);
    }
    return b;
  }

  private removeFlow(flowId: string): void {
    const known = this.flows.get(flowId);
    if (!known) return;
    for (const id of known.ruleIds) {
      const rule = this.rules.get(id);
      if (!rule) continue;
      const b = this.busRules(rule.def.bus);
      b.index.remove(id);
      b.unfiltered.delete(id);
      this.rules.delete(id);
    }
    for (const s of known.sourceIds) if (this.sources.get(s)?.flowId === flowId) this.sources.delete(s);
    for (const [key, p] of this.polls) if (p.flowId === flowId) this.polls.delete(key);
    this.flows.delete(flowId);
  }

  /** Applies a full set of deployments incrementally: only flows whose version changed are recompiled. */
  private apply(deployments: CompiledFlow[]): void {
    const seen = new Set<string>();
    for (const flow of deployments) {
      seen.add(flow.flowId);
      const known = this.flows.get(flow.flowId);
      if (known && known.version === flow.version) continue;
      let prepared: PreparedRule[];
      try {
        prepared = flow.rules.map((r) => prepareRule(r));
        this.broken.delete(flow.flowId);
      } catch (err) {
        // Deploy validated this flow; failing here means this process runs other code than the deployer.
        const reason = (err as Error).message;
        if (this.broken.get(flow.flowId) !== reason) {
          this.log.error({ flowId: flow.flowId, version: flow.version, err: reason }, 'deployed flow does not compile in this process; this process stops routing until it does');
        }
        this.broken.set(flow.flowId, reason);
        continue;
      }
      this.removeFlow(flow.flowId);
      for (const rule of prepared) {
        this.rules.set(rule.def.id, rule);
        const b = this.busRules(rule.def.bus);
        if (rule.leadPattern) b.index.add(rule.def.id, rule.leadPattern);
        else b.unfiltered.add(rule.def.id);
      }
      for (const s of flow.webhookSources) this.sources.set(s.sourceId, s);
      for (const p of flow.pollSources ?? []) this.polls.set(pollVia(p.flowId, p.nodeId), p);
      this.flows.set(flow.flowId, { version: flow.version, ruleIds: prepared.map((r) => r.def.id), sourceIds: flow.webhookSources.map((s) => s.sourceId) });
      this.log.info({ flowId: flow.flowId, version: flow.version, rules: prepared.length }, 'flow activated');
    }
    for (const flowId of [...this.broken.keys()]) if (!seen.has(flowId)) this.broken.delete(flowId);
    for (const flowId of [...this.flows.keys()]) {
      if (!seen.has(flowId)) {
        this.removeFlow(flowId);
        this.log.info({ flowId }, 'flow deactivated');
      }
    }
  }

  /** Rules of `bus` that the event (structured JSON form) reaches through `via`; the lead filter already matched. */
  match(bus: string, event: unknown, via: string): PreparedRule[] {
    const b = this.buses.get(bus);
    if (!b) return [];
    const out: PreparedRule[] = [];
    // A flow with both a webhook source and a bus source sees its own webhook's events only
    // through the webhook path; otherwise they would be delivered twice.
    const viaFlow = via.startsWith('webhook:') ? this.sources.get(via.slice(8))?.flowId : undefined;
    const consider = (id: string) => {
      const rule = this.rules.get(id);
      if (!rule) return;
      const origin = rule.def.origin;
      if (origin.kind === 'webhook' ? via !== `webhook:${origin.sourceId}` : origin.kind === 'poll' ? via !== pollVia(rule.def.flowId, origin.nodeId) : viaFlow === rule.def.flowId) return;
      out.push(rule);
    };
    for (const id of b.index.match(event)) consider(id);
    for (const id of b.unfiltered) consider(id);
    return out;
  }

  rule(id: string): PreparedRule | undefined {
    return this.rules.get(id);
  }

  /** Every deployed poll source (schedule, http-poll). */
  pollSources(): PollSourceDefinition[] {
    return [...this.polls.values()];
  }

  /** Every deployed webhook source. */
  allSources(): WebhookSourceDefinition[] {
    return [...this.sources.values()];
  }

  source(sourceId: string): WebhookSourceDefinition | undefined {
    return this.sources.get(sourceId);
  }

  /** Deployed flows this process cannot compile; while any exist it must not route (it would drop their events). */
  get brokenFlows(): ReadonlyMap<string, string> {
    return this.broken;
  }

  get ruleCount(): number {
    return this.rules.size;
  }
}
