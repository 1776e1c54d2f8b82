// Flattens an event straight from its JSON text, as event-ruler does with its streaming
// parser: values on paths no pattern uses are scanned (and checked) but never built, so a
// large `geometry.coordinates` array costs a character scan instead of thousands of
// objects. The result holds the same values as flattenEvent(JSON.parse(text)), in the same
// array elements (arrays may be numbered differently). Texts JSON.parse would refuse are
// reported as such, and so is the one case a single pass cannot settle: a key repeated in
// one object on a path that matters, where JSON.parse keeps only the last value.

import { createEventFields, MAX_EVENT_DEPTH, type EventFields, type EventValue, type Membership } from './event-fields.ts';
import { stepInto, type PathNode, type PathTrie } from './path-trie.ts';

/** Why reading gave no fields: not a JSON object (or not JSON), or a repeated key the caller must resolve by parsing. */
export type JsonReadFailure = 'not-an-object' | 'repeated-key';

interface Frame {
  readonly isArray: boolean;
  /** Where this container sits in the path tree; null when nothing below it is needed. */
  readonly at: PathNode | null;
  readonly membership: Membership;
  readonly arrayId: number;
  readonly depth: number;
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
  /** Container kinds of the value being skipped, by depth. */
  private readonly kinds: number[] = [];

  constructor(
    private readonly text: string,
    private readonly root: PathNode,
  ) {}

  read(): EventFields {
    this.skipSpace();
    // Not an object: it matches nothing whether or not it is valid JSON.
    if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) throw new Invalid();
    this.pos++;
    const stack: Frame[] = [this.frame(false, this.root, [], 0)];
    // Each turn reads one value (or closes a container) in the innermost open container.
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      this.skipSpace();
      const closing = frame.isArray ? CLOSE_BRACKET : CLOSE_BRACE;
      if (this.text.charCodeAt(this.pos) === closing && frame.index === 0) {
        this.pos++;
        stack.pop();
        this.afterValue(stack);
        continue;
      }
      let at: PathNode | null;
      if (frame.isArray) {
        at = frame.at;
      } else {
        if (this.text.charCodeAt(this.pos) !== QUOTE) throw new Invalid();
        const key = this.readString(frame.at !== null);
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== COLON) throw new Invalid();
        this.pos++;
        this.skipSpace();
        at = frame.at === null ? null : (stepInto(frame.at, key as string) ?? null);
        if (at !== null) {
          if (frame.usedKeys === null) frame.usedKeys = [key as string];
          else if (frame.usedKeys.includes(key as string)) throw new RepeatedKey();
          else frame.usedKeys.push(key as string);
        }
      }
      if (at === null) {
        this.skipValue();
        this.afterValue(stack);
        continue;
      }
      const c = this.text.charCodeAt(this.pos);
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const isArray = c === OPEN_BRACKET;
        // The same choices as flattenEvent: descend only where a pattern path continues.
        const descend = frame.depth < MAX_EVENT_DEPTH && (at.children !== null || (isArray && (at.ends > 0 || frame.isArray)));
        if (!descend) {
          this.skipValue();
          this.afterValue(stack);
          continue;
        }
        this.pos++;
        const inner = at;
        // An element of an array of objects (or of arrays) records which element it is.
        let membership = frame.membership;
        if (frame.isArray) {
          membership = membership.length === 0 ? [frame.arrayId, frame.index] : [...membership, frame.arrayId, frame.index];
        }
        stack.push(this.frame(isArray, inner, membership, frame.depth + 1));
        continue;
      }
      if (at.ends > 0) this.addLeaf(at.path, this.readScalar() as EventValue, frame.membership);
      else this.skipValue();
      this.afterValue(stack);
    }
    this.skipSpace();
    if (this.pos !== this.text.length) throw new Invalid();
    return this.fields;
  }

  private frame(isArray: boolean, at: PathNode | null, membership: Membership, depth: number): Frame {
    const arrayId = isArray && at !== null ? this.arrayCount++ : -1;
    if (arrayId >= 0 && at !== null) this.fields.arrayPaths[arrayId] = at.path;
    return { isArray, at, membership, arrayId, depth, index: 0, usedKeys: null };
  }

  /** After a value: a comma (another value follows) or the end of its container, and so on outwards. */
  private afterValue(stack: Frame[]): void {
    for (let frame = stack[stack.length - 1]; frame !== undefined; frame = stack[stack.length - 1]) {
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
      stack.pop();
    }
  }

  private addLeaf(path: string, value: EventValue, membership: Membership): void {
    const list = this.fields.get(path);
    const field = { value, membership };
    if (list === undefined) this.fields.set(path, [field]);
    else list.push(field);
  }

  private skipSpace(): void {
    this.pos = skipWhitespace(this.text, this.pos);
  }

  /** Reads a string token; decodes it only when wanted (otherwise null). */
  private readString(wanted: boolean): string | null {
    const start = this.pos;
    const end = scanString(this.text, start);
    this.pos = end;
    if (!wanted) return null;
    const raw = this.text.slice(start + 1, end - 1);
    return raw.includes('\\') ? (JSON.parse(this.text.slice(start, end)) as string) : raw;
  }

  /** Reads a string, number, true, false or null. */
  private readScalar(): EventValue {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === QUOTE) return this.readString(true) as string;
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
    const text = this.text;
    const start = this.pos;
    const end = scanNumber(text, start);
    this.pos = end;
    // Fast path for plain decimals of at most 15 digits: the digits as an exact integer divided
    // by an exact power of ten round exactly as the decimal does (what Number() would give).
    let pos = start;
    const negative = text.charCodeAt(pos) === 0x2d;
    if (negative) pos++;
    let mantissa = 0;
    let digits = 0;
    let scale = -1;
    for (; pos < end; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 0x2e) scale = 0;
      else if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        if (scale >= 0) scale++;
      } else break; // an exponent
    }
    if (pos !== end || digits > 15) return Number(text.slice(start, end));
    const value = scale > 0 ? mantissa / (POWERS_OF_TEN[scale] as number) : mantissa;
    return negative ? -value : value;
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
