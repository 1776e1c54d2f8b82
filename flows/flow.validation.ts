import type { Problem } from './error-codes.ts';
import { FLOW_DOCUMENT_SCHEMA, type FlowDocument, type FlowNode } from './flow-document.ts';
import type { NodeCatalog, NodeKind } from './node-kinds.ts';
import { checkSchema } from './schema-check.ts';

/** Most source → target paths one flow may compile to; each path is a rule. */
export const MAX_PATHS_PER_FLOW = 1000;

export interface FlowGraph {
  doc: FlowDocument;
  nodes: Map<string, { node: FlowNode; index: number; kind: NodeKind | undefined }>;
  /** Outgoing node ids, per node id, in edge order. */
  next: Map<string, string[]>;
}

/**
 * Checks a whole flow document and returns every problem with its path and code ([] when
 * it can be deployed). Structure first; when the structure is too broken to read, stops there.
 */
export function validateFlow(input: unknown, catalog: NodeCatalog): Problem[] {
  const structural = checkSchema(FLOW_DOCUMENT_SCHEMA, input, '', 'ERR_FLOW_SCHEMA');
  const doc = input as FlowDocument;
  if (!isReadable(doc)) return structural.length ? structural : [{ code: 'ERR_FLOW_SCHEMA', path: '', message: 'A flow document must be an object with "nodes" and "edges" arrays' }];
  // Past the size limits, say so and stop: the graph checks are not meant for such documents.
  if (doc.nodes.length > MAX_NODES || doc.edges.length > MAX_EDGES) return structural;
  const problems = [...structural];
  const graph = readGraph(doc, catalog, problems);
  checkEdges(graph, problems);
  const cyclic = findCycle(graph);
  if (cyclic) {
    problems.push({ code: 'ERR_FLOW_CYCLE', path: `nodes[${graph.nodes.get(cyclic[0]!)?.index ?? 0}]`, message: `The flow has a cycle: ${cyclic.join(' → ')}` });
  }
  checkReachability(graph, problems, !cyclic);
  return problems;
}

const MAX_NODES = 1000;
const MAX_EDGES = 5000;

function isReadable(doc: FlowDocument): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Array.isArray(doc.nodes) && Array.isArray(doc.edges);
}

function readGraph(doc: FlowDocument, catalog: NodeCatalog, problems: Problem[]): FlowGraph {
  const nodes: FlowGraph['nodes'] = new Map();
  const webhookIds = new Map<string, number>();
  doc.nodes.forEach((node, index) => {
    if (typeof node !== 'object' || node === null || typeof node.id !== 'string') return;
    const path = `nodes[${index}]`;
    if (nodes.has(node.id)) {
      problems.push({ code: 'ERR_FLOW_DUPLICATE_NODE_ID', path: `${path}.id`, message: `Node id "${node.id}" is used by nodes[${nodes.get(node.id)!.index}] too` });
      return;
    }
    const kind = typeof node.type === 'string' ? catalog.get(node.type) : undefined;
    nodes.set(node.id, { node, index, kind });
    if (!kind) {
      if (typeof node.type === 'string') {
        problems.push({ code: 'ERR_FLOW_UNKNOWN_NODE_TYPE', path: `${path}.type`, message: `Unknown node type "${node.type}"; known: ${[...catalog.keys()].join(', ')}` });
      }
      return;
    }
    if (typeof node.config !== 'object' || node.config === null || Array.isArray(node.config)) return;
    const schemaProblems = checkSchema(kind.configSchema, node.config, `${path}.config`, 'ERR_FLOW_NODE_CONFIG');
    problems.push(...schemaProblems);
    if (schemaProblems.length === 0 && kind.checkConfig) {
      for (const p of kind.checkConfig(node.config)) {
        problems.push({ ...p, path: p.path ? `${path}.config.${p.path}` : `${path}.config`, message: `${path}.config${p.path ? `.${p.path}` : ''}: ${p.message}` });
      }
    }
    if (node.connection !== undefined && !kind.connectionKinds?.length) {
      problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path: `${path}.connection`, message: `${path}.connection: a "${node.type}" node takes no connection` });
    }
    if (node.connection === undefined && kind.connectionRequired) {
      problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path: `${path}.connection`, message: `${path}.connection: a "${node.type}" node needs a connection (${(kind.connectionKinds ?? []).join(', ')})` });
    }
    if (node.delivery && kind.role !== 'target') {
      problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path: `${path}.delivery`, message: `${path}.delivery: only target nodes have a delivery policy` });
    }
    if (node.type === 'source.webhook' && typeof node.config.sourceId === 'string') {
      const other = webhookIds.get(node.config.sourceId);
      if (other !== undefined) {
        problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path: `${path}.config.sourceId`, message: `Webhook source id "${node.config.sourceId}" is also used by nodes[${other}]` });
      } else webhookIds.set(node.config.sourceId, index);
    }
  });
  const next = new Map<string, string[]>([...nodes.keys()].map((id) => [id, []]));
  for (const edge of doc.edges) {
    if (typeof edge === 'object' && edge !== null && nodes.has(edge.source) && nodes.has(edge.target)) {
      const out = next.get(edge.source)!;
      if (!out.includes(edge.target)) out.push(edge.target);
    }
  }
  return { doc, nodes, next };
}

