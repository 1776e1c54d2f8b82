// A native regular expression cannot be interrupted, so the JSONata time limit does not
// reach inside one: `/(a+)+$/` on a long string from an event would block a worker for
// minutes. The shapes that backtrack exponentially — a repeated group that itself holds
// a variable-length repetition, and back-references — are refused instead. This is a
// conservative screen, not a proof: overlapping alternatives such as `(a|a)*` pass it.

interface Quantifier {
  min: number;
  max: number; // Infinity when unbounded
  length: number; // characters the quantifier occupies, including a lazy `?`
}

function readQuantifier(source: string, at: number): Quantifier | undefined {
  const ch = source[at];
  let q: Quantifier | undefined;
  if (ch === '*') q = { min: 0, max: Infinity, length: 1 };
  else if (ch === '+') q = { min: 1, max: Infinity, length: 1 };
  else if (ch === '?') q = { min: 0, max: 1, length: 1 };
  else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    q = { min, max, length: m[0].length };
  }
  if (q && source[at + q.length] === '?') q.length++;
  return q;
}

// Whether a repetition can match different lengths of input (the source of ambiguity).
function isVariable(q: Quantifier): boolean {
  return q.max > 1 && q.max !== q.min;
}

// The index after a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`.
function skipGroupOpening(source: string, at: number): number {
  if (source[at + 1] !== '?') return at + 1;
  if (source.startsWith('(?<=', at) || source.startsWith('(?<!', at)) return at + 4;
  if (source[at + 2] === '<') {
    const close = source.indexOf('>', at);
    return close === -1 ? at + 3 : close + 1;
  }
  return at + 3;
}

/** Why `source` could take exponential time to match, or undefined when it passes the screen. */
export function findRegexHazard(source: string): string | undefined {
  // One frame per open group: does it contain a variable-length repetition?
  const frames: boolean[] = [false];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    let atomEnd = i + 1;
    let groupVariable = false;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next !== undefined && (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))) {
        return 'back-references are not allowed: they can take exponential time';
      }
      atomEnd = i + 2;
    } else if (ch === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (ch === '(') {
      frames.push(false);
      i = skipGroupOpening(source, i);
      continue;
    } else if (ch === ')') {
      groupVariable = frames.pop() ?? false;
      if (frames.length === 0) frames.push(false);
    } else if (ch === '|' || ch === '^' || ch === '$') {
      i++;
      continue;
    }
    const q = readQuantifier(source, atomEnd);
    if (q && q.max > 1 && groupVariable) {
      return `the repeated group ending at position ${i} contains another repetition (nested quantifiers can take exponential time)`;
    }
    const last = frames.length - 1;
    if (groupVariable || (q && isVariable(q))) frames[last] = true;
    i = atomEnd + (q ? q.length : 0);
  }
  return undefined;
}
