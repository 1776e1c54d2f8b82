// The field paths patterns use, as a tree of key steps ("data" → "status"). Reading an
// event follows this tree, so keys no pattern mentions, and objects below them, are never
// visited; each node also carries its full dotted path, so no path strings are built per
// event. Counted, so that an index can add and remove patterns.

import type { NumberFilter } from './number-filter.ts';

/** One key step; `path` is the dotted path from the root to here. */
export interface PathNode {
  readonly path: string;
  /** The last key step of the path ('' at the root). */
  readonly step: string;
  children: Map<string, PathNode> | null;
  /**
   * The children as a short list, for a JSON reader to compare keys in the text with
   * without building strings: set when there are at most MAX_LISTED_CHILDREN children and
   * every step is plain (no backslash, quote or control character, which JSON would escape).
   */
  childList: PathNode[] | null;
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

const MAX_LISTED_CHILDREN = 8;

function newNode(path: string, step: string): PathNode {
  return { path, step, children: null, childList: null, ends: 0, refs: 0, numbersOnly: null };
}

/** Whether JSON writes the text as it is (no quote, backslash or control character to escape). */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function listChildren(node: PathNode): void {
  const children = node.children;
  node.childList = null;
  if (children === null || children.size > MAX_LISTED_CHILDREN) return;
  const list = [...children.values()];
  if (list.every((child) => isPlain(child.step))) node.childList = list;
}

export class PathTrie {
  readonly root: PathNode = newNode('', '');

  /** Registers one use of a dotted path. */
  add(path: string): void {
    let node = this.root;
    for (const step of path.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(step);
      if (child === undefined) {
        child = newNode(node === this.root ? step : `${node.path}.${step}`, step);
        node.children.set(step, child);
        listChildren(node);
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
        listChildren(parent);
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
