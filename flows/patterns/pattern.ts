// The event pattern language of AWS EventBridge (as aws/event-ruler defines it): compile a
// pattern once, then test events against it. For many patterns at once use PatternIndex.

import { FlowbridgeError, type Problem } from '../error-codes.ts';
import { flattenEvent, isConsistent, mergeMembership, type EventFields, type Membership } from './event-fields.ts';
import { PathTrie } from './path-trie.ts';
import { parsePattern, type ParsedPattern, type SubRule } from './pattern-compiler.ts';
import { testValue } from './value-matcher.ts';

/** A parsed, valid pattern. */
export interface CompiledPattern {
  /** The pattern as given. */
  readonly pattern: unknown;
  /** Whether the event matches; never throws, and an event that is not an object matches nothing. */
  matches(event: unknown): boolean;
}

/** Parses and validates a pattern once; throws FlowbridgeError('ERR_PATTERN_INVALID', <event-ruler's reason>). */
export function compilePattern(pattern: unknown): CompiledPattern {
  const { parsed, problems } = parsePattern(pattern);
  if (parsed === null) {
    const first = problems[0];
    throw new FlowbridgeError('ERR_PATTERN_INVALID', first?.message ?? 'Invalid pattern', problems);
  }
  return new CompiledEventPattern(pattern, parsed);
}

/** Problems of a pattern, [] when valid; each path is relative to the pattern (e.g. "data.status[0].prefix"). */
export function validatePattern(pattern: unknown): Problem[] {
  return parsePattern(pattern).problems;
}

/** The compiled form; PatternIndex reads its sub-rules. */
export class CompiledEventPattern implements CompiledPattern {
  // Built on first use: patterns held by an index never need their own.
  private trie: PathTrie | null = null;

  constructor(
    readonly pattern: unknown,
    readonly parsed: ParsedPattern,
  ) {}

  matches(event: unknown): boolean {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
    try {
      if (this.trie === null) {
        this.trie = new PathTrie();
        for (const path of this.parsed.paths) this.trie.add(path);
      }
      const fields = flattenEvent(event, this.trie);
      return this.parsed.subRules.some((subRule) => matchSubRule(subRule, fields));
    } catch {
      // Only a non-JSON event (a throwing getter, a proxy) gets here; it matches nothing.
      return false;
    }
  }
}

/**
 * Whether one sub-rule holds for a flattened event: each condition is met by a value whose
 * array membership agrees with the values chosen for earlier conditions (in path order), or,
 * for `exists: false`, no value of the field agrees with them.
 */
export function matchSubRule(subRule: SubRule, fields: EventFields): boolean {
  const conditions = subRule.conditions;
  // Failed (condition, membership) pairs: without this, arrays of repeated values make the search exponential.
  const failed = new Set<string>();
  const search = (index: number, membership: Membership): boolean => {
    const condition = conditions[index];
    if (condition === undefined) return true;
    const memo = membership.length === 0 ? `${index}` : `${index}|${membership.join(',')}`;
    if (failed.has(memo)) return false;
    const candidates = fields.get(condition.path);
    if (condition.absent && (candidates === undefined || !candidates.some((f) => isConsistent(membership, f.membership)))) {
      if (search(index + 1, membership)) return true;
    }
    if (candidates !== undefined && condition.matchers.length > 0) {
      for (const field of candidates) {
        const merged = mergeMembership(membership, field.membership);
        if (merged === null) continue;
        if (!condition.matchers.some((m) => testValue(m, field))) continue;
        if (search(index + 1, merged)) return true;
      }
    }
    failed.add(memo);
    return false;
  };
  return search(0, []);
}