function checkEdges(graph: FlowGraph, problems: Problem[]): void {
  graph.doc.edges.forEach((edge, index) => {
    if (typeof edge !== 'object' || edge === null) return;
    const path = `edges[${index}]`;
    for (const end of ['source', 'target'] as const) {
      if (typeof edge[end] === 'string' && !graph.nodes.has(edge[end])) {
        problems.push({ code: 'ERR_FLOW_EDGE_UNKNOWN_NODE', path: `${path}.${end}`, message: `${path}.${end}: no node has the id "${edge[end]}"` });
      }
    }
    const from = graph.nodes.get(edge.source)?.kind;
    const to = graph.nodes.get(edge.target)?.kind;
    if (from?.role === 'target') {
      problems.push({ code: 'ERR_FLOW_EDGE_DIRECTION', path, message: `${path}: an edge cannot leave a target node ("${edge.source}")` });
    }
    if (to?.role === 'source') {
      problems.push({ code: 'ERR_FLOW_EDGE_DIRECTION', path, message: `${path}: an edge cannot enter a source node ("${edge.target}")` });
    }
  });
}

/** A cycle as a list of node ids (first repeated at the end), or undefined. */
function findCycle(graph: FlowGraph): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  for (const start of graph.nodes.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; i: number }[] = [{ id: start, i: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const out = graph.next.get(top.id) ?? [];
      if (top.i >= out.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const nxt = out[top.i++]!;
      const s = state.get(nxt);
      if (s === 1) {
        const ids = stack.map((f) => f.id);
        return [...ids.slice(ids.indexOf(nxt)), nxt];
      }
      if (s === undefined) {
        state.set(nxt, 1);
        stack.push({ id: nxt, i: 0 });
      }
    }
  }
  return undefined;
}

function checkReachability(graph: FlowGraph, problems: Problem[], acyclic: boolean): void {
  const sources = [...graph.nodes.values()].filter((n) => n.kind?.role === 'source');
  const targets = [...graph.nodes.values()].filter((n) => n.kind?.role === 'target');
  if (sources.length === 0) problems.push({ code: 'ERR_FLOW_NO_SOURCE', path: 'nodes', message: 'The flow needs at least one source node' });
  if (targets.length === 0) problems.push({ code: 'ERR_FLOW_NO_TARGET', path: 'nodes', message: 'The flow needs at least one target node' });
  if (!sources.length || !targets.length) return;
  // A node is useful when it is reachable from a source and can reach a target.
  const fromSource = walk(sources.map((s) => s.node.id), graph.next);
  const reverse = new Map<string, string[]>([...graph.nodes.keys()].map((id) => [id, []]));
  for (const [from, tos] of graph.next) for (const to of tos) reverse.get(to)!.push(from);
  const toTarget = walk(targets.map((t) => t.node.id), reverse);
  for (const { node, index } of graph.nodes.values()) {
    if (!fromSource.has(node.id) || !toTarget.has(node.id)) {
      const why = !fromSource.has(node.id) ? 'no source leads to it' : 'it leads to no target';
      problems.push({ code: 'ERR_FLOW_UNREACHABLE_NODE', path: `nodes[${index}]`, message: `Node "${node.id}" is not on any path from a source to a target: ${why}` });
    }
  }
  if (!acyclic) return;
  const paths = countPaths(graph, sources.map((s) => s.node.id));
  if (paths > MAX_PATHS_PER_FLOW) {
    problems.push({ code: 'ERR_FLOW_INVALID', path: 'edges', message: `The flow has more than ${MAX_PATHS_PER_FLOW} source-to-target paths; at most ${MAX_PATHS_PER_FLOW} are allowed (each path is a rule)` });
  }
}

function walk(starts: string[], next: Map<string, string[]>): Set<string> {
  const seen = new Set(starts);
  const todo = [...starts];
  while (todo.length) {
    for (const n of next.get(todo.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        todo.push(n);
      }
    }
  }
  return seen;
}

/** Source → target paths, counted without recursion (the graph is acyclic here), capped just past the limit. */
function countPaths(graph: FlowGraph, sources: string[]): number {
  const cap = MAX_PATHS_PER_FLOW + 1;
  // Post-order over the DAG with an explicit stack: a node's count is known once its successors' are.
  const memo = new Map<string, number>();
  for (const start of sources) {
    const stack: { id: string; expanded: boolean }[] = [{ id: start, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (memo.has(top.id)) {
        stack.pop();
        continue;
      }
      const out = graph.next.get(top.id) ?? [];
      if (!top.expanded) {
        top.expanded = true;
        for (const n of out) if (!memo.has(n)) stack.push({ id: n, expanded: false });
        continue;
      }
      let n = graph.nodes.get(top.id)?.kind?.role === 'target' ? 1 : 0;
      for (const nxt of out) n = Math.min(n + (memo.get(nxt) ?? 0), cap);
      memo.set(top.id, n);
      stack.pop();
    }
  }
  return sources.reduce((sum, s) => Math.min(sum + (memo.get(s) ?? 0), cap), 0);
}
