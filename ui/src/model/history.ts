// Undo/redo over immutable snapshots of the canvas. Snapshots share structure with the
// state they were taken from, so keeping a hundred of them costs little.

export interface History<S> {
  past: S[];
  future: S[];
  /** What the last push was about, and when: typing in one field makes one undo step, not one per key. */
  lastKey: string | undefined;
  lastAt: number;
}

export const HISTORY_LIMIT = 100;
/** Edits with the same key closer together than this merge into one undo step. */
export const COALESCE_MS = 1000;

export function createHistory<S>(): History<S> {
  return { past: [], future: [], lastKey: undefined, lastAt: 0 };
}

/** Records `before` (the state an edit is about to replace). Same-key edits in quick succession record once. */
export function recordEdit<S>(h: History<S>, before: S, key?: string, now = Date.now()): History<S> {
  if (key !== undefined && key === h.lastKey && now - h.lastAt < COALESCE_MS) {
    return { ...h, lastAt: now, future: [] };
  }
  const past = [...h.past, before];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, future: [], lastKey: key, lastAt: now };
}

/** Steps back: returns the state to show and the new history, or undefined when there is nothing to undo. */
export function undo<S>(h: History<S>, current: S): { state: S; history: History<S> } | undefined {
  const state = h.past[h.past.length - 1];
  if (state === undefined) return undefined;
  return { state, history: { past: h.past.slice(0, -1), future: [current, ...h.future], lastKey: undefined, lastAt: 0 } };
}

export function redo<S>(h: History<S>, current: S): { state: S; history: History<S> } | undefined {
  const state = h.future[0];
  if (state === undefined) return undefined;
  return { state, history: { past: [...h.past, current], future: h.future.slice(1), lastKey: undefined, lastAt: 0 } };
}
