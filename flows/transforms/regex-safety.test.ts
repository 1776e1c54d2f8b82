import { describe, expect, it } from 'vitest';
import { findRegexHazard } from './regex-safety.ts';

const cases: { name: string; source: string; hazard: boolean }[] = [
  { name: 'a plain literal passes', source: 'hello', hazard: false },
  { name: 'a single unbounded repetition passes', source: '^[a-z]+@[a-z]+\\.com$', hazard: false },
  { name: 'a repeated group of fixed length passes', source: '(ab)+', hazard: false },
  { name: 'a repeated alternation of literals passes', source: '(foo|bar)*', hazard: false },
  { name: 'an escaped parenthesis is not a group', source: '\\(a+\\)+', hazard: false },
  { name: 'a quantifier inside a character class is literal', source: '([+*])+', hazard: false },
  { name: 'a lookahead opening is skipped', source: '(?=a)b+', hazard: false },
  { name: 'a group repeated an exact number of times passes', source: '(a{3})+', hazard: false },
  { name: 'the classic (a+)+ is refused', source: '(a+)+$', hazard: true },
  { name: 'a starred group of starred atoms is refused', source: '(x*y*)*', hazard: true },
  { name: 'a nested group inside a repeated group is refused', source: '((a+)b)+', hazard: true },
  { name: 'a bounded repeat of a variable group is refused', source: '(a+){2,40}', hazard: true },
  { name: 'a named group with a repetition, repeated, is refused', source: '(?<word>\\w+\\s?)+', hazard: true },
  { name: 'a numbered back-reference is refused', source: '(a)\\1', hazard: true },
  { name: 'a named back-reference is refused', source: '(?<x>a)\\k<x>', hazard: true },
];

describe('findRegexHazard', () => {
  it.each(cases)('$name', ({ source, hazard }) => {
    expect(findRegexHazard(source) !== undefined).toBe(hazard);
  });

  it('does not loop on a named group that is never closed', () => {
    expect(findRegexHazard('(?<oops')).toBeUndefined();
  });
});
