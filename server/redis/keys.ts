// Every Redis key and queue name flowbridge uses, in one place. Keys of one bus share a
// hash tag ({bus:NAME}) so the scripts that touch several of them work on Redis Cluster.

export class Keys {
  constructor(readonly prefix: string) {}

  private busTag(bus: string): string {
    return `${this.prefix}:{bus:${bus}}`;
  }

  /** Stream: the bus log (and archive). Fields `e` (event JSON) and `m` (metadata JSON). */
  busLog(bus: string): string {
    return `${this.busTag(bus)}:log`;
  }
  /** String → stream id of the event with this (source, id) hash; for dedupe and lookup. */
  eventBySourceAndId(bus: string, hash: string): string {
    return `${this.busTag(bus)}:sid:${hash}`;
  }
  /** String → stream id of the latest event with this id hash; for lookup without a source. */
  eventById(bus: string, hash: string): string {
    return `${this.busTag(bus)}:cid:${hash}`;
  }
  /** List of trace entries (JSON) of one event. */
  trace(bus: string, streamId: string): string {
    return `${this.busTag(bus)}:trace:${streamId}`;
  }
  /** List of the latest events (`bus|streamId`) that reached a flow, newest first, capped. */
  flowRecentEvents(flowId: string): string {
    return `${this.prefix}:flow:${flowId}:recent`;
  }
  /** Hash: bus name → bus settings JSON. */
  get buses(): string {
    return `${this.prefix}:buses`;
  }
  /** Hash: flow id → latest FlowDocument JSON. */
  get flows(): string {
    return `${this.prefix}:flows`;
  }
  /** List of saved versions of a flow (JSON), oldest first. */
  flowVersions(flowId: string): string {
    return `${this.prefix}:flow:${flowId}:versions`;
  }
  /** Hash: flow id → deployed CompiledFlow JSON. */
  get deployed(): string {
    return `${this.prefix}:deployed`;
  }
  /** Hash: webhook source id → flow id of the deployed flow that owns it. */
  get webhookSources(): string {
    return `${this.prefix}:webhook-sources`;
  }
  /** Counter bumped by every deploy or undeploy; routers reload when it moves. */
  get deployGeneration(): string {
    return `${this.prefix}:deployed:generation`;
  }
  /** Pub/sub channel announcing a new deploy generation. */
  get deployChannel(): string {
    return `${this.prefix}:deployed:changed`;
  }
  /** String: dead letter JSON. */
  deadLetter(id: string): string {
    return `${this.prefix}:dl:${id}`;
  }
  /** Sorted set of dead letter ids by creation time. */
  get deadLetterIndex(): string {
    return `${this.prefix}:dl:index`;
  }
  /** Sorted set of dead letter ids of one flow / target / bus, by creation time (filters and retention). */
  deadLetterIndexBy(field: 'flow' | 'target' | 'bus', value: string): string {
    return `${this.prefix}:dl:idx:${field}:${value}`;
  }
  /** Hash: bus → dead letter retention JSON (`{maxCount, maxAgeSeconds}`). */
  get deadLetterRetention(): string {
    return `${this.prefix}:dl:retention`;
  }
  /** Hash: progress of one bulk redrive. */
  redrive(id: string): string {
    return `${this.prefix}:redrive:${id}`;
  }
  /** Sorted set of bulk redrive ids by start time. */
  get redrives(): string {
    return `${this.prefix}:redrives`;
  }
  /** Hash: target id → what is known of it (JSON): flow, node, type, name, last seen policy. */
  get targets(): string {
    return `${this.prefix}:targets`;
  }
  /** Hash: one target's shared state: circuit breaker, health (auth), disabled (410). */
  targetState(targetId: string): string {
    return `${this.prefix}:target:{${targetId}}:state`;
  }
  /** Sorted set: deliveries of one ordering key of a target, by bus log position; the first is the one in delivery. */
  orderingList(targetId: string, keyHash: string): string {
    return `${this.prefix}:{ord:${targetId}}:q:${keyHash}`;
  }
  /** Hash: delivery id → job (JSON) of the ordered deliveries of a target that wait their turn. */
  orderingData(targetId: string): string {
    return `${this.prefix}:{ord:${targetId}}:data`;
  }
  /** Sorted set: ordered deliveries whose turn came but whose job may not have been added yet (crash gap). */
  orderingPending(targetId: string): string {
    return `${this.prefix}:{ord:${targetId}}:pending`;
  }
  /** String: SHA-256 of the admin token. */
  get adminTokenHash(): string {
    return `${this.prefix}:admin:token-sha256`;
  }
  /** Hash: a poll source's state (cursor JSON, nextPollAt, lastPollAt, lastError, lastCount). */
  pollState(flowId: string, nodeId: string): string {
    return `${this.prefix}:poll:${flowId}:${nodeId}`;
  }
  /** String with expiry: the process running a poll source's poll right now. */
  pollLock(flowId: string, nodeId: string): string {
    return `${this.prefix}:poll:${flowId}:${nodeId}:lock`;
  }
  /** Hash: connection id → stored connection JSON (credentials sealed). */
  get connections(): string {
    return `${this.prefix}:connections`;
  }
  /** Hash: worker id → heartbeat JSON. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
}

/**
 * The BullMQ queue of one target's deliveries: a queue per target keeps a slow, limited or
 * broken target from holding the workers of any other. The braces make each queue's keys
 * one hash slot on Redis Cluster.
 */
export function deliveryQueueName(targetId: string): string {
  return `{dlv.${targetId}}`;
}

/** Consumer group of the router on every bus log. */
export const ROUTER_GROUP = 'router';
