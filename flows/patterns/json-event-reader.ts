// Flattens an event straight from its JSON text, as event-ruler does with its streaming
// parser: values on paths no pattern uses are scanned (and checked) but never built, so a
// large `geometry.coordinates` array costs a character scan instead of thousands of
// objects. The result holds the same values as flattenEvent(JSON.parse(text)), in the same
// array elements (arrays may be numbered differently). Texts JSON.parse would refuse are
// reported as such, and so is the one case a single pass cannot settle: a key repeated in
// one object on a path that matters, where JSON.parse keeps only the last value.

import { createEventFields, EMPTY_MEMBERSHIP, MAX_EVENT_DEPTH, type EventFields, type EventValue, type Membership } from './event-fields.ts';
import type { NumberFilter } from './number-filter.ts';
import { stepInto, type PathNode, type PathTrie } from './path-trie.ts';

/** Why reading gave no fields: not a JSON object (or not JSON), or a repeated key the caller must resolve by parsing. */
export type JsonReadFailure = 'not-an-object' | 'repeated-key';

interface Frame {
  isArray: boolean;
  /** Where this container sits in the path tree. */
  at: PathNode;
  /** The membership of values directly in this container; null until first needed. */
  membership: Membership | null;
  /** This container's index in the enclosing array, or -1 when an object holds it. */
  elementIndex: number;
  arrayId: number;
  index: number;
  /** Keys of this object that lead somewhere, to notice a repeated one. */
  usedKeys: string[] | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

class Invalid extends Error {}
class RepeatedKey extends Error {}

/** Flattens a JSON text along the trie's paths; a failure reason instead when it cannot. Never throws. */
export function flattenJson(text: string, paths: PathTrie): EventFields | JsonReadFailure {
  try {
    return new JsonEventReader(text, paths.root).read();
  } catch (error: unknown) {
    if (error instanceof RepeatedKey) return 'repeated-key';
    return 'not-an-object';
  }
}

class JsonEventReader {
  private pos = 0;
  private arrayCount = 0;
  private readonly fields: EventFields = createEventFields();
  /** The last key readKey found a node for. */
  private key = '';
  /** Container kinds of the value being skipped, by depth. */
  private readonly kinds: number[] = [];

  constructor(
    private readonly text: string,
    private readonly root: PathNode,
  ) {}

  /** Open containers, outermost first; entries from `depth` on are spare, reused by later containers. */
  private readonly frames: Frame[] = [];
  private depth = 0;

