// The field paths patterns use, as a tree of key steps ("data" → "status"). Reading an
// event follows this tree, so keys no pattern mentions, and objects below them, are never
// visited; each node also carries its full dotted path, so no path strings are built per
// event. Counted, so that an index can add and remove patterns.

import type { NumberFilter } from './number-filter.ts';

/** One key step; `path` is the dotted path from the root to here. */
export interface PathNode {
  readonly path: string;
  children: Map<string, PathNode> | null;
  /** How many registered paths end here (0: only a step towards longer paths). */
  ends: number;
  /** How many registered paths pass through or end here. */
  refs: number;
  /**
   * Set by an index when only numeric tests use this path: values here are worth reading
   * only when they are numbers the filter accepts. Null: every value is.
   */
  numbersOnly: NumberFilter | null;
}

export class PathTrie {
  readonly root: PathNode = { path: '', children: null, ends: 0, refs: 0, numbersOnly: null };

  /** Registers one use of a dotted path. */
  add(path: string): void {
    let node = this.root;
    for (const step of path.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(step);
      if (child === undefined) {
        child = { path: node === this.root ? step : `${node.path}.${step}`, children: null, ends: 0, refs: 0, numbersOnly: null };
        node.children.set(step, child);
      }
      child.refs++;
      node = child;
    }
    node.ends++;
  }

  /** The node of a dotted path, or undefined when no registered path reaches it. */
  find(path: string): PathNode | undefined {
    let node: PathNode | undefined = this.root;
    for (const step of path.split('.')) {
      node = node.children?.get(step);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** Drops one use of a dotted path added before. */
  remove(path: string): void {
    const steps = path.split('.');
    const nodes: PathNode[] = [this.root];
    for (const step of steps) {
      const child = nodes[nodes.length - 1]?.children?.get(step);
      if (child === undefined) return;
      nodes.push(child);
    }
    (nodes[nodes.length - 1] as PathNode).ends--;
    for (let i = nodes.length - 1; i >= 1; i--) {
      const node = nodes[i] as PathNode;
      node.refs--;
      if (node.refs === 0) {
        const parent = nodes[i - 1] as PathNode;
        parent.children?.delete(steps[i - 1] as string);
        if (parent.children?.size === 0) parent.children = null;
      }
    }
  }
}

/** The node reached from `node` by a key that may itself contain dots ("a.b" is a then b), or undefined. */
export function stepInto(node: PathNode, key: string): PathNode | undefined {
  const direct = node.children?.get(key);
  if (direct !== undefined || !key.includes('.')) return direct;
  let current: PathNode | undefined = node;
  for (const part of key.split('.')) {
    current = current.children?.get(part);
    if (current === undefined) return undefined;
  }
  return current;
}
