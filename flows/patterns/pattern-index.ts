// Many compiled patterns in one index, for the router: one call finds every pattern an
// event matches. (First version: evaluates each pattern in turn; the indexed version
// replaces the loop without changing this interface.)

import { compilePattern, CompiledEventPattern, type CompiledPattern } from './pattern.ts';

/** Many compiled patterns in one index; match cost grows with the event's size and matches, not the number of rules. */
export class PatternIndex<K = string> {
  private readonly patterns = new Map<K, CompiledPattern>();

  /** Adds a pattern (raw or compiled) under a key, replacing what the key had; throws ERR_PATTERN_INVALID. */
  add(key: K, pattern: unknown): void {
    const compiled = pattern instanceof CompiledEventPattern ? pattern : compilePattern(pattern);
    this.patterns.set(key, compiled);
  }

  /** Removes the key's pattern; unknown keys are ignored. */
  remove(key: K): void {
    this.patterns.delete(key);
  }

  /** Keys of all patterns the event matches, each once; an event that is not an object matches nothing. */
  match(event: unknown): K[] {
    const keys: K[] = [];
    for (const [key, compiled] of this.patterns) if (compiled.matches(event)) keys.push(key);
    return keys;
  }

  /** How many keys the index holds. */
  get size(): number {
    return this.patterns.size;
  }
}
