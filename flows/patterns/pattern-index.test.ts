import { describe, expect, it } from 'vitest';
import { FlowbridgeError } from '../error-codes.ts';
import { compilePattern } from './pattern.ts';
import { PatternIndex } from './pattern-index.ts';

describe('PatternIndex', () => {
  it('returns the keys of every matching pattern, each once', () => {
    const index = new PatternIndex<string>();
    index.add('by-type', { type: ['hr.employee.updated'] });
    index.add('by-status', { data: { status: ['active', 'on-leave'] } });
    index.add('other', { type: ['billing.invoice.paid'] });
    const event = { type: 'hr.employee.updated', data: { status: ['active', 'on-leave'] } };
    expect(index.match(event).sort()).toEqual(['by-status', 'by-type']);
  });

  it('accepts compiled patterns as well as raw ones', () => {
    const index = new PatternIndex<number>();
    index.add(1, compilePattern({ source: [{ prefix: 'erp' }] }));
    expect(index.match({ source: 'erp/hr' })).toEqual([1]);
  });

  it('replaces the pattern of a key that is added again', () => {
    const index = new PatternIndex<string>();
    index.add('r', { a: ['1'] });
    index.add('r', { a: ['2'] });
    expect(index.size).toBe(1);
    expect(index.match({ a: '1' })).toEqual([]);
    expect(index.match({ a: '2' })).toEqual(['r']);
  });

  it('forgets a removed key and ignores unknown keys', () => {
    const index = new PatternIndex<string>();
    index.add('r', { a: ['1'] });
    index.remove('r');
    index.remove('never-added');
    expect(index.size).toBe(0);
    expect(index.match({ a: '1' })).toEqual([]);
  });

  it('throws ERR_PATTERN_INVALID for an invalid pattern and keeps the previous one', () => {
    const index = new PatternIndex<string>();
    index.add('r', { a: ['1'] });
    expect(() => index.add('r', { a: [] })).toThrow(FlowbridgeError);
    expect(index.match({ a: '1' })).toEqual(['r']);
  });

  it.each([null, 'x', 3, [], [{ a: '1' }]])('matches nothing for the non-object event %j', (event) => {
    const index = new PatternIndex<string>();
    index.add('r', { a: [{ exists: false }] });
    expect(index.match(event)).toEqual([]);
  });
});
