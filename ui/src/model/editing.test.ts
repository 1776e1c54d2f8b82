import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { copySelection, parseFragment, pasteFragment } from './clipboard.ts';
import { diffFlows } from './flow-diff.ts';
import { toCanvas } from './flow-model.ts';
import { COALESCE_MS, createHistory, recordEdit, redo, undo } from './history.ts';

const doc: FlowDocument = {
  id: 'f',
  name: 'Flow',
  nodes: [
    { id: 'in', type: 'source.webhook', position: { x: 0, y: 0 }, config: { sourceId: 'in' } },
    { id: 'only', type: 'filter', name: 'Only active', position: { x: 200, y: 0 }, config: { pattern: { data: { s: ['a'] } } } },
    { id: 'out', type: 'target.http', position: { x: 400, y: 0 }, config: { url: 'https://a.example' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'only' },
    { id: 'e2', source: 'only', target: 'out' },
  ],
};

describe('undo history', () => {
  it('undoes and redoes edits in order, and a new edit drops what could be redone', () => {
    let h = createHistory<string>();
    h = recordEdit(h, 'a', undefined, 0);
    h = recordEdit(h, 'b', undefined, 10);
    const u1 = undo(h, 'c')!;
    expect(u1.state).toBe('b');
    const u2 = undo(u1.history, u1.state)!;
    expect(u2.state).toBe('a');
    expect(undo(u2.history, u2.state)).toBeUndefined();
    const r = redo(u2.history, u2.state)!;
    expect(r.state).toBe('b');
    expect(recordEdit(r.history, 'b', undefined, 20).future).toEqual([]);
  });

  it('merges quick edits of the same field into one step, but not edits of different fields or slow ones', () => {
    let h = createHistory<string>();
    h = recordEdit(h, 'x', 'name', 0);
    h = recordEdit(h, 'xy', 'name', 100);
    expect(h.past).toEqual(['x']);
    h = recordEdit(h, 'xyz', 'url', 200);
    expect(h.past).toEqual(['x', 'xyz']);
    h = recordEdit(h, 'w', 'url', 200 + COALESCE_MS + 1);
    expect(h.past).toEqual(['x', 'xyz', 'w']);
  });
});

describe('copy and paste', () => {
  it('copies the selected nodes with the edges between them, and pastes them under fresh ids, selected and shifted', () => {
    const canvas = toCanvas(doc);
    const selected = canvas.nodes.map((n) => (n.id !== 'in' ? { ...n, selected: true } : n));
    const fragment = copySelection(selected, canvas.edges)!;
    expect(fragment.nodes.map((n) => n.id)).toEqual(['only', 'out']);
    expect(fragment.edges).toEqual([{ source: 'only', target: 'out' }]);
    expect(parseFragment(JSON.stringify(fragment))).toEqual(fragment);
    expect(parseFragment('{"nodes": []}')).toBeUndefined();

    const pasted = pasteFragment(fragment, new Set(['in', 'only', 'out']), { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => [n.id, n.position, n.selected, n.data.name])).toEqual([
      ['filter-1', { x: 240, y: 40 }, true, 'Only active'],
      ['http-1', { x: 440, y: 40 }, true, undefined],
    ]);
    expect(pasted.edges).toEqual([{ id: 'e-filter-1-http-1', source: 'filter-1', target: 'http-1', selected: true }]);
    expect(copySelection(canvas.nodes, canvas.edges)).toBeUndefined();
  });
});

describe('the deploy diff', () => {
  it('lists added, removed and changed nodes and edges, field by field, ignoring positions', () => {
    const after: FlowDocument = {
      ...doc,
      name: 'Flow 2',
      nodes: [
        { ...doc.nodes[0]!, position: { x: 50, y: 50 } },
        { ...doc.nodes[1]!, config: { pattern: { data: { s: ['b'] } } } },
        { ...doc.nodes[2]!, delivery: { maxAttempts: 3 } },
        { id: 'log', type: 'target.http', config: { url: 'https://log.example' } },
      ],
      edges: [...doc.edges, { source: 'only', target: 'log' }],
    };
    expect(diffFlows(doc, after)).toEqual([
      { kind: 'changed', what: 'flow', id: 'f', label: 'Flow settings', changes: [{ path: 'name', before: 'Flow', after: 'Flow 2' }] },
      { kind: 'changed', what: 'node', id: 'only', label: 'Only active', changes: [{ path: 'config.pattern.data.s', before: ['a'], after: ['b'] }] },
      { kind: 'changed', what: 'node', id: 'out', label: 'out', changes: [{ path: 'delivery.maxAttempts', before: undefined, after: 3 }] },
      { kind: 'added', what: 'node', id: 'log', label: 'log' },
      { kind: 'added', what: 'edge', id: 'e-only-log', label: 'Only active → log' },
    ]);
    expect(diffFlows(after, doc).filter((e) => e.kind === 'removed').map((e) => e.label)).toEqual(['log', 'Only active → log']);
  });

  it('shows everything as added when nothing is deployed yet', () => {
    expect(diffFlows(undefined, doc).map((e) => `${e.kind} ${e.what} ${e.label}`)).toEqual(['added node in', 'added node Only active', 'added node out', 'added edge in → Only active', 'added edge Only active → out']);
  });
});
