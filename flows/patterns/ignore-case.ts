// equals-ignore-case as event-ruler defines it: each UTF-16 unit of the pattern matches
// its own lower-case or its own upper-case form (Locale.ROOT), taken one unit at a time.
// This is not Unicode case folding: "ß" matches "ß" and "SS" but not "ss", and characters
// outside the Basic Multilingual Plane only match themselves.

/** Where the pattern must sit in the value. */
export type IgnoreCaseAnchor = 'whole' | 'start' | 'end';

/** A compiled case-insensitive comparison. */
export interface IgnoreCaseMatcher {
  readonly source: string;
  readonly anchor: IgnoreCaseAnchor;
  /** Lower-cased pattern when it is plain ASCII (then only ASCII values can match), else null. */
  readonly asciiLower: string | null;
  readonly regex: RegExp | null;
}


/** Compiles a case-insensitive pattern anchored at the whole value, its start or its end. */
export function compileIgnoreCase(source: string, anchor: IgnoreCaseAnchor): IgnoreCaseMatcher {
  if (isAscii(source)) return { source, anchor, asciiLower: source.toLowerCase(), regex: null };
  let body = '';
  for (let i = 0; i < source.length; i++) {
    const unit = source[i] ?? '';
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    body += lower === upper ? escapeRegex(lower) : `(?:${escapeRegex(lower)}|${escapeRegex(upper)})`;
  }
  const text = anchor === 'whole' ? `^${body}$` : anchor === 'start' ? `^${body}` : `${body}$`;
  return { source, anchor, asciiLower: null, regex: new RegExp(text) };
}

/** Whether a string matches the case-insensitive pattern. */
export function matchesIgnoreCase(matcher: IgnoreCaseMatcher, value: string): boolean {
  const lowered = matcher.asciiLower;
  if (lowered === null) return (matcher.regex as RegExp).test(value);
  const n = lowered.length;
  if (matcher.anchor === 'whole') {
    if (value.length !== n) return false;
  } else {
    if (value.length < n) return false;
    value = matcher.anchor === 'start' ? value.slice(0, n) : value.slice(value.length - n);
  }
  // An ASCII pattern character only ever matches ASCII, so a non-ASCII value cannot match.
  return isAscii(value) && value.toLowerCase() === lowered;
}

/** The ASCII-lower-cased slice a matcher of this anchor and length compares, or null when it is not ASCII. */
export function asciiLowerSlice(value: string, anchor: IgnoreCaseAnchor, length: number): string | null {
  if (value.length < length || (anchor === 'whole' && value.length !== length)) return null;
  const slice = anchor === 'end' ? value.slice(value.length - length) : anchor === 'start' ? value.slice(0, length) : value;
  return isAscii(slice) ? slice.toLowerCase() : null;
}

/** Whether every UTF-16 unit is ASCII. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
