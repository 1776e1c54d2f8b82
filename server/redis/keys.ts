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
  /** String: SHA-256 of the admin token. */
  get adminTokenHash(): string {
    return `${this.prefix}:admin:token-sha256`;
  }
  /** Hash: worker id → heartbeat JSON. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
}

/** BullMQ queue names. The braces make each queue's keys one hash slot on Redis Cluster. */
export const QUEUE_NAMES = {
  deliveries: '{deliveries}',
} as const;

/** Consumer group of the router on every bus log. */
export const ROUTER_GROUP = 'router';
