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

  it('accepts a CompiledPattern made elsewhere by compiling its pattern', () => {
    const index = new PatternIndex<string>();
    index.add('r', { pattern: { a: ['1'] }, matches: () => false });
    expect(index.match({ a: '1' })).toEqual(['r']);
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

  it('returns a key once when several $or branches match', () => {
    const index = new PatternIndex<string>();
    index.add('r', { $or: [{ a: ['1'] }, { b: ['2'] }, { c: [{ exists: true }] }] });
    expect(index.match({ a: '1', b: '2', c: 3 })).toEqual(['r']);
  });

  it('keeps a shared pattern for the other key when one of two keys is removed', () => {
    const index = new PatternIndex<string>();
    index.add('first', { type: ['t'], data: { id: [1] } });
    index.add('second', { type: ['t'], data: { id: [1] } });
    index.remove('first');
    expect(index.match({ type: 't', data: { id: 1 } })).toEqual(['second']);
  });

  it('finds the one matching rule among thousands that share their first field', () => {
    const index = new PatternIndex<number>();
    for (let i = 0; i < 5000; i++) index.add(i, { type: ['hr.employee.updated'], data: { employeeId: [i] } });
    expect(index.match({ type: 'hr.employee.updated', data: { employeeId: 4711 } })).toEqual([4711]);
    expect(index.match({ type: 'hr.employee.created', data: { employeeId: 4711 } })).toEqual([]);
  });

  it('returns every matching key when many numeric ranges overlap', () => {
    const index = new PatternIndex<number>();
    for (let i = 0; i < 200; i++) index.add(i, { n: [{ numeric: ['>=', i, '<', i + 10] }] });
    expect(index.match({ n: 105 }).sort((a, b) => a - b)).toEqual([96, 97, 98, 99, 100, 101, 102, 103, 104, 105]);
    expect(index.match({ n: 105.5 }).length).toBe(10);
    expect(index.match({ n: -1 })).toEqual([]);
  });

  it('leaves no states behind once every key is removed', () => {
    const index = new PatternIndex<number>();
    const patterns = [
      { a: ['x', 1, null], b: [{ prefix: 'p' }, { suffix: 's' }, { wildcard: 'w*' }] },
      { a: [{ numeric: ['>', 1] }, { cidr: '10.0.0.0/8' }, { 'equals-ignore-case': 'Ü' }], $or: [{ c: [{ exists: false }] }, { d: ['1'] }] },
      { a: [{ 'anything-but': ['x'] }, { exists: true }, '::1', { prefix: { 'equals-ignore-case': 'AB' } }] },
    ];
    patterns.forEach((p, i) => index.add(i, p));
    patterns.forEach((_, i) => index.remove(i));
    const root = (index as unknown as { root: { children: unknown; fields: unknown; absences: unknown; terminals: unknown } }).root;
    expect([root.children, root.fields, root.absences, root.terminals]).toEqual([null, null, null, null]);
  });

  it('ignores prototype keys in events and patterns', () => {
    const index = new PatternIndex<string>();
    index.add('r', JSON.parse('{"__proto__": {"polluted": ["yes"]}}'));
    expect(index.match(JSON.parse('{"__proto__": {"polluted": "yes"}}'))).toEqual(['r']);
    expect(index.match({ polluted: 'yes' })).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('matches nothing beyond the nesting limit and does not overflow the stack', () => {
    const index = new PatternIndex<string>();
    index.add('r', { n: { leaf: [1] } });
    let deep: unknown = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(index.match({ n: deep })).toEqual([]);
    expect(compilePattern({ n: { leaf: [1] } }).matches({ n: deep })).toBe(false);
    expect(index.match({ n: [[[{ leaf: 1 }]]] })).toEqual(['r']);
  });
});
