// Auto-layout: a left-to-right layered drawing (dagre), so a flow reads like its data path.
import { Graph, layout } from '@dagrejs/dagre';
import type { CanvasEdge, CanvasNode } from './flow-model.ts';

const DEFAULT_SIZE = { width: 220, height: 72 };

/** The nodes moved to a layered left-to-right layout; unmoved nodes keep their identity. */
export function layoutNodes(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): CanvasNode[] {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    g.setNode(n.id, { width: n.measured?.width ?? DEFAULT_SIZE.width, height: n.measured?.height ?? DEFAULT_SIZE.height });
  }
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (!p) return n;
    const position = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
    return position.x === n.position.x && position.y === n.position.y ? n : { ...n, position };
  });
}
