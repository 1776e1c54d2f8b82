import { FlowbridgeError, type Problem } from './error-codes.ts';
import { DEFAULT_DELIVERY_POLICY, DELIVERY_PRESETS, type DeliveryPolicy, type FlowDocument, type FlowNode } from './flow-document.ts';
import { validateFlow } from './flow.validation.ts';
import { hashString } from './hash.ts';
import type { NodeCatalog, WebhookSourceConfig } from './node-kinds.ts';
import { checkSchema } from './schema-check.ts';
import { compileJsonPath } from './transforms/json-path.ts';
import type { TransformConfig } from './transforms/transform.ts';

/** Which events a rule sees: those that came in through one webhook source, or every event on the bus. */
export type RuleOrigin = { kind: 'webhook'; sourceId: string } | { kind: 'bus' } | { kind: 'poll'; nodeId: string };

/** The `via` of events a poll source (schedule, http-poll) of a flow produces. */
export function pollVia(flowId: string, nodeId: string): string {
  return `poll:${flowId}/${nodeId}`;
}

/** A source connector node (schedule, http-poll) that the server's poll runner drives. */
export interface PollSourceDefinition {
  flowId: string;
  nodeId: string;
  /** Node type, `source.<connector id>`. */
  type: string;
  bus: string;
  config: Record<string, unknown>;
  connection?: string;
}

export type RuleStep =
  | { kind: 'filter'; nodeId: string; pattern: unknown }
  | { kind: 'transform'; nodeId: string; transform: TransformConfig };

/** The executable form of one source → target path of a flow. Plain JSON: stored in Redis, loaded by every process. */
export interface RuleDefinition {
  id: string;
  name: string;
  flowId: string;
  flowVersion: number;
  bus: string;
  origin: RuleOrigin;
  /** Node ids along the path, source first, target last. */
  path: string[];
  steps: RuleStep[];
  target: { nodeId: string; type: string; name: string; config: Record<string, unknown>; connection?: string };
  delivery: DeliveryPolicy;
}

export interface WebhookSourceDefinition {
  sourceId: string;
  flowId: string;
  nodeId: string;
  bus: string;
  config: WebhookSourceConfig;
}

export interface CompiledFlow {
  flowId: string;
  version: number;
  name: string;
  bus: string;
  webhookSources: WebhookSourceDefinition[];
  pollSources?: PollSourceDefinition[];
  rules: RuleDefinition[];
}

export const DEFAULT_BUS = 'default';

/**
 * Validates and compiles a flow into rules, one per source → target path. Throws
 * FlowbridgeError ERR_FLOW_INVALID with every problem in `details` when the flow is invalid.
 */
export function compileFlow(doc: FlowDocument, catalog: NodeCatalog, ids: { flowId: string; version: number }, options: { validated?: boolean } = {}): CompiledFlow {
  // `validated`: the caller validated an equivalent document (the server validates the one
  // with secrets opened, and compiles the one with them sealed).
  const problems = options.validated ? [] : validateFlow(doc, catalog);
  if (!problems.length) problems.push(...checkDeliveryPolicies(doc, catalog));
  if (problems.length) {
    throw new FlowbridgeError('ERR_FLOW_INVALID', `The flow has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems[0]!.message}${problems.length > 1 ? ' …' : ''}`, problems);
  }
  const bus = doc.bus ?? DEFAULT_BUS;
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const next = new Map<string, string[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) {
    const out = next.get(e.source)!;
    if (!out.includes(e.target)) out.push(e.target);
  }
  const roleOf = (n: FlowNode) => catalog.get(n.type)!.role;
  const rules: RuleDefinition[] = [];
  const webhookSources: WebhookSourceDefinition[] = [];
  const pollSources: PollSourceDefinition[] = [];

  for (const source of doc.nodes.filter((n) => roleOf(n) === 'source')) {
    if (source.type === 'source.webhook') {
      const config = source.config as unknown as WebhookSourceConfig;
      webhookSources.push({ sourceId: config.sourceId, flowId: ids.flowId, nodeId: source.id, bus, config });
    }
    const isPoll = source.type !== 'source.webhook' && source.type !== 'source.bus';
    if (isPoll) pollSources.push({ flowId: ids.flowId, nodeId: source.id, type: source.type, bus, config: source.config, ...(source.connection ? { connection: source.connection } : {}) });
    const origin: RuleOrigin = source.type === 'source.webhook'
      ? { kind: 'webhook', sourceId: (source.config as unknown as WebhookSourceConfig).sourceId }
      : isPoll ? { kind: 'poll', nodeId: source.id } : { kind: 'bus' };
    const walk = (path: FlowNode[]): void => {
      const last = path[path.length - 1]!;
      if (roleOf(last) === 'target') {
        rules.push(makeRule(doc, ids, bus, origin, path, roleOf));
        return;
      }
      for (const id of next.get(last.id) ?? []) walk([...path, byId.get(id)!]);
    };
    walk([source]);
  }
  return { flowId: ids.flowId, version: ids.version, name: doc.name, bus, webhookSources, pollSources, rules };
}

