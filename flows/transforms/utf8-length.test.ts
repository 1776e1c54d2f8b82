import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from './utf8-length.ts';

describe('utf8ByteLength', () => {
  it.each([
    ['ASCII text', 'hello', 5],
    ['two-byte letters', 'Zürich', 7],
    ['three-byte characters', '東京', 6],
    ['a surrogate pair as four bytes', '🚀', 4],
    ['a lone surrogate as the three bytes of its replacement', '\ud800x', 4],
    ['the empty string', '', 0],
  ])('counts %s', (_label, text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
  });
});