  read(): EventFields {
    this.skipSpace();
    // Not an object: it matches nothing whether or not it is valid JSON.
    if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) throw new Invalid();
    this.pos++;
    this.open(false, this.root, -1);
    (this.frames[0] as Frame).membership = EMPTY_MEMBERSHIP;
    // Each turn reads one value (or closes a container) in the innermost open container.
    while (this.depth > 0) {
      const frame = this.frames[this.depth - 1] as Frame;
      this.skipSpace();
      const closing = frame.isArray ? CLOSE_BRACKET : CLOSE_BRACE;
      if (this.text.charCodeAt(this.pos) === closing && frame.index === 0) {
        this.pos++;
        this.depth--;
        this.afterValue();
        continue;
      }
      let at: PathNode | null;
      if (frame.isArray) {
        at = frame.at;
      } else {
        if (this.text.charCodeAt(this.pos) !== QUOTE) throw new Invalid();
        at = this.readKey(frame.at);
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== COLON) throw new Invalid();
        this.pos++;
        this.skipSpace();
        if (at !== null) {
          const key = this.key;
          if (frame.usedKeys === null) frame.usedKeys = [key];
          else if (frame.usedKeys.includes(key)) throw new RepeatedKey();
          else frame.usedKeys.push(key);
        }
      }
      if (at === null) {
        this.skipValue();
        this.afterValue();
        continue;
      }
      const c = this.text.charCodeAt(this.pos);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const isArray = c === OPEN_BRACKET;
        // The same choices as flattenEvent: descend only where a pattern path continues.
        const descend = this.depth - 1 < MAX_EVENT_DEPTH && (at.children !== null || (isArray && (at.ends > 0 || frame.isArray)));
        if (!descend) {
          this.skipValue();
          this.afterValue();
          continue;
        }
        this.pos++;
        // An element of an array of objects (or of arrays) records which element it is.
        this.open(isArray, at, frame.isArray ? frame.index : -1);
        if (isArray && at.numbersOnly !== null && at.children === null) {
          this.readNumberArrays(at, at.numbersOnly);
          this.afterValue();
        }
        continue;
      }
      if (at.ends === 0) {
        this.skipValue();
      } else if (at.numbersOnly === null) {
        this.addLeaf(at.path, this.readScalar());
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        // Only numeric tests use this path: a number outside their intervals is dropped unbuilt.
        const value = this.readNumber();
        if (at.numbersOnly.accepts(value)) this.addLeaf(at.path, value);
      } else {
        this.skipValue();
      }
      this.afterValue();
    }
    this.skipSpace();
    if (this.pos !== this.text.length) throw new Invalid();
    return this.fields;
  }

  /**
   * Reads the array just opened, and arrays nested in it, at a path where only numbers in
   * the filter matter and nothing lies deeper (coordinates): a tight loop for the common case.
   */
  private readNumberArrays(at: PathNode, filter: NumberFilter): void {
    const text = this.text;
    const path = at.path;
    const bottom = this.depth;
    let frame = this.frames[this.depth - 1] as Frame;
    let pos = this.pos;
    for (;;) {
      // A value, or the end of an empty array, comes next.
      let c = text.charCodeAt(pos);
      if (c <= 0x20) c = text.charCodeAt((pos = skipWhitespace(text, pos)));
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        const value = parseNumber(text, pos);
        pos = numberEnd;
        if (filter.accepts(value)) this.addLeaf(path, value);
      } else if (c === OPEN_BRACKET && this.depth - 1 < MAX_EVENT_DEPTH) {
        pos++;
        this.open(true, at, frame.index);
        frame = this.frames[this.depth - 1] as Frame;
        continue;
      } else if (c === CLOSE_BRACKET && frame.index === 0) {
        pos++;
        this.depth--;
      } else {
        // Anything else (after a comma, a closing bracket too) is skipped, or refused, here.
        this.pos = pos;
        this.skipValue();
        pos = this.pos;
      }
      // After a value: a comma, or the end of arrays until one is followed by a comma.
      for (;;) {
        if (this.depth < bottom) {
          this.pos = pos;
          return;
        }
        frame = this.frames[this.depth - 1] as Frame;
        c = text.charCodeAt(pos);
        if (c <= 0x20) c = text.charCodeAt((pos = skipWhitespace(text, pos)));
        pos++;
        if (c === COMMA) {
          frame.index++;
          break;
        }
        if (c !== CLOSE_BRACKET) throw new Invalid();
        this.depth--;
      }
    }
  }

  /** Opens a container (its opening bracket read) inside the current one. */
  private open(isArray: boolean, at: PathNode, elementIndex: number): void {
    const arrayId = isArray ? this.arrayCount++ : -1;
    if (isArray) this.fields.arrayPaths[arrayId] = at.path;
    let frame = this.frames[this.depth];
    if (frame === undefined) {
      frame = { isArray, at, membership: null, elementIndex, arrayId, index: 0, usedKeys: null };
      this.frames[this.depth] = frame;
    } else {
      frame.isArray = isArray;
      frame.at = at;
      frame.membership = null;
      frame.elementIndex = elementIndex;
      frame.arrayId = arrayId;
      frame.index = 0;
      frame.usedKeys = null;
    }
    this.depth++;
  }

  /** The membership of values in the container at `level` (0: the event object). */
  private membershipAt(level: number): Membership {
    const frame = this.frames[level] as Frame;
    if (frame.membership !== null) return frame.membership;
    const outer = this.membershipAt(level - 1);
    let membership = outer;
    if (frame.elementIndex >= 0) {
      const arrayId = (this.frames[level - 1] as Frame).arrayId;
      membership = outer.length === 0 ? [arrayId, frame.elementIndex] : [...outer, arrayId, frame.elementIndex];
    }
    frame.membership = membership;
    return membership;
  }

  /** After a value: a comma (another value follows) or the end of its container, and so on outwards. */
  private afterValue(): void {
    while (this.depth > 0) {
      const frame = this.frames[this.depth - 1] as Frame;
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        frame.index++;
        this.skipSpace();
        const after = this.text.charCodeAt(this.pos);
        // A comma must be followed by a value (or a key), never by the closing bracket.
        if (after === CLOSE_BRACE || after === CLOSE_BRACKET) throw new Invalid();
        return;
      }
      if (c !== (frame.isArray ? CLOSE_BRACKET : CLOSE_BRACE)) throw new Invalid();
      this.pos++;
      this.depth--;
    }
  }

  /** Adds a value found directly in the innermost open container. */
  private addLeaf(path: string, value: EventValue): void {
    const list = this.fields.get(path);
    const field = { value, membership: this.membershipAt(this.depth - 1) };
    if (list === undefined) this.fields.set(path, [field]);
    else list.push(field);
  }

  private skipSpace(): void {
    this.pos = skipWhitespace(this.text, this.pos);
  }

  /**
   * Reads a key and returns the node it leads to, or null; sets `key` to the key when it
   * leads somewhere. Keys are compared with the node's short child list in the text itself,
   * so that the keys of the event that no pattern uses cost no string.
   */
  private readKey(at: PathNode): PathNode | null {
    const text = this.text;
    const start = this.pos + 1;
    const end = scanString(text, this.pos);
    this.pos = end;
    const list = at.childList;
    if (list !== null) {
      const length = end - 1 - start;
      for (let i = 0; i < list.length; i++) {
        const child = list[i] as PathNode;
        if (child.step.length === length && text.startsWith(child.step, start)) {
          this.key = child.step;
          return child;
        }
      }
      // Not a child's name as written: only a key with an escape or a dot can still lead somewhere.
      if (!hasDotOrBackslash(text, start, end - 1)) return null;
    }
    const key = decodeString(text, start - 1, end);
    this.key = key;
    return stepInto(at, key) ?? null;
  }

  /** Reads a string token. */
  private readString(): string {
    const start = this.pos;
    this.pos = scanString(this.text, start);
    return decodeString(this.text, start, this.pos);
  }

  /** Reads a string, number, true, false or null. */
  private readScalar(): EventValue {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE) return this.readString();
    if (c === 0x74 && text.startsWith('true', this.pos)) return this.literal(4, true);
    if (c === 0x66 && text.startsWith('false', this.pos)) return this.literal(5, false);
    if (c === 0x6e && text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.readNumber();
  }

  private literal(length: number, value: boolean | null): boolean | null {
    this.pos += length;
    return value;
  }

  private readNumber(): number {
    const value = parseNumber(this.text, this.pos);
    this.pos = numberEnd;
    return value;
  }

  /**
   * Scans over one value that nothing needs, checking it is well-formed JSON: a tight loop
   * with a stack of container kinds instead of frames and decoded tokens.
   */
  private skipValue(): void {
    const text = this.text;
    const kinds = this.kinds;
    let depth = 0;
    let pos = this.pos;
    const first = text.charCodeAt(pos);
    if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      const end = endOfContainer(text, pos);
      if (end >= 0) {
        this.pos = end;
        return;
      }
    }
    for (;;) {
      // Here a value must start.
      let c = text.charCodeAt(pos);
      if (c <= 0x20) {
        pos = skipWhitespace(text, pos);
        c = text.charCodeAt(pos);
      }
      if (c === OPEN_BRACE) {
        pos = skipWhitespace(text, pos + 1);
        if (text.charCodeAt(pos) === CLOSE_BRACE) pos++;
        else {
          kinds[depth++] = OPEN_BRACE;
          pos = scanKey(text, pos);
          continue;
        }
      } else if (c === OPEN_BRACKET) {
        pos = skipWhitespace(text, pos + 1);
        if (text.charCodeAt(pos) === CLOSE_BRACKET) pos++;
        else {
          kinds[depth++] = OPEN_BRACKET;
          continue;
        }
      } else if (c === QUOTE) {
        pos = scanString(text, pos);
      } else if (c === 0x74 && text.startsWith('true', pos)) {
        pos += 4;
      } else if (c === 0x66 && text.startsWith('false', pos)) {
        pos += 5;
      } else if (c === 0x6e && text.startsWith('null', pos)) {
        pos += 4;
      } else {
        pos = scanNumber(text, pos);
      }
      // A value ended: close containers until a comma asks for the next value.
      for (;;) {
        if (depth === 0) {
          this.pos = pos;
          return;
        }
        let next = text.charCodeAt(pos);
        if (next <= 0x20) {
          pos = skipWhitespace(text, pos);
          next = text.charCodeAt(pos);
        }
        const inObject = kinds[depth - 1] === OPEN_BRACE;
        if (next === COMMA) {
          pos = inObject ? scanKey(text, skipWhitespace(text, pos + 1)) : pos + 1;
          break;
        }
        if (next !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) throw new Invalid();
        pos++;
        depth--;
      }
    }
  }
}

