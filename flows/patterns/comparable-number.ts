// Numbers that event-ruler can compare in numeric and anything-but patterns: at most six
// digits after the decimal point and within ±5e11 (event-ruler's ComparableNumber). Event
// numbers outside that set never satisfy a numeric range.

/** The largest magnitude a numeric pattern may use, and an event number may have to match one. */
export const NUMERIC_LIMIT = 5e11;

/** Why a pattern number cannot be used in a numeric comparison (event-ruler's text), or null. */
export function checkComparableNumber(value: number): string | null {
  if (!Number.isFinite(value)) return 'Value must be between -5.0E11 and 5.0E11, inclusive';
  if (decimalPlaces(value) > 6) return 'Only values upto 6 decimals are supported';
  if (value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) return 'Value must be between -5.0E11 and 5.0E11, inclusive';
  return null;
}

/** Whether an event number takes part in numeric comparisons. */
export function isComparableNumber(value: number): boolean {
  if (!(value >= -NUMERIC_LIMIT && value <= NUMERIC_LIMIT)) return false;
  if (Number.isInteger(value)) return true;
  // value is the double nearest to some k/1e6 exactly when rounding k back gives value.
  return Math.round(value * 1e6) / 1e6 === value;
}

/** Digits after the decimal point in the shortest decimal form of the number (1e-7 has 7). */
function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const text = String(value);
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, fraction - exponent);
}
