import { describe, expect, it } from 'vitest';
import { FlowbridgeError } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { buildNodeCatalog } from '../../../flows/node-kinds.ts';
import { isCloudEvent, parseSample, runFlowTest } from './run-flow-test.ts';

const catalog = buildNodeCatalog([{ type: 'target.http', role: 'target', title: 'HTTP', description: '', configSchema: { type: 'object' } }]);

// One source fanning out: an active-employee path (filter → JSONata → HTTP) and a text path (Handlebars → HTTP).
const flow: FlowDocument = {
  id: 'people',
  name: 'People',
  nodes: [
    { id: 'in', type: 'source.webhook', config: { sourceId: 'people' } },
    { id: 'active', type: 'filter', config: { pattern: { data: { status: ['active'] } } } },
    { id: 'map', type: 'transform', config: { type: 'jsonata', expression: "{ 'ref': data.id }" } },
    { id: 'text', type: 'transform', config: { type: 'handlebars', template: 'Person {{data.id}}' } },
    { id: 'api', type: 'target.http', config: { url: 'https://x.example' } },
    { id: 'chat', type: 'target.http', config: { url: 'https://y.example' } },
  ],
  edges: [
    { source: 'in', target: 'active' },
    { source: 'active', target: 'map' },
    { source: 'map', target: 'api' },
    { source: 'in', target: 'text' },
    { source: 'text', target: 'chat' },
  ],
};
const event = (status: string) => ({ specversion: '1.0', id: 'e1', source: '/webhooks/people', type: 'webhook.received', data: { id: 'P-1', status } });

describe('the test run', () => {
  it('runs every path and reports each node\'s input and output, and the body each target would get', async () => {
    const r = await runFlowTest(flow, catalog, event('active'));
    expect(r.paths.map((p) => [p.nodeIds.join('>'), p.outcome])).toEqual([
      ['in>active>map>api', 'deliver'],
      ['in>text>chat', 'deliver'],
    ]);
    expect(r.paths[0]!.body).toEqual({ ref: 'P-1' });
    expect(r.paths[1]).toMatchObject({ body: 'Person P-1', output: 'text' });
    expect(r.nodes.map).toMatchObject({ status: 'passed', input: event('active'), output: { ref: 'P-1' } });
    expect(r.nodes.api).toMatchObject({ status: 'would-deliver', input: { ref: 'P-1' } });
  });

  it('says which filter stopped the event and why, and marks what it did not reach', async () => {
    const r = await runFlowTest(flow, catalog, event('left'));
    expect(r.paths[0]).toMatchObject({ outcome: 'filtered', stoppedAt: 'active' });
    expect(r.nodes.active).toMatchObject({ status: 'stopped', why: ['data.status: expected ["active"], the event has "left"'] });
    expect(r.nodes.map!.status).toBe('not-reached');
    expect(r.nodes.chat!.status).toBe('would-deliver');
  });

  it('runs only the paths of the chosen source', async () => {
    const two: FlowDocument = { ...flow, nodes: [...flow.nodes, { id: 'bus', type: 'source.bus', config: {} }], edges: [...flow.edges, { source: 'bus', target: 'text' }] };
    const r = await runFlowTest(two, catalog, event('active'), 'bus');
    expect(r.paths.map((p) => p.nodeIds.join('>'))).toEqual(['bus>text>chat']);
  });

  it('reports a failing transform on its node without stopping the other paths', async () => {
    const broken: FlowDocument = { ...flow, nodes: flow.nodes.map((n) => (n.id === 'map' ? { ...n, config: { type: 'jsonata', expression: '$error("no ref")' } } : n)) };
    const r = await runFlowTest(broken, catalog, event('active'));
    expect(r.paths[0]).toMatchObject({ outcome: 'error', stoppedAt: 'map' });
    expect(r.nodes.map).toMatchObject({ status: 'error', input: event('active') });
    expect(r.nodes.map!.error).toContain('no ref');
    expect(r.paths[1]!.outcome).toBe('deliver');
  });

  it('refuses a flow that would not deploy, with every problem', async () => {
    const invalid: FlowDocument = { ...flow, nodes: flow.nodes.filter((n) => n.id !== 'api') };
    const err = await runFlowTest(invalid, catalog, event('active')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowbridgeError);
    expect((err as FlowbridgeError).code).toBe('ERR_FLOW_INVALID');
  });

  it('reads pasted samples and tells CloudEvents from raw webhook bodies', () => {
    expect(parseSample('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseSample('[1]')).toEqual({ error: 'The sample must be a JSON object.' });
    expect('error' in parseSample('{')).toBe(true);
    expect(isCloudEvent(event('x'))).toBe(true);
    expect(isCloudEvent({ event: 'erp.employee.changed' })).toBe(false);
  });
});
