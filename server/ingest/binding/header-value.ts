// CloudEvents attribute values in HTTP headers (HTTP binding §3.1.3.2): on the way in, unquote a
// double-quoted value, then percent-decode exactly once and require valid UTF-8; on the way
// out, percent-encode space, `"`, `%` and everything outside printable ASCII.

import { readQuotedString } from './media-type.ts';

// ignoreBOM keeps a leading U+FEFF as a character: it is part of the value, not a marker.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type HeaderDecodeResult = { ok: true; value: string } | { ok: false; reason: string };

/** Decodes one `ce-*` header value into the attribute's string; never throws. */
export function decodeHeaderValue(raw: string): HeaderDecodeResult {
  let text = raw;
  if (text.startsWith('"')) {
    const quoted = readQuotedString(text, 0);
    if (!quoted || quoted.end !== text.length) return { ok: false, reason: 'has an unterminated or malformed quoted string' };
    text = quoted.value;
  }
  // Fast path: nothing to decode.
  if (!text.includes('%') && isPrintableAscii(text)) return { ok: true, value: text };
  const bytes = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x25) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return { ok: false, reason: `has an invalid percent-encoding at position ${i}` };
      bytes[n++] = hi * 16 + lo;
      i += 2;
    } else if ((ch >= 0x20 && ch <= 0x7e) || ch === 0x09) {
      bytes[n++] = ch;
    } else {
      // HTTP parsers hand header bytes over as Latin-1; anything beyond printable ASCII was
      // sent raw instead of percent-encoded, which the binding forbids.
      return { ok: false, reason: `has a raw non-ASCII or control character at position ${i}; percent-encode it` };
    }
  }
  try {
    return { ok: true, value: UTF8.decode(bytes.subarray(0, n)) };
  } catch {
    return { ok: false, reason: 'percent-decodes to bytes that are not valid UTF-8' };
  }
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e) return false;
  }
  return true;
}

function hexValue(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x37;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x57;
  return -1;
}

const HEX = '0123456789ABCDEF';

/** Percent-encodes an attribute's canonical string for a header value (upper-case hex). */
export function encodeHeaderValue(value: string): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch >= 0x21 && ch <= 0x7e && ch !== 0x22 && ch !== 0x25) continue;
    out += value.slice(plainFrom, i);
    // A surrogate pair is one character: take both units so UTF-8 encodes the code point.
    const next = value.charCodeAt(i + 1);
    const isPair = ch >= 0xd800 && ch <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    const char = isPair ? value.slice(i, i + 2) : value[i] ?? '';
    for (const byte of Buffer.from(char, 'utf8')) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
    if (isPair) i++;
    plainFrom = i + 1;
  }
  return out + value.slice(plainFrom);
}