function makeRule(
  doc: FlowDocument,
  ids: { flowId: string; version: number },
  bus: string,
  origin: RuleOrigin,
  path: FlowNode[],
  roleOf: (n: FlowNode) => string,
): RuleDefinition {
  const target = path[path.length - 1]!;
  const steps: RuleStep[] = [];
  for (const node of path.slice(1, -1)) {
    if (roleOf(node) === 'filter') steps.push({ kind: 'filter', nodeId: node.id, pattern: node.config.pattern });
    else if (roleOf(node) === 'transform') steps.push({ kind: 'transform', nodeId: node.id, transform: node.config as unknown as TransformConfig });
  }
  const nodeIds = path.map((n) => n.id);
  const label = (n: FlowNode) => n.name ?? n.id;
  return {
    // Stable across redeploys of the same path, so job ids and dead letters stay attached.
    id: `${ids.flowId}.${hashString(nodeIds.join('>')).slice(0, 12)}`,
    name: `${doc.name}: ${label(path[0]!)} → ${label(target)}`,
    flowId: ids.flowId,
    flowVersion: ids.version,
    bus,
    origin,
    path: nodeIds,
    steps,
    target: { nodeId: target.id, type: target.type, name: label(target), config: target.config, ...(target.connection ? { connection: target.connection } : {}) },
    delivery: resolveDeliveryPolicy(doc.defaults?.delivery, target.delivery),
  };
}

/**
 * A target's effective delivery policy: built-in defaults, then the flow's preset and
 * fields, then the target's preset and fields; each later one wins field by field.
 */
export function resolveDeliveryPolicy(flowDefaults?: Partial<DeliveryPolicy>, targetOverrides?: Partial<DeliveryPolicy>): DeliveryPolicy {
  const presetOf = (p?: Partial<DeliveryPolicy>) => (p?.preset ? DELIVERY_PRESETS[p.preset] : undefined);
  return { ...DEFAULT_DELIVERY_POLICY, ...presetOf(flowDefaults), ...flowDefaults, ...presetOf(targetOverrides), ...targetOverrides };
}

/**
 * Deploy-time checks of delivery policies the schema cannot express: the ordering key
 * parses and selects one value, CloudEvents formats and signing go to HTTP targets, a
 * signing secret is given, the dead-letter alert target exists and its config is valid.
 */
export function checkDeliveryPolicies(doc: FlowDocument, catalog: NodeCatalog): Problem[] {
  const problems: Problem[] = [];
  const checkOwn = (policy: Partial<DeliveryPolicy> | undefined, path: string) => {
    if (!policy) return;
    if (policy.orderingKey !== undefined) {
      try {
        if (!compileJsonPath(policy.orderingKey).definite) {
          problems.push({ code: 'ERR_DELIVERY_ORDERING_KEY', path: `${path}.orderingKey`, message: `${path}.orderingKey: "${policy.orderingKey}" may select several values; use a path to one field, such as $.data.employeeId` });
        }
      } catch (err) {
        problems.push({ code: 'ERR_DELIVERY_ORDERING_KEY', path: `${path}.orderingKey`, message: `${path}.orderingKey: ${(err as Error).message}` });
      }
    }
    if (policy.signing && !policy.signing.connection === !policy.signing.secretEnv) {
      problems.push({ code: 'ERR_DELIVERY_POLICY', path: `${path}.signing`, message: `${path}.signing: give exactly one of "connection" (a stored hmac connection) or "secretEnv"` });
    }
    const alert = policy.deadLetterAlert;
    if (alert) {
      const kind = catalog.get(alert.type);
      if (!kind || kind.role !== 'target') {
        problems.push({ code: 'ERR_DELIVERY_POLICY', path: `${path}.deadLetterAlert.type`, message: `${path}.deadLetterAlert.type: "${alert.type}" is not a target type` });
      } else {
        problems.push(...checkSchema(kind.configSchema, alert.config, `${path}.deadLetterAlert.config`, 'ERR_FLOW_NODE_CONFIG'));
      }
    }
  };
  checkOwn(doc.defaults?.delivery, 'defaults.delivery');
  doc.nodes.forEach((node, i) => {
    if (catalog.get(node.type)?.role !== 'target') return;
    checkOwn(node.delivery, `nodes[${i}].delivery`);
    const policy = resolveDeliveryPolicy(doc.defaults?.delivery, node.delivery);
    // Only the HTTP target lets the delivery layer shape headers and body on the wire.
    for (const field of ['format', 'signing'] as const) {
      const set = field === 'format' ? policy.format !== undefined && policy.format !== 'body' : policy.signing !== undefined;
      if (set && node.type !== 'target.http') {
        problems.push({ code: 'ERR_DELIVERY_POLICY', path: `nodes[${i}].delivery.${field}`, message: `nodes[${i}].delivery.${field}: only target.http targets support "${field}"` });
      }
    }
  });
  return problems;
}
