import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { validateFlow } from '../../../flows/flow.validation.ts';
import { buildNodeCatalog } from '../../../flows/node-kinds.ts';
import { configFieldOf, edgeIdOf, indexProblems, newNodeId, problemText, toCanvas, toDocument } from './flow-model.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = JSON.parse(fs.readFileSync(path.join(here, '../../../flows/examples/erp-to-attendance/flow.json'), 'utf8')) as FlowDocument;
const httpKind = { type: 'target.http', role: 'target' as const, title: 'HTTP', description: '', configSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string', pattern: '^https?://' } } } };
const catalog = buildNodeCatalog([httpKind]);

describe('the flow-model adapter', () => {
  it('turns a FlowDocument into canvas nodes and edges and back without losing anything', () => {
    const canvas = toCanvas(example);
    expect(canvas.nodes.map((n) => n.id)).toEqual(example.nodes.map((n) => n.id));
    expect(canvas.nodes[0]).toMatchObject({ type: 'flowNode', position: { x: 0, y: 100 }, data: { type: 'source.webhook', name: 'ERP employee webhook' } });
    expect(canvas.edges).toEqual(example.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })));
    expect(canvas.needsLayout).toBe(false);
    expect(toDocument(canvas.meta, canvas.nodes, canvas.edges)).toEqual(example);
  });

  it('keeps view state (selection, measured size) out of the document and rounds dragged positions', () => {
    const canvas = toCanvas(example);
    const moved = canvas.nodes.map((n, i) => (i === 0 ? { ...n, selected: true, measured: { width: 220, height: 70 }, position: { x: 10.4, y: 99.6 } } : n));
    const doc = toDocument(canvas.meta, moved, canvas.edges.map((e) => ({ ...e, selected: true })));
    expect(doc.nodes[0]).toEqual({ ...example.nodes[0], position: { x: 10, y: 100 } });
    expect(doc.edges).toEqual(example.edges);
  });

  it('places nodes without a position on a grid and asks for a layout', () => {
    const doc: FlowDocument = { name: 'x', nodes: [{ id: 'a', type: 'filter', config: {} }, { id: 'b', type: 'filter', config: {} }], edges: [{ source: 'a', target: 'b' }] };
    const canvas = toCanvas(doc);
    expect(canvas.needsLayout).toBe(true);
    expect(canvas.nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 260, y: 0 }]);
    expect(canvas.edges[0]!.id).toBe('e-a-b');
    expect(edgeIdOf({ id: 'mine', source: 'a', target: 'b' })).toBe('mine');
  });

  it('drops empty names and delivery overrides rather than saving them as empty values', () => {
    const canvas = toCanvas({ name: 'x', nodes: [{ id: 'a', type: 'target.http', position: { x: 0, y: 0 }, config: { url: 'https://x' } }], edges: [] });
    const node = { ...canvas.nodes[0]!, data: { ...canvas.nodes[0]!.data, name: '', delivery: {} } };
    expect(toDocument(canvas.meta, [node], [])).toEqual({ name: 'x', nodes: [{ id: 'a', type: 'target.http', position: { x: 0, y: 0 }, config: { url: 'https://x' } }], edges: [] });
  });

  it('assigns validation problems to the node or edge their path names, the rest to the flow', () => {
    const doc: FlowDocument = {
      name: 'x',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'Bad Id' } },
        { id: 'out', type: 'target.http', config: {} },
      ],
      edges: [{ source: 'out', target: 'in' }],
    };
    const index = indexProblems(doc, validateFlow(doc, catalog));
    expect(index.byNode.get('in')!.map((p) => p.path)).toContain('nodes[0].config.sourceId');
    expect(index.byNode.get('out')!.some((p) => p.message.includes('"url"'))).toBe(true);
    expect([...index.byEdge.keys()]).toEqual(['e-out-in']);
    const other = indexProblems(doc, [{ code: 'ERR_FLOW_NO_SOURCE', path: 'nodes', message: 'The flow needs at least one source node' }]);
    expect(other.flow).toHaveLength(1);
  });

  it('places a problem on the config field it is about, a missing property on that property', () => {
    expect(configFieldOf({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[3].config.url', message: 'nodes[3].config.url must match pattern "^https?://"' }, 3)).toBe('url');
    expect(configFieldOf({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[3].config', message: 'nodes[3].config is missing the required property "url"' }, 3)).toBe('url');
    expect(configFieldOf({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[1].config.headers["X Bad"]', message: 'x' }, 1)).toBe('headers.X Bad');
    expect(configFieldOf({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[1].config.items[2].name', message: 'x' }, 1)).toBe('items.2.name');
    expect(configFieldOf({ code: 'ERR_FLOW_UNREACHABLE_NODE', path: 'nodes[3]', message: 'x' }, 3)).toBeUndefined();
  });

  it('words problems for display beside their field', () => {
    expect(problemText({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[3].config.url', message: 'nodes[3].config.url must match pattern "^https?://"' })).toBe('must match pattern "^https?://"');
    expect(problemText({ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes[3].config', message: 'nodes[3].config is missing the required property "url"' })).toBe('is required');
    expect(problemText({ code: 'ERR_TRANSFORM_SYNTAX', path: 'nodes[2].config.expression', message: 'nodes[2].config.expression: Expected ")"' })).toBe('Expected ")"');
  });

  it('names new nodes after their kind with the first free number', () => {
    expect(newNodeId('target.http', new Set(['http-1']))).toBe('http-2');
    expect(newNodeId('filter', new Set())).toBe('filter-1');
    expect(newNodeId('source.webhook', new Set(['webhook-1', 'webhook-2']))).toBe('webhook-3');
  });
});
