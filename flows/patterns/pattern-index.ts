// Many patterns in one index, for the router. Like event-ruler's state machine, every
// sub-rule (a pattern, or one $or combination of it) is a path of field conditions in
// field-name order, and paths share their common beginnings: rules that all ask for
// `type = hr.employee.updated` pass through one state, where the next field's values sit
// in one hash map. Matching an event walks only the states its values lead to, so the
// cost follows the event's size and the number of matches, not the number of rules.
// Array consistency is kept by carrying, along each walk, which array elements the values
// used so far came from.

import { flattenEvent, isConsistent, mergeMembership, type EventField, type Membership } from './event-fields.ts';
import type { FieldCondition } from './pattern-compiler.ts';
import { compilePattern, CompiledEventPattern } from './pattern.ts';
import { ValueIndex } from './value-index.ts';

/** A state of the index: the conditions of some sub-rules' first fields have held. */
class State<K> {
  /** Sub-rules passing through or ending here; the state goes when this drops to zero. */
  refs = 0;
  children: Map<string, State<K>> | null = null;
  fields: Map<string, ValueIndex<State<K>>> | null = null;
  absences: Map<string, State<K>[]> | null = null;
  /** Keys whose sub-rule ends here, with how many of their sub-rules do. */
  terminals: Map<K, number> | null = null;

  constructor(
    readonly id: number,
    readonly parent: State<K> | null,
    /** The condition that leads here from the parent. */
    readonly condition: FieldCondition | null,
  ) {}
}

interface Registration<K> {
  readonly compiled: CompiledEventPattern;
  /** For each sub-rule, the states it passes through (its last state holds the key). */
  readonly paths: readonly State<K>[][];
}

interface Task<K> {
  readonly state: State<K>;
  readonly membership: Membership;
}

/** Many compiled patterns in one index; match cost grows with the event's size and matches, not the number of rules. */
export class PatternIndex<K = string> {
  private readonly root: State<K> = new State(0, null, null);
  private readonly registrations = new Map<K, Registration<K>>();
  private nextStateId = 1;
  // Key steps and path depths in use, counted per registration, for skipping unused event parts.
  private readonly stepCounts = new Map<string, number>();
  private readonly depthCounts = new Map<number, number>();
  private maxPathSteps = 0;

  /** Adds a pattern (raw, or compiled by compilePattern) under a key, replacing the key's pattern; throws ERR_PATTERN_INVALID. */
  add(key: K, pattern: unknown): void {
    // Compile first: an invalid pattern must leave the key as it was.
    const compiled = pattern instanceof CompiledEventPattern ? pattern : (compilePattern(pattern) as CompiledEventPattern);
    this.remove(key);
    const paths = compiled.parsed.subRules.map((subRule) => {
      let state = this.root;
      const path = [state];
      for (const condition of subRule.conditions) {
        state = this.childFor(state, condition);
        state.refs++;
        path.push(state);
      }
      state.terminals ??= new Map();
      state.terminals.set(key, (state.terminals.get(key) ?? 0) + 1);
      return path;
    });
    this.registrations.set(key, { compiled, paths });
    this.countSteps(compiled, 1);
  }

  /** Removes the key's pattern; unknown keys are ignored. */
  remove(key: K): void {
    const registration = this.registrations.get(key);
    if (registration === undefined) return;
    this.registrations.delete(key);
    this.countSteps(registration.compiled, -1);
    for (const path of registration.paths) {
      const last = path[path.length - 1] as State<K>;
      const count = last.terminals?.get(key) ?? 0;
      if (count <= 1) last.terminals?.delete(key);
      else last.terminals?.set(key, count - 1);
      if (last.terminals?.size === 0) last.terminals = null;
      for (let i = path.length - 1; i >= 1; i--) {
        const state = path[i] as State<K>;
        state.refs--;
        if (state.refs === 0) this.detach(state);
      }
    }
  }

  /** Keys of all patterns the event matches, each once; never throws, and an event that is not an object matches nothing. */
  match(event: unknown): K[] {
    if (typeof event !== 'object' || event === null || Array.isArray(event) || this.registrations.size === 0) return [];
    try {
      return this.walk(event);
    } catch {
      // Only a non-JSON event (a throwing getter, a proxy) gets here; it matches nothing.
      return [];
    }
  }

