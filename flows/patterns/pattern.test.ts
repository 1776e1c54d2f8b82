import { describe, expect, it } from 'vitest';
import { FlowbridgeError } from '../error-codes.ts';
import { compilePattern, validatePattern } from './pattern.ts';

const employeeEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: 'erp/hr',
  type: 'hr.employee.updated',
  time: '2024-05-02T10:00:00Z',
  data: {
    employeeId: 4711,
    status: 'active',
    salary: 3e3,
    manager: null,
    remote: true,
    tags: ['berlin', 'engineering'],
    address: { city: 'Berlin', zip: '10115' },
  },
};

describe('compilePattern', () => {
  it('matches an event whose fields equal the listed values', () => {
    const compiled = compilePattern({ type: ['hr.employee.updated'], data: { status: ['active'] } });
    expect(compiled.matches(employeeEvent)).toBe(true);
  });

  it('keeps the pattern it was given', () => {
    const pattern = { type: ['x'] };
    expect(compilePattern(pattern).pattern).toBe(pattern);
  });

  it('throws ERR_PATTERN_INVALID with event-ruler\'s reason for an invalid pattern', () => {
    let caught: unknown;
    try {
      compilePattern({ data: { salary: [{ numeric: ['>', 10, '<', 5] }] } });
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlowbridgeError);
    expect((caught as FlowbridgeError).code).toBe('ERR_PATTERN_INVALID');
    expect((caught as FlowbridgeError).message).toBe('Bottom must be less than top');
  });

  it.each([null, 42, 'text', [], [employeeEvent], undefined, true])('matches nothing when the event is %j', (event) => {
    expect(compilePattern({ type: [{ exists: false }] }).matches(event)).toBe(false);
  });
});

describe('validatePattern', () => {
  it('returns no problems for a valid pattern', () => {
    expect(validatePattern({ source: [{ prefix: 'erp/' }] })).toEqual([]);
  });

  it('reports the path of the invalid operator relative to the pattern', () => {
    expect(validatePattern({ data: { status: [{ prefix: 5 }] } })).toEqual([
      { code: 'ERR_PATTERN_INVALID', path: 'data.status[0].prefix', message: 'prefix match pattern must be a string' },
    ]);
  });

  it('reports every invalid field, not only the first', () => {
    const problems = validatePattern({ a: 'x', b: [], c: [{ wildcard: 'a**' }] });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['a', '"a" must be an object or an array'],
      ['b', 'Empty arrays are not allowed'],
      ['c[0].wildcard', 'Consecutive wildcard characters at pos 2'],
    ]);
  });
});
