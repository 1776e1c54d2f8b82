// Wildcard values: `*` matches any run of characters (also none); `\*` and `\\` stand for
// the characters themselves; any other backslash, and two `*` in a row, are invalid.
// Error positions follow event-ruler, which counts UTF-8 bytes of the value with the
// opening quote it adds in front (so the first character is at position 1).

const STAR = 0x2a;
const BACKSLASH = 0x5c;

/** A parsed wildcard: the literal pieces between the stars. One piece means no star. */
export interface Wildcard {
  readonly source: string;
  readonly pieces: readonly string[];
}

/** Parses a wildcard value; returns event-ruler's reason as a string when it is invalid. */
export function parseWildcard(source: string): Wildcard | string {
  const pieces: string[] = [];
  let piece = '';
  let bytePos = 1;
  for (let i = 0; i < source.length; i++) {
    const unit = source.charCodeAt(i);
    if (unit === STAR) {
      if (source.charCodeAt(i + 1) === STAR) return `Consecutive wildcard characters at pos ${bytePos}`;
      pieces.push(piece);
      piece = '';
      bytePos += 1;
    } else if (unit === BACKSLASH) {
      const next = source.charCodeAt(i + 1);
      if (next !== STAR && next !== BACKSLASH) return `Invalid escape character at pos ${bytePos}`;
      piece += source[i + 1];
      i++;
      bytePos += 2;
    } else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(source.charCodeAt(i + 1))) {
      piece += source.slice(i, i + 2);
      i++;
      bytePos += 4;
    } else {
      piece += source[i];
      bytePos += utf8Length(unit);
    }
  }
  pieces.push(piece);
  return { source, pieces };
}

/** Whether a string matches the wildcard. */
export function matchesWildcard(wildcard: Wildcard, value: string): boolean {
  const pieces = wildcard.pieces;
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return value === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  // Leftmost placement of each middle piece is always safe when the only operator is `*`.
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const middle = pieces[i] ?? '';
    const at = value.indexOf(middle, pos);
    if (at < 0 || at + middle.length > end) return false;
    pos = at + middle.length;
  }
  return true;
}

/** UTF-8 bytes of a character of the Basic Multilingual Plane (a lone surrogate becomes one '?' in Java). */
function utf8Length(unit: number): number {
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (unit >= 0xd800 && unit <= 0xdfff) return 1;
  return 3;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