/**
 * A container of valid JSON, nested at most CONTAINER_PATTERN_DEPTH deep, as a regular
 * expression: the regular-expression engine compiles it to machine code, and checks a
 * skipped `geometry` object two to three times as fast as a loop over its characters.
 * Each level holds the one below once (after a comma, the lookahead refuses a closing
 * bracket, so that `[1,]` fails), so the source doubles per level. Five levels (16K
 * characters) cover a GeoJSON MultiPolygon inside its geometry object; V8 stops optimising
 * expressions above 20K characters, and six levels ran four times slower.
 */
const CONTAINER_PATTERN_DEPTH = 5;
let containerPattern: RegExp | null = null;

function buildContainerPattern(): RegExp {
  const ws = '[ \\t\\n\\r]*';
  const string = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
  const number = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
  const scalar = `(?:${string}|${number}|true|false|null)`;
  let value = scalar;
  let container = '';
  for (let level = 1; level <= CONTAINER_PATTERN_DEPTH; level++) {
    const array = `\\[${ws}(?:${value}${ws}(?:,${ws}(?!\\])|(?=\\])))*\\]`;
    const object = `\\{${ws}(?:${string}${ws}:${ws}${value}${ws}(?:,${ws}(?!\\})|(?=\\})))*\\}`;
    container = `(?:${array}|${object})`;
    value = `(?:${scalar}|${container})`;
  }
  return new RegExp(container, 'y');
}

