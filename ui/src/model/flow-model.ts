// The adapter between a FlowDocument (what the API stores) and React Flow's nodes and edges
// (what the canvas draws). Everything the document says survives a round trip; the canvas
// adds only view state (selection, measured size), which the document never sees.
import type { Edge, Node } from '@xyflow/react';
import type { Problem } from '../../../flows/error-codes.ts';
import type { DeliveryPolicy, FlowDocument, FlowEdge, FlowNode } from '../../../flows/flow-document.ts';

/** What a canvas node carries: the FlowNode without its id and position. */
export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  name?: string;
  config: Record<string, unknown>;
  delivery?: Partial<DeliveryPolicy>;
  /** Connector nodes: the stored connection whose credentials they use. */
  connection?: string;
}

export type CanvasNode = Node<FlowNodeData, 'flowNode'>;
export type CanvasEdge = Edge;

/** The document without its graph: id, name, description, version, bus, defaults. */
export type FlowMeta = Omit<FlowDocument, 'nodes' | 'edges'>;

export interface CanvasFlow {
  meta: FlowMeta;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** True when some node had no position (the editor lays those flows out). */
  needsLayout: boolean;
}

export const NODE_TYPE = 'flowNode';
const GRID_X = 260;
const GRID_Y = 140;

/** Canvas id of an edge: its own id, or one derived from its ends. */
export function edgeIdOf(edge: FlowEdge): string {
  return edge.id ?? `e-${edge.source}-${edge.target}`;
}

/** A FlowNode as a canvas node. */
export function toCanvasNode(node: FlowNode, fallbackIndex: number): CanvasNode {
  const data: FlowNodeData = { type: node.type, config: node.config ?? {} };
  if (node.name !== undefined) data.name = node.name;
  if (node.delivery !== undefined) data.delivery = node.delivery;
  if (node.connection !== undefined) data.connection = node.connection;
  return {
    id: node.id,
    type: NODE_TYPE,
    position: node.position ? { x: node.position.x, y: node.position.y } : { x: (fallbackIndex % 4) * GRID_X, y: Math.floor(fallbackIndex / 4) * GRID_Y },
    data,
  };
}

export function toCanvasEdge(edge: FlowEdge): CanvasEdge {
  return { id: edgeIdOf(edge), source: edge.source, target: edge.target };
}

/** A FlowDocument as canvas nodes and edges plus the rest of the document. */
export function toCanvas(doc: FlowDocument): CanvasFlow {
  const { nodes, edges, ...meta } = doc;
  return {
    meta,
    nodes: nodes.map((n, i) => toCanvasNode(n, i)),
    edges: edges.map(toCanvasEdge),
    needsLayout: nodes.some((n) => !n.position),
  };
}

/** A canvas node as a FlowNode (positions rounded: sub-pixel drags are not changes worth a diff). */
export function toFlowNode(node: CanvasNode): FlowNode {
  const { type, name, config, delivery, connection } = node.data;
  return {
    id: node.id,
    type,
    ...(name !== undefined && name !== '' ? { name } : {}),
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    config,
    ...(connection ? { connection } : {}),
    ...(delivery !== undefined && Object.keys(delivery).length ? { delivery } : {}),
  };
}

export function toFlowEdge(edge: CanvasEdge): FlowEdge {
  return { id: edge.id, source: edge.source, target: edge.target };
}

/** The document the canvas shows. */
export function toDocument(meta: FlowMeta, nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): FlowDocument {
  return { ...meta, nodes: nodes.map(toFlowNode), edges: edges.map(toFlowEdge) };
}

/** A fresh node id for a kind, unused in `taken`: `webhook-1`, `filter-2`, `http-1`. */
export function newNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_-]/g, '-') || 'node';
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!taken.has(id)) return id;
  }
}

export interface ProblemIndex {
  byNode: Map<string, Problem[]>;
  byEdge: Map<string, Problem[]>;
  /** Problems of the flow as a whole (no source, no target, name, too many paths). */
  flow: Problem[];
}

const NODE_PATH = /^nodes\[(\d+)\]/;
const EDGE_PATH = /^edges\[(\d+)\]/;

/** Assigns each validation problem to the node or edge its path names (`nodes[3].config.url` → node 3). */
export function indexProblems(doc: FlowDocument, problems: readonly Problem[]): ProblemIndex {
  const index: ProblemIndex = { byNode: new Map(), byEdge: new Map(), flow: [] };
  for (const p of problems) {
    const n = NODE_PATH.exec(p.path);
    const node = n ? doc.nodes[Number(n[1])] : undefined;
    if (node) {
      const list = index.byNode.get(node.id) ?? [];
      list.push(p);
      index.byNode.set(node.id, list);
      continue;
    }
    const e = EDGE_PATH.exec(p.path);
    const edge = e ? doc.edges[Number(e[1])] : undefined;
    if (edge) {
      const id = edgeIdOf(edge);
      const list = index.byEdge.get(id) ?? [];
      list.push(p);
      index.byEdge.set(id, list);
      continue;
    }
    index.flow.push(p);
  }
  return index;
}

/**
 * Where inside a node's config a problem points, as a dotted field path ('' for the config
 * itself, 'url', 'headers.X-Api'); undefined when it is not about the config. A missing
 * required property is placed on that property, where the user will fill it in.
 */
export function configFieldOf(problem: Problem, nodeIndex: number): string | undefined {
  const base = `nodes[${nodeIndex}].config`;
  if (!problem.path.startsWith(base)) return undefined;
  let rest = problem.path.slice(base.length).replace(/^\./, '');
  rest = rest.replace(/\[(\d+)\]/g, '.$1').replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_m, k: string) => `.${JSON.parse(`"${k}"`) as string}`).replace(/^\./, '');
  const missing = /missing the required property "([^"]+)"/.exec(problem.message);
  if (missing) rest = rest ? `${rest}.${missing[1]}` : missing[1]!;
  return rest;
}

/** A problem's message without the path it starts with (the form shows it beside the field already). */
export function problemText(problem: Problem): string {
  let text = problem.message;
  if (problem.path && text.startsWith(problem.path)) text = text.slice(problem.path.length);
  text = text.replace(/^[:\s]+/, '');
  const missing = /^is missing the required property "([^"]+)"$/.exec(text);
  if (missing) return 'is required';
  return text || problem.message;
}
