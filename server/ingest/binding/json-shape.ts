// What JSON.parse does not tell: how deep a document nests, which bytes each batch member
// occupies on the wire, and whether an event object names one attribute twice (JSON.parse
// silently keeps the last). One linear pass over the UTF-8 bytes answers all three; JSON's
// structural characters are ASCII and never occur inside a multi-byte UTF-8 sequence.

export interface JsonMemberShape {
  /** Byte offset of the member's first byte. */
  start: number;
  /** Byte offset after the member's last byte. */
  end: number;
  /** Nesting levels of the member, its own container counting as 1; 0 for a scalar. */
  depth: number;
  /** The first member name that occurs twice in the member object, if any. */
  duplicateKey?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

interface OpenMember extends JsonMemberShape {
  keys: Set<string>;
}

/**
 * Describes the values at `memberDepth` of a JSON text that JSON.parse has already accepted:
 * depth 0 is the document itself (structured mode), depth 1 the elements of a top-level array
 * (batch mode). The result for text that is not valid JSON is meaningless but finite.
 */
export function scanJsonMembers(bytes: Uint8Array, memberDepth: 0 | 1): JsonMemberShape[] {
  const members: JsonMemberShape[] = [];
  const openKinds: number[] = [];
  let depth = 0;
  let expectKey = false;
  let member: OpenMember | undefined;
  let lastEnd = 0;

  const closeMember = (): void => {
    if (!member) return;
    const { keys: _keys, ...shape } = member;
    shape.end = lastEnd;
    members.push(shape);
    member = undefined;
  };

  // A UTF-8 byte order mark is not part of the first member.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (depth === memberDepth) {
      if (b === COMMA) {
        closeMember();
        continue;
      }
      if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) closeMember();
      else member ??= { start: i, end: i, depth: 0, keys: new Set() };
    }
    if (b === QUOTE) {
      let j = i + 1;
      while (j < bytes.length && bytes[j] !== QUOTE) j += bytes[j] === BACKSLASH ? 2 : 1;
      if (expectKey) {
        expectKey = false;
        if (member && depth === memberDepth + 1) recordKey(member, bytes, i, j);
      }
      i = j;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      openKinds.push(b);
      depth++;
      if (member && depth - memberDepth > member.depth) member.depth = depth - memberDepth;
      expectKey = b === OPEN_OBJECT;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      openKinds.pop();
      depth--;
      expectKey = false;
    } else if (b === COMMA) {
      expectKey = openKinds[openKinds.length - 1] === OPEN_OBJECT;
    }
    lastEnd = i + 1;
  }
  closeMember();
  return members;
}

function recordKey(member: OpenMember, bytes: Uint8Array, quote: number, closingQuote: number): void {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset + quote, closingQuote + 1 - quote);
  // Escaped names (`"\u0069d"` is `id`) are compared by what they decode to.
  const key = raw.includes(BACKSLASH) ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
  if (member.keys.has(key)) member.duplicateKey ??= key;
  else member.keys.add(key);
}
