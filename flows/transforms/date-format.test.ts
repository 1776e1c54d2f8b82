import { describe, expect, it } from 'vitest';
import { DateFormatError, formatDate } from './date-format.ts';

const T = '2024-03-09T07:05:03.045Z';

const cases: { name: string; value: unknown; pattern?: string; tz?: string; expected: string }[] = [
  { name: 'no pattern gives ISO 8601 in UTC', value: T, expected: T },
  { name: 'numeric fields are zero-padded where the pattern doubles the letter', value: T, pattern: 'yyyy-MM-dd HH:mm:ss.SSS', expected: '2024-03-09 07:05:03.045' },
  { name: 'single letters are not padded', value: T, pattern: 'd/M/yy H', expected: '9/3/24 7' },
  { name: 'month and weekday names are spelled out', value: T, pattern: 'EEEE, d MMMM', expected: 'Saturday, 9 March' },
  { name: 'short month and weekday names have three letters', value: T, pattern: 'EEE d MMM', expected: 'Sat 9 Mar' },
  { name: 'twelve-hour clock with AM and PM', value: '2024-03-09T19:05:00Z', pattern: 'h:mm a', expected: '7:05 PM' },
  { name: 'midnight is 12 AM on the twelve-hour clock', value: '2024-03-09T00:30:00Z', pattern: 'hh:mm a', expected: '12:30 AM' },
  { name: 'quoted text is copied literally', value: T, pattern: "'day' d 'of' yyyy", expected: 'day 9 of 2024' },
  { name: 'two single quotes give one quote', value: T, pattern: "yy''", expected: "24'" },
  { name: 'the UTC offset is Z in UTC', value: T, pattern: 'XXX', expected: 'Z' },
  { name: 'a time zone shifts the wall clock and the offset', value: T, pattern: 'yyyy-MM-dd HH:mm XXX', tz: 'Asia/Kolkata', expected: '2024-03-09 12:35 +05:30' },
  { name: 'a time zone alone gives ISO 8601 with the offset', value: T, tz: 'Europe/Berlin', expected: '2024-03-09T08:05:03.045+01:00' },
  { name: 'a time zone crosses the date line', value: T, pattern: 'EEE d HH:mm', tz: 'America/Los_Angeles', expected: 'Fri 8 23:05' },
  { name: 'epoch milliseconds are accepted', value: 86_400_000, pattern: 'yyyy-MM-dd', expected: '1970-01-02' },
];

describe('formatDate', () => {
  it.each(cases)('$name', ({ value, pattern, tz, expected }) => {
    expect(formatDate(value, pattern, tz)).toBe(expected);
  });

  it.each([
    ['a word', 'soon'],
    ['an object', { y: 2024 }],
    ['a boolean', true],
  ])('refuses %s as a date', (_label, value) => {
    expect(() => formatDate(value)).toThrow(DateFormatError);
  });

  it('refuses an unknown time zone', () => {
    expect(() => formatDate(T, 'HH', 'Nowhere/Atlantis')).toThrow(/unknown time zone/);
  });
});
