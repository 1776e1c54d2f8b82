import { describe, expect, it } from 'vitest';
import { describeMismatch, explainPattern } from './pattern-explain.ts';

const event = { type: 'erp.employee.changed', data: { employee: { employmentStatus: 'TERMINATED', personnelNumber: 'E-7', tags: ['a', 'b'] } } };

describe('explaining a pattern', () => {
  it('tests each leaf condition on its own, with what the event has there', () => {
    const results = explainPattern({ type: ['erp.employee.changed'], data: { employee: { employmentStatus: ['ACTIVE'], personnelNumber: [{ prefix: 'E-' }] } } }, event);
    expect(results).toEqual([
      { path: 'type', expected: ['erp.employee.changed'], actual: 'erp.employee.changed', matched: true },
      { path: 'data.employee.employmentStatus', expected: ['ACTIVE'], actual: 'TERMINATED', matched: false },
      { path: 'data.employee.personnelNumber', expected: [{ prefix: 'E-' }], actual: 'E-7', matched: true },
    ]);
  });

  it('says which conditions failed, and when the field is missing', () => {
    const results = explainPattern({ data: { employee: { employmentStatus: ['ACTIVE'], site: [{ exists: true }] } } }, event);
    expect(describeMismatch(results)).toEqual(['data.employee.employmentStatus: expected ["ACTIVE"], the event has "TERMINATED"', 'data.employee.site: expected [{"exists":true}], the event has no such field']);
  });

  it('treats an $or group as one condition', () => {
    const results = explainPattern({ $or: [{ type: ['x'] }, { data: { employee: { personnelNumber: [{ prefix: 'E-' }] } } }] }, event);
    expect(results).toEqual([{ path: '$or', expected: expect.any(Array), actual: undefined, matched: true }]);
    expect(describeMismatch(explainPattern({ $or: [{ type: ['x'] }, { type: ['y'] }] }, event))).toEqual(['$or: none of the alternatives matched']);
  });

  it('matches arrays in the event element-wise, as the engine does', () => {
    expect(explainPattern({ data: { employee: { tags: ['b'] } } }, event)[0]!.matched).toBe(true);
  });
});
