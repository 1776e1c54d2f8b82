import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../../store/event-store.ts';
import { deriveEventOutcome } from './flow-events.ts';

const F = 'flow-a';
let t = 0;
const at = (e: Omit<TraceEntry, 't'>): TraceEntry => ({ t: ++t, ...e }) as TraceEntry;
const routed = (rules = 1) => at({ kind: 'routed', rules });
const matched = (ruleId = 'r1', flowId = F) => at({ kind: 'matched', ruleId, flowId, deliveryId: `d-${ruleId}` });
const attempt = (ok: boolean, ruleId = 'r1', extra: Record<string, unknown> = {}) => at({ kind: 'attempt', ruleId, flowId: F, deliveryId: `d-${ruleId}`, ok, ...extra });

describe('what became of an event in a flow', () => {
  it.each([
    ['pending before the router saw it', [], 'pending'],
    ['filtered out when it was routed without a delivery in this flow', [routed(0)], 'filtered'],
    ['filtered out when a later filter stopped it', [routed(), at({ kind: 'filtered', ruleId: 'r1', flowId: F, nodeId: 'only-active' })], 'filtered'],
    ['pending while queued', [routed(), matched()], 'pending'],
    ['delivered after a successful attempt', [routed(), matched(), attempt(true, 'r1', { status: 200 })], 'delivered'],
    ['retrying after a failed attempt', [routed(), matched(), attempt(false, 'r1', { status: 503, error: 'HTTP 503' })], 'retrying'],
    ['delivered when a retry succeeded', [routed(), matched(), attempt(false), attempt(true)], 'delivered'],
    ['dead-lettered when the attempts ran out', [routed(), matched(), attempt(false), at({ kind: 'dead-lettered', ruleId: 'r1', flowId: F, reason: 'attempts-exhausted', error: 'HTTP 500' })], 'dead-lettered'],
    ['dead-lettered when its transform failed', [routed(), at({ kind: 'transform-error', ruleId: 'r1', flowId: F, error: 'boom' })], 'dead-lettered'],
    ['pending again once redriven', [routed(), matched(), at({ kind: 'dead-lettered', ruleId: 'r1', flowId: F }), at({ kind: 'redriven', ruleId: 'r1', flowId: F, deliveryId: 'd-r1.r1' })], 'pending'],
    ['delivered after a redrive succeeded', [routed(), matched(), at({ kind: 'dead-lettered', ruleId: 'r1', flowId: F }), at({ kind: 'redriven', ruleId: 'r1', flowId: F }), attempt(true)], 'delivered'],
    ['partly dead-lettered when one target took it and another did not', [routed(2), matched('r1'), matched('r2'), attempt(true, 'r1'), at({ kind: 'dead-lettered', ruleId: 'r2', flowId: F })], 'partial'],
  ] as const)('is %s', (_what, trace, status) => {
    expect(deriveEventOutcome([...trace], F).status).toBe(status);
  });

  it('ignores what other flows did with the same event', () => {
    const o = deriveEventOutcome([routed(2), matched('r1'), matched('x1', 'flow-b'), attempt(true, 'r1'), at({ kind: 'dead-lettered', ruleId: 'x1', flowId: 'flow-b' })], F);
    expect(o).toEqual({ status: 'delivered', deliveries: { delivered: 1, retrying: 0, deadLettered: 0, filtered: 0, pending: 0 }, attempts: 1 });
  });

  it('counts attempts and keeps the last error while the event is not delivered', () => {
    const o = deriveEventOutcome([routed(), matched(), attempt(false, 'r1', { error: 'HTTP 502: bad gateway' }), attempt(false, 'r1', { status: 503 })], F);
    expect(o).toMatchObject({ status: 'retrying', attempts: 2, lastError: 'HTTP 503' });
  });

  it('reads entries in time order whatever order they are stored in', () => {
    const entries = [routed(), matched(), attempt(false), attempt(true)];
    expect(deriveEventOutcome([...entries].reverse(), F).status).toBe('delivered');
  });
});
