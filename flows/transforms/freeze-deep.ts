// Compiled transforms hand out values they keep (their config, a constant's value);
// freezing them makes a consumer that mutates one fail loudly instead of corrupting the next render.

/** Freezes `value` and everything reachable from it; returns it. */
export function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freezeDeep(child);
  }
  return value;
}
