import type express from 'express';
import type { Redis } from 'ioredis';
import type { DeliveryQueues } from '../delivery/delivery-queues.ts';
import type { TargetService } from '../delivery/target.service.ts';
import type { Logger } from '../logging.ts';
import type { Metrics } from '../metrics.ts';
import type { Keys } from '../redis/keys.ts';
import type { ConnectorRegistry } from '../runtime/connector-registry.ts';
import type { RuleRegistry } from '../runtime/rule-registry.ts';
import type { AdminTokenChecker } from '../services/admin-token.ts';
import type { DeadLetterService } from '../services/dead-letter.service.ts';
import type { FlowService } from '../services/flow.service.ts';
import type { DeadLetterStore } from '../store/dead-letter-store.ts';
import type { EventStore } from '../store/event-store.ts';
import type { FlowStore } from '../store/flow-store.ts';

/** What the HTTP API's handlers may use: services and stores of this process. */
export interface ApiDeps {
  redis: Redis;
  keys: Keys;
  flows: FlowService;
  deadLetters: DeadLetterService;
  events: EventStore;
  flowStore: FlowStore;
  deadLetterStore: DeadLetterStore;
  registry: RuleRegistry;
  /** The per-target delivery queues. */
  deliveryQueues: DeliveryQueues;
  targets: TargetService;
  retentionSeconds: number;
  connectors: ConnectorRegistry;
  tokens: AdminTokenChecker;
  log: Logger;
  metrics: Metrics;
  health: () => Promise<{ ok: boolean; body: unknown }>;
  /** Routers mounted under /api/v1, after the token check (connections, …). */
  apiRoutes?: express.Router[];
  /** Extra routers mounted before the 404 handler (the editor's assets). */
  extra?: express.Router[];
}
