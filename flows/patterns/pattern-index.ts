// Many patterns in one index, for the router. Like event-ruler's state machine, every
// sub-rule (a pattern, or one $or combination of it) is a path of field conditions in
// field-name order, and paths share their common beginnings: rules that all ask for
// `type = hr.employee.updated` pass through one state, where the next field's values sit
// in one hash map. Matching an event walks only the states its values lead to, so the
// cost follows the event's size and the number of matches, not the number of rules.
// Array consistency is kept by carrying, along each walk, which array elements the values
// used so far came from.

import { EMPTY_MEMBERSHIP, flattenEvent, isConsistent, mergeMembership, type EventField, type EventFields, type Membership } from './event-fields.ts';
import { flattenJson } from './json-event-reader.ts';
import { NumberFilter } from './number-filter.ts';
import { PathTrie } from './path-trie.ts';
import type { FieldCondition } from './pattern-compiler.ts';
import { compilePattern, CompiledEventPattern, type CompiledPattern } from './pattern.ts';
import { ValueIndex } from './value-index.ts';
import type { NumericRange } from './numeric-range.ts';

/** A state of the index: the conditions of some sub-rules' first fields have held. */
class State<K> {
  /** Sub-rules passing through or ending here; the state goes when this drops to zero. */
  refs = 0;
  children: Map<string, State<K>> | null = null;
  fields: Map<string, ValueIndex<State<K>>> | null = null;
  absences: Map<string, State<K>[]> | null = null;
  /** Registrations whose sub-rule ends here, once per such sub-rule. */
  terminals: Registration<K>[] | null = null;
  /** The match call that last reached this state with no array membership (see PatternIndex.epoch). */
  seenEpoch = 0;
  /** Every prefix of every field path tested below this state, as of index version `aheadVersion`. */
  ahead: Set<string> | null = null;
  aheadVersion = -1;

  constructor(
    readonly id: number,
    readonly parent: State<K> | null,
    /** The condition that leads here from the parent. */
    readonly condition: FieldCondition | null,
  ) {}
}

interface Registration<K> {
  readonly key: K;
  readonly compiled: CompiledEventPattern;
  /** For each sub-rule, the states it passes through (its last state holds the registration). */
  paths: readonly State<K>[][];
  /** The match call that last reported this key. */
  matchedEpoch: number;
}

/** Many compiled patterns in one index; match cost grows with the event's size and matches, not the number of rules. */
export class PatternIndex<K = string> {
  private readonly root: State<K> = new State(0, null, null);
  private readonly registrations = new Map<K, Registration<K>>();
  private nextStateId = 1;
  /** Field paths in use, counted per registration: the parts of an event worth reading. */
  private readonly trie = new PathTrie();
  // Per match call: a number marking states and keys already reached (cheaper than fresh Sets),
  // and work lists kept between calls to spare allocations.
  private epoch = 0;
  /** Bumped on every change, to invalidate what states cache about their descendants. */
  private version = 0;
  private readonly pendingStates: State<K>[] = [];
  private readonly pendingMemberships: Membership[] = [];
  private readonly targets: State<K>[] = [];
  private readonly seenWithMembership = new Set<string>();
  private arrayPaths: string[] = [];
  /** The value tests of each field path across all states, to let readers drop values no test can pass. */
  private readonly pathTests = new Map<string, PathTests>();
  /** Paths whose tests changed since their reading filters were last set. */
  private readonly changedPaths = new Set<string>();

  /** Adds a pattern (raw, or compiled by compilePattern) under a key, replacing the key's pattern; throws ERR_PATTERN_INVALID. */
  add(key: K, pattern: unknown): void {
    // Compile first: an invalid pattern must leave the key as it was.
    const compiled = toCompiled(pattern);
    this.remove(key);
    this.version++;
    const registration: Registration<K> = { key, compiled, paths: [], matchedEpoch: 0 };
    registration.paths = compiled.parsed.subRules.map((subRule) => {
      let state = this.root;
      const path = [state];
      for (const condition of subRule.conditions) {
        state = this.childFor(state, condition);
        state.refs++;
        path.push(state);
      }
      (state.terminals ??= []).push(registration);
      return path;
    });
    this.countTests(compiled, 1);
    this.registrations.set(key, registration);
    for (const path of compiled.parsed.paths) this.trie.add(path);
  }

