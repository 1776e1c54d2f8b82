// Flattens an event into its leaf values, keyed by dotted path ("data.status"), the way
// event-ruler reads events: nested objects and dots inside keys both join with '.', arrays
// contribute each element under the array's own path, and `{}`/`[]` contribute nothing.
// Every value remembers which element of which array of objects (or of arrays) it sits in,
// so that a pattern can insist all its fields come from the same element.

import { stepInto, type PathNode, type PathTrie } from './path-trie.ts';

/** A leaf value of an event. */
export type EventValue = string | number | boolean | null;

/**
 * Array membership: pairs [arrayId, elementIndex, ...] in ascending arrayId order, for every
 * enclosing array whose element is an object or an array. Shared, never mutated.
 */
export type Membership = readonly number[];

/** One leaf of a flattened event. */
export interface EventField {
  readonly value: EventValue;
  readonly membership: Membership;
  /** The value as an IP address in hex, computed on first use (undefined: not yet, null: not an IP). */
  ip?: string | null;
}

/** The leaves of an event by path, and the path of each array a membership names. */
export interface EventFields extends Map<string, EventField[]> {
  arrayPaths: string[];
}

/** An empty set of fields. */
export function createEventFields(): EventFields {
  const fields = new Map() as EventFields;
  fields.arrayPaths = [];
  return fields;
}

/** Nesting beyond this (objects and arrays together) is not read: JSON parsers refuse it too. */
export const MAX_EVENT_DEPTH = 1000;

export const EMPTY_MEMBERSHIP: Membership = Object.freeze([]) as Membership;

interface Pending {
  readonly node: object;
  readonly at: PathNode;
  /** The membership of the container holding `node`. */
  readonly outer: Membership;
  /** When `node` is an element of an array: that array's id and the element's index (else -1, -1). */
  readonly arrayId: number;
  readonly index: number;
  /** The membership of values in `node`, made on first use (most elements of coordinate arrays never need it). */
  membership: Membership | null;
  readonly depth: number;
}

function membershipOf(item: Pending): Membership {
  if (item.membership === null) item.membership = item.arrayId < 0 ? item.outer : withElement(item.outer, item.arrayId, item.index);
  return item.membership;
}

/** Whether a leaf value at `at` is worth keeping (see PathNode.numbersOnly). */
function isWanted(at: PathNode, value: unknown): boolean {
  const filter = at.numbersOnly;
  return filter === null || (typeof value === 'number' && filter.accepts(value));
}

/**
 * Flattens an event (any JS value; non-objects give no fields), reading only the paths of
 * the trie: other keys, and whatever sits below them, are skipped.
 */
export function flattenEvent(event: unknown, paths: PathTrie): EventFields {
  const fields = createEventFields();
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return fields;
  // An explicit stack: deeply nested events must not overflow the call stack.
  const stack: Pending[] = [{ node: event, at: paths.root, outer: EMPTY_MEMBERSHIP, arrayId: -1, index: -1, membership: EMPTY_MEMBERSHIP, depth: 0 }];
  let arrayCount = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, at, depth } = item;
    if (Array.isArray(node)) {
      const arrayId = arrayCount++;
      fields.arrayPaths[arrayId] = at.path;
      // All scalar elements share one path, so its list is looked up once.
      let leaves: EventField[] | undefined;
      for (let i = 0; i < node.length; i++) {
        const element: unknown = node[i];
        if (typeof element !== 'object' || element === null) {
          if (at.ends === 0 || !isLeafValue(element) || !isWanted(at, element)) continue;
          leaves ??= leafList(fields, at.path);
          leaves.push({ value: element as EventValue, membership: membershipOf(item) });
        } else if (depth < MAX_EVENT_DEPTH && (at.children !== null || Array.isArray(element))) {
          stack.push({ node: element, at, outer: membershipOf(item), arrayId, index: i, membership: null, depth: depth + 1 });
        }
      }
      continue;
    }
    if (at.children === null) continue;
    for (const key of Object.keys(node)) {
      const next = stepInto(at, key);
      if (next === undefined) continue;
      const value: unknown = (node as Record<string, unknown>)[key];
      if (typeof value !== 'object' || value === null) {
        if (next.ends > 0 && isWanted(next, value)) addLeaf(fields, next.path, value, membershipOf(item));
      } else if (depth < MAX_EVENT_DEPTH && (next.children !== null || (Array.isArray(value) && next.ends > 0))) {
        stack.push({ node: value, at: next, outer: membershipOf(item), arrayId: -1, index: -1, membership: null, depth: depth + 1 });
      }
    }
  }
  return fields;
}

function addLeaf(fields: EventFields, path: string, value: unknown, membership: Membership): void {
  if (isLeafValue(value)) leafList(fields, path).push({ value: value as EventValue, membership });
}

function isLeafValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || value === null;
}

function leafList(fields: EventFields, path: string): EventField[] {
  let list = fields.get(path);
  if (list === undefined) fields.set(path, (list = []));
  return list;
}

/** The membership of an element of array `arrayId` at `index`, inside `outer`. */
function withElement(outer: Membership, arrayId: number, index: number): Membership {
  const n = outer.length;
  const out = new Array<number>(n + 2);
  for (let i = 0; i < n; i++) out[i] = outer[i] as number;
  out[n] = arrayId;
  out[n + 1] = index;
  return out;
}

/** The membership of two fields together, or null when they sit in different elements of one array. */
export function mergeMembership(a: Membership, b: Membership): Membership | null {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const idA = a[i] as number;
    const idB = b[j] as number;
    if (idA === idB) {
      if (a[i + 1] !== b[j + 1]) return null;
      out.push(idA, a[i + 1] as number);
      i += 2;
      j += 2;
    } else if (idA < idB) {
      out.push(idA, a[i + 1] as number);
      i += 2;
    } else {
      out.push(idB, b[j + 1] as number);
      j += 2;
    }
  }
  for (; i < a.length; i += 2) out.push(a[i] as number, a[i + 1] as number);
  for (; j < b.length; j += 2) out.push(b[j] as number, b[j + 1] as number);
  return out;
}

/** Whether two memberships agree on every array they share. */
export function isConsistent(a: Membership, b: Membership): boolean {
  if (a.length === 0 || b.length === 0) return true;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const idA = a[i] as number;
    const idB = b[j] as number;
    if (idA === idB) {
      if (a[i + 1] !== b[j + 1]) return false;
      i += 2;
      j += 2;
    } else if (idA < idB) i += 2;
    else j += 2;
  }
  return true;
}
