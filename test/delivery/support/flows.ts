// Small flows for delivery tests: a webhook source (event id from `$.n`), an optional
// JSONata transform, and one or more HTTP targets with their delivery policies.
import { expect } from 'vitest';
import type { DeliveryPolicy } from '../../../flows/flow-document.ts';
import type { TestFlowbridge } from '../../support/flowbridge.ts';

export interface TargetSpec {
  id?: string;
  url: string;
  delivery?: Partial<DeliveryPolicy>;
  config?: Record<string, unknown>;
}

/** A flow `id` with webhook source `id`: in → [map] → each target. Millisecond backoffs unless a target says otherwise. */
export function webhookFlow(id: string, targets: TargetSpec[], options: { transform?: string; defaults?: Partial<DeliveryPolicy> } = {}) {
  const nodes: Record<string, unknown>[] = [{ id: 'in', type: 'source.webhook', config: { sourceId: id, id: { path: '$.n' }, type: { value: 'test.event' } } }];
  const edges: { source: string; target: string }[] = [];
  let from = 'in';
  if (options.transform) {
    nodes.push({ id: 'map', type: 'transform', config: { type: 'jsonata', expression: options.transform } });
    edges.push({ source: 'in', target: 'map' });
    from = 'map';
  }
  targets.forEach((t, i) => {
    const nodeId = t.id ?? (i === 0 ? 'out' : `out${i + 1}`);
    nodes.push({ id: nodeId, type: 'target.http', config: { url: t.url, ...t.config }, delivery: { backoffBaseMs: 10, backoffMaxMs: 50, ...t.delivery } });
    edges.push({ source: from, target: nodeId });
  });
  return { id, name: `Delivery test ${id}`, ...(options.defaults ? { defaults: { delivery: options.defaults } } : {}), nodes, edges };
}

export async function deployFlow(fb: TestFlowbridge, doc: { id: string }): Promise<void> {
  const created = await fb.api('POST', '/flows', doc);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const deployed = await fb.api('POST', `/flows/${doc.id}/deploy`);
  expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
}

/** Sends one webhook event with id `n`; expects 202. */
export async function sendEvent(fb: TestFlowbridge, sourceId: string, n: string, data: Record<string, unknown> = {}): Promise<void> {
  const res = await fb.post(`/webhooks/${sourceId}`, JSON.stringify({ n, ...data }));
  expect(res.status, JSON.stringify(res.json)).toBe(202);
}

/** The event id a receiver saw, when the flow forwards the event as it came (`data.n`) or a transform kept `n`. */
export function eventN(json: unknown): string | undefined {
  const j = json as { n?: string; data?: { n?: string } } | undefined;
  return j?.n ?? j?.data?.n;
}