  /** Removes the key's pattern; unknown keys are ignored. */
  remove(key: K): void {
    const registration = this.registrations.get(key);
    if (registration === undefined) return;
    this.registrations.delete(key);
    this.version++;
    for (const path of registration.compiled.parsed.paths) this.trie.remove(path);
    this.countTests(registration.compiled, -1);
    for (const path of registration.paths) {
      const last = path[path.length - 1] as State<K>;
      const at = last.terminals?.indexOf(registration) ?? -1;
      if (at >= 0) last.terminals?.splice(at, 1);
      if (last.terminals?.length === 0) last.terminals = null;
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
    if (this.changedPaths.size > 0) this.updateFilters();
    try {
      return this.walk(flattenEvent(event, this.trie));
    } catch {
      // Only a non-JSON event (a throwing getter, a proxy) gets here; it matches nothing.
      return [];
    }
  }

  /**
   * Keys of all patterns the event in this JSON text matches: the same answer as
   * match(JSON.parse(text)), faster, because parts no pattern uses are only scanned.
   * Never throws; text that is not JSON, or not an object, matches nothing.
   */
  matchJson(text: string): K[] {
    if (this.registrations.size === 0) return [];
    if (this.changedPaths.size > 0) this.updateFilters();
    const fields = flattenJson(text, this.trie);
    if (fields === 'not-an-object') return [];
    if (fields === 'repeated-key') return this.match(parseOrUndefined(text));
    try {
      return this.walk(fields);
    } catch {
      return [];
    }
  }

  /** How many keys the index holds. */
  get size(): number {
    return this.registrations.size;
  }

  /** Adds (+1) or removes (-1) a pattern's value tests from the per-path counts. */
  private countTests(compiled: CompiledEventPattern, delta: 1 | -1): void {
    for (const subRule of compiled.parsed.subRules) {
      for (const condition of subRule.conditions) {
        let tests = this.pathTests.get(condition.path);
        if (tests === undefined) this.pathTests.set(condition.path, (tests = new PathTests()));
        tests.count(condition, delta);
        if (tests.isEmpty) this.pathTests.delete(condition.path);
        this.changedPaths.add(condition.path);
      }
    }
  }

  /** Sets the reading filter of each changed path: numbers only, in the union of its intervals, when only numeric tests use it. */
  private updateFilters(): void {
    for (const path of this.changedPaths) {
      const node = this.trie.find(path);
      if (node !== undefined) node.numbersOnly = this.pathTests.get(path)?.numberFilter() ?? null;
    }
    this.changedPaths.clear();
  }

  private walk(fields: EventFields): K[] {
    const epoch = ++this.epoch;
    const found: K[] = [];
    const states = this.pendingStates;
    const memberships = this.pendingMemberships;
    states.length = 0;
    memberships.length = 0;
    this.seenWithMembership.clear();
    this.arrayPaths = fields.arrayPaths;
    this.enqueue(this.root, EMPTY_MEMBERSHIP, epoch);
    for (let state = states.pop(); state !== undefined; state = states.pop()) {
      const membership = memberships.pop() as Membership;
      if (state.terminals !== null) {
        for (const registration of state.terminals) {
          if (registration.matchedEpoch === epoch) continue;
          registration.matchedEpoch = epoch;
          found.push(registration.key);
        }
      }
      const transitions = state.fields;
      if (transitions !== null) {
        // Walk whichever side is smaller: the state's fields or the event's.
        if (transitions.size <= fields.size) {
          for (const [path, index] of transitions) {
            const values = fields.get(path);
            if (values !== undefined) this.follow(index, values, membership, epoch);
          }
        } else {
          for (const [path, values] of fields) {
            const index = transitions.get(path);
            if (index !== undefined) this.follow(index, values, membership, epoch);
          }
        }
      }
      if (state.absences !== null) {
        for (const [path, children] of state.absences) {
          const values = fields.get(path);
          if (values !== undefined && values.some((f) => isConsistent(membership, f.membership))) continue;
          for (const child of children) this.enqueue(child, membership, epoch);
        }
      }
    }
    return found;
  }

  /** Queues the states the values lead to from one field's tests. */
  private follow(index: ValueIndex<State<K>>, values: readonly EventField[], membership: Membership, epoch: number): void {
    const targets = this.targets;
    for (const field of values) {
      const merged = mergeMembership(membership, field.membership);
      if (merged === null) continue;
      const count = index.collect(field, targets);
      for (let i = 0; i < count; i++) this.enqueue(targets[i] as State<K>, merged, epoch);
    }
  }

  /** Queues a state unless this match call already reached it with the same array membership. */
  private enqueue(state: State<K>, membership: Membership, epoch: number): void {
    // Array membership only matters for arrays that fields tested further on sit in; dropping
    // the rest lets many values of one array (coordinates, say) reach a state only once.
    if (membership.length !== 0) membership = this.relevantMembership(state, membership);
    if (membership.length === 0) {
      if (state.seenEpoch === epoch) return;
      state.seenEpoch = epoch;
    } else {
      const id = `${state.id}|${membership.join(',')}`;
      if (this.seenWithMembership.has(id)) return;
      this.seenWithMembership.add(id);
    }
    this.pendingStates.push(state);
    this.pendingMemberships.push(membership);
  }

  private relevantMembership(state: State<K>, membership: Membership): Membership {
    if (state.fields === null && state.absences === null) return EMPTY_MEMBERSHIP;
    if (state.aheadVersion !== this.version) {
      state.ahead = pathPrefixesBelow(state);
      state.aheadVersion = this.version;
    }
    const ahead = state.ahead as Set<string>;
    let kept: number[] | null = null;
    for (let i = 0; i < membership.length; i += 2) {
      const relevant = ahead.has(this.arrayPaths[membership[i] as number] as string);
      if (kept === null) {
        if (relevant) continue;
        kept = membership.slice(0, i) as number[];
      } else if (relevant) {
        kept.push(membership[i] as number, membership[i + 1] as number);
      }
    }
    return kept === null ? membership : kept;
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
}

/**
 * The tests of one field path across an index: how many cannot be summed up as numeric
 * intervals (other operators, `exists`, absence), and the intervals of those that can
 * (numeric ranges, and exact numbers as one-point intervals), counted.
 */
class PathTests {
  private others = 0;
  private readonly intervals = new Map<string, { range: NumericRange; count: number }>();

  get isEmpty(): boolean {
    return this.others === 0 && this.intervals.size === 0;
  }

  count(condition: FieldCondition, delta: 1 | -1): void {
    if (condition.absent) this.others += delta;
    for (const matcher of condition.matchers) {
      let range: NumericRange;
      if (matcher.kind === 'numeric') range = matcher.range;
      else if (matcher.kind === 'exact-number') range = { low: matcher.value, lowOpen: false, high: matcher.value, highOpen: false };
      else {
        this.others += delta;
        continue;
      }
      const key = `${range.lowOpen ? '(' : '['}${range.low},${range.high}${range.highOpen ? ')' : ']'}`;
      const entry = this.intervals.get(key);
      if (entry === undefined) this.intervals.set(key, { range, count: delta });
      else if ((entry.count += delta) === 0) this.intervals.delete(key);
    }
  }

  /** A filter when only numeric tests use the path, else null (every value must be read). */
  numberFilter(): NumberFilter | null {
    if (this.others !== 0 || this.intervals.size === 0) return null;
    return NumberFilter.of([...this.intervals.values()].map((e) => e.range));
  }
}

/** Our compiled form of a raw pattern, a compiled one, or another CompiledPattern (recompiled from its pattern). */
function toCompiled(pattern: unknown): CompiledEventPattern {
  if (pattern instanceof CompiledEventPattern) return pattern;
  const other = pattern as Partial<CompiledPattern> | null;
  const isForeign = typeof other === 'object' && other !== null && 'pattern' in other && typeof other.matches === 'function';
  return compilePattern(isForeign ? other.pattern : pattern) as CompiledEventPattern;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every prefix ("a", "a.b") of every field path tested in the states below `state`. */
function pathPrefixesBelow<K>(state: State<K>): Set<string> {
  const prefixes = new Set<string>();
  const stack = [state];
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    if (s.children === null) continue;
    for (const child of s.children.values()) {
      const path = (child.condition as FieldCondition).path;
      if (!prefixes.has(path)) {
        prefixes.add(path);
        for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', dot + 1)) prefixes.add(path.slice(0, dot));
      }
      stack.push(child);
    }
  }
  return prefixes;
}
