// Copy and paste of canvas selections. The clipboard holds plain FlowDocument fragments, so
// what is copied from one flow pastes into another (or into a text editor as JSON).
import type { FlowEdge, FlowNode } from '../../../flows/flow-document.ts';
import { newNodeId, toCanvasNode, toFlowNode, type CanvasEdge, type CanvasNode } from './flow-model.ts';

export interface ClipboardFragment {
  flowbridge: 'nodes';
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** The selected nodes and the edges between them. */
export function copySelection(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): ClipboardFragment | undefined {
  const picked = nodes.filter((n) => n.selected);
  if (!picked.length) return undefined;
  const ids = new Set(picked.map((n) => n.id));
  return {
    flowbridge: 'nodes',
    nodes: picked.map((n) => structuredClone(toFlowNode(n))),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ source: e.source, target: e.target })),
  };
}

/** Reads a fragment from clipboard text; undefined when the text is not one. */
export function parseFragment(text: string): ClipboardFragment | undefined {
  try {
    const v = JSON.parse(text) as Partial<ClipboardFragment>;
    if (v.flowbridge === 'nodes' && Array.isArray(v.nodes) && Array.isArray(v.edges)) return v as ClipboardFragment;
  } catch {
    // Not ours.
  }
  return undefined;
}

/**
 * Canvas nodes and edges for pasting a fragment: fresh ids (so nothing collides), positions
 * shifted by `offset`, the pasted nodes selected.
 */
export function pasteFragment(fragment: ClipboardFragment, taken: ReadonlySet<string>, offset: { x: number; y: number }): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const used = new Set(taken);
  const rename = new Map<string, string>();
  const nodes = fragment.nodes.map((n, i) => {
    const id = newNodeId(n.type, used);
    used.add(id);
    rename.set(n.id, id);
    const node = toCanvasNode({ ...structuredClone(n), id }, i);
    node.position = { x: node.position.x + offset.x, y: node.position.y + offset.y };
    node.selected = true;
    return node;
  });
  const edges: CanvasEdge[] = [];
  for (const e of fragment.edges) {
    const source = rename.get(e.source);
    const target = rename.get(e.target);
    if (source && target) edges.push({ id: `e-${source}-${target}`, source, target, selected: true });
  }
  return { nodes, edges };
}