/** Position after the valid container starting at `pos`, or -1 when the pattern cannot tell (too deep, or not valid JSON). */
function endOfContainer(text: string, pos: number): number {
  const pattern = (containerPattern ??= buildContainerPattern());
  pattern.lastIndex = pos;
  try {
    return pattern.test(text) ? pattern.lastIndex : -1;
  } catch {
    // The engine ran out of backtracking stack on a huge container: the loop will do.
    return -1;
  }
}

/** Where the number parseNumber read last ends (a module variable spares an object per number). */
let numberEnd = 0;

/** Reads the number starting at `start` in one pass, checking its form as it goes; sets numberEnd. */
function parseNumber(text: string, start: number): number {
  let pos = start;
  let c = text.charCodeAt(pos);
  const negative = c === 0x2d;
  if (negative) c = text.charCodeAt(++pos);
  // Plain decimals of at most 15 digits: the digits as an exact integer divided by an exact
  // power of ten round exactly as the decimal does (what Number() would give).
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  if (c === 0x30) {
    digits = 1;
    c = text.charCodeAt(++pos);
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      c = text.charCodeAt(++pos);
    } while (c >= 0x30 && c <= 0x39);
  } else {
    throw new Invalid();
  }
  if (c === 0x2e) {
    c = text.charCodeAt(++pos);
    if (!(c >= 0x30 && c <= 0x39)) throw new Invalid();
    do {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      scale++;
      c = text.charCodeAt(++pos);
    } while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    // An exponent: rare in events, left to Number().
    numberEnd = scanNumber(text, start);
    return Number(text.slice(start, numberEnd));
  }
  numberEnd = pos;
  if (digits > 15) return Number(text.slice(start, pos));
  const value = scale > 0 ? mantissa / (POWERS_OF_TEN[scale] as number) : mantissa;
  return negative ? -value : value;
}

/** The string token from `start` (its opening quote) to `end` (after its closing quote), decoded. */
function decodeString(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/** Whether text[from, to) holds a dot or a backslash. */
function hasDotOrBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e || c === BACKSLASH) return true;
  }
  return false;
}

/** Position after a key and its colon; the key must start at `pos`. */
function scanKey(text: string, pos: number): number {
  if (text.charCodeAt(pos) !== QUOTE) throw new Invalid();
  pos = skipWhitespace(text, scanString(text, pos));
  if (text.charCodeAt(pos) !== COLON) throw new Invalid();
  return pos + 1;
}

/** Position after the string starting at `pos` (a quote), checking its escapes. */
function scanString(text: string, pos: number): number {
  pos++;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === QUOTE) return pos + 1;
    if (c !== c || c < 0x20) throw new Invalid(); // end of text, or a raw control character
    if (c === BACKSLASH) {
      const e = text.charCodeAt(pos + 1);
      if (e === 0x75) {
        for (let i = 2; i < 6; i++) if (!isHexDigit(text.charCodeAt(pos + i))) throw new Invalid();
        pos += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
        throw new Invalid();
      }
      pos += 2;
      continue;
    }
    pos++;
  }
}

/** Position after the JSON number starting at `pos`. */
function scanNumber(text: string, pos: number): number {
  if (text.charCodeAt(pos) === 0x2d) pos++;
  const first = text.charCodeAt(pos);
  if (first === 0x30) pos++;
  else if (first >= 0x31 && first <= 0x39) pos = skipDigits(text, pos + 1);
  else throw new Invalid();
  if (text.charCodeAt(pos) === 0x2e) {
    const end = skipDigits(text, pos + 1);
    if (end === pos + 1) throw new Invalid();
    pos = end;
  }
  const e = text.charCodeAt(pos);
  if (e === 0x65 || e === 0x45) {
    pos++;
    const sign = text.charCodeAt(pos);
    if (sign === 0x2b || sign === 0x2d) pos++;
    const end = skipDigits(text, pos);
    if (end === pos) throw new Invalid();
    pos = end;
  }
  return pos;
}

function skipWhitespace(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
    else return pos;
  }
}

function skipDigits(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c >= 0x30 && c <= 0x39) pos++;
    else return pos;
  }
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
