// What a deploy changes: the difference between the deployed document and the one about
// to be deployed, in terms a user checks before pressing Deploy. Canvas positions are not
// behaviour, so they are left out.
import type { FlowDocument, FlowNode } from '../../../flows/flow-document.ts';
import { edgeIdOf } from './flow-model.ts';

export interface ValueChange {
  /** Dotted path inside the node or flow (`config.url`, `delivery.maxAttempts`, `name`). */
  path: string;
  before: unknown;
  after: unknown;
}

export type DiffEntry =
  | { kind: 'added' | 'removed'; what: 'node'; id: string; label: string }
  | { kind: 'changed'; what: 'node'; id: string; label: string; changes: ValueChange[] }
  | { kind: 'added' | 'removed'; what: 'edge'; id: string; label: string }
  | { kind: 'changed'; what: 'flow'; id: string; label: string; changes: ValueChange[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf-level differences between two JSON values; arrays compare as whole values. */
export function diffValues(before: unknown, after: unknown, path = ''): ValueChange[] {
  // An object that appears or goes is compared with an empty one, so the change names its fields.
  if ((isObject(before) && after === undefined) || (before === undefined && isObject(after))) {
    return diffValues(before ?? {}, after ?? {}, path);
  }
  if (isObject(before) && isObject(after)) {
    const out: ValueChange[] = [];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...diffValues(before[key], after[key], path ? `${path}.${key}` : key));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

function behaviourOf(node: FlowNode): Record<string, unknown> {
  const { position: _p, id: _i, ...rest } = node;
  return rest;
}

const label = (n: FlowNode) => n.name ?? n.id;

/** Every behavioural difference from `before` (the deployed flow; undefined when none is) to `after`. */
export function diffFlows(before: FlowDocument | undefined, after: FlowDocument): DiffEntry[] {
  const out: DiffEntry[] = [];
  const old = new Map((before?.nodes ?? []).map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const flowChanges = diffValues(
    { name: before?.name, description: before?.description, bus: before?.bus ?? 'default', defaults: before?.defaults },
    { name: after.name, description: after.description, bus: after.bus ?? 'default', defaults: after.defaults },
  );
  if (before && flowChanges.length) out.push({ kind: 'changed', what: 'flow', id: after.id ?? '', label: 'Flow settings', changes: flowChanges });
  for (const n of after.nodes) {
    const prev = old.get(n.id);
    if (!prev) out.push({ kind: 'added', what: 'node', id: n.id, label: label(n) });
    else {
      const changes = diffValues(behaviourOf(prev), behaviourOf(n));
      if (changes.length) out.push({ kind: 'changed', what: 'node', id: n.id, label: label(n), changes });
    }
  }
  for (const n of before?.nodes ?? []) if (!now.has(n.id)) out.push({ kind: 'removed', what: 'node', id: n.id, label: label(n) });
  const nameOf = (doc: FlowDocument | undefined, id: string) => {
    const n = doc?.nodes.find((x) => x.id === id);
    return n ? label(n) : id;
  };
  const key = (e: { source: string; target: string }) => `${e.source}\u0000${e.target}`;
  const oldEdges = new Set((before?.edges ?? []).map(key));
  const newEdges = new Set(after.edges.map(key));
  for (const e of after.edges) {
    if (!oldEdges.has(key(e))) out.push({ kind: 'added', what: 'edge', id: edgeIdOf(e), label: `${nameOf(after, e.source)} → ${nameOf(after, e.target)}` });
  }
  for (const e of before?.edges ?? []) {
    if (!newEdges.has(key(e))) out.push({ kind: 'removed', what: 'edge', id: edgeIdOf(e), label: `${nameOf(before, e.source)} → ${nameOf(before, e.target)}` });
  }
  return out;
}