  /** How many keys the index holds. */
  get size(): number {
    return this.registrations.size;
  }

  private walk(event: object): K[] {
    const fields = flattenEvent(event, { steps: this.stepCounts, maxObjectDepth: this.maxPathSteps });
    const found = new Set<K>();
    const seenStates = new Set<State<K>>();
    const seenWithMembership = new Set<string>();
    const stack: Task<K>[] = [];
    const targets: State<K>[] = [];
    const push = (state: State<K>, membership: Membership): void => {
      if (membership.length === 0) {
        if (seenStates.has(state)) return;
        seenStates.add(state);
      } else {
        const id = `${state.id}|${membership.join(',')}`;
        if (seenWithMembership.has(id)) return;
        seenWithMembership.add(id);
      }
      stack.push({ state, membership });
    };
    const follow = (index: ValueIndex<State<K>>, values: readonly EventField[], membership: Membership): void => {
      for (const field of values) {
        const merged = mergeMembership(membership, field.membership);
        if (merged === null) continue;
        targets.length = 0;
        index.collect(field, targets);
        for (const target of targets) push(target, merged);
      }
    };

    push(this.root, []);
    for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
      const { state, membership } = task;
      if (state.terminals !== null) for (const key of state.terminals.keys()) found.add(key);
      const transitions = state.fields;
      if (transitions !== null) {
        // Walk whichever side is smaller: the state's fields or the event's.
        if (transitions.size <= fields.size) {
          for (const [path, index] of transitions) {
            const values = fields.get(path);
            if (values !== undefined) follow(index, values, membership);
          }
        } else {
          for (const [path, values] of fields) {
            const index = transitions.get(path);
            if (index !== undefined) follow(index, values, membership);
          }
        }
      }
      if (state.absences !== null) {
        for (const [path, children] of state.absences) {
          const values = fields.get(path);
          if (values !== undefined && values.some((f) => isConsistent(membership, f.membership))) continue;
          for (const child of children) push(child, membership);
        }
      }
    }
    return [...found];
  }

  private childFor(state: State<K>, condition: FieldCondition): State<K> {
    const existing = state.children?.get(condition.key);
    if (existing !== undefined) return existing;
    const child = new State<K>(this.nextStateId++, state, condition);
    (state.children ??= new Map()).set(condition.key, child);
    if (condition.matchers.length > 0) {
      state.fields ??= new Map();
      let index = state.fields.get(condition.path);
      if (index === undefined) state.fields.set(condition.path, (index = new ValueIndex()));
      for (const matcher of condition.matchers) index.add(matcher, child);
    }
    if (condition.absent) {
      state.absences ??= new Map();
      const list = state.absences.get(condition.path);
      if (list === undefined) state.absences.set(condition.path, [child]);
      else list.push(child);
    }
    return child;
  }

  private detach(state: State<K>): void {
    const parent = state.parent;
    const condition = state.condition;
    if (parent === null || condition === null) return;
    parent.children?.delete(condition.key);
    if (parent.children?.size === 0) parent.children = null;
    const index = parent.fields?.get(condition.path);
    if (index !== undefined) {
      for (const matcher of condition.matchers) index.remove(matcher, state);
      if (index.isEmpty) parent.fields?.delete(condition.path);
      if (parent.fields?.size === 0) parent.fields = null;
    }
    const absent = parent.absences?.get(condition.path);
    if (absent !== undefined) {
      const rest = absent.filter((s) => s !== state);
      if (rest.length > 0) parent.absences?.set(condition.path, rest);
      else parent.absences?.delete(condition.path);
      if (parent.absences?.size === 0) parent.absences = null;
    }
  }

  private countSteps(compiled: CompiledEventPattern, delta: 1 | -1): void {
    for (const step of compiled.parsed.steps) bump(this.stepCounts, step, delta);
    bump(this.depthCounts, compiled.parsed.maxPathSteps, delta);
    this.maxPathSteps = Math.max(0, ...this.depthCounts.keys());
  }
}

function bump<Key>(counts: Map<Key, number>, key: Key, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
