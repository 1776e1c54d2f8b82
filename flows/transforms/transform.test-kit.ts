// Shared by the transform test files: a sample event and context, and the runner for
// table-driven render cases (compile through the public API, render, compare or classify).

import { expect } from 'vitest';
import { FlowbridgeError, type ErrorCode, type Problem } from '../error-codes.ts';
import { compileTransform, type TransformContext, type TransformLimits } from './transform.ts';

// A CloudEvent in structured JSON form, as the router hands it to the first transform.
export const EVENT = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'erp/hr',
  type: 'hr.employee.updated',
  time: '2024-05-01T12:30:00Z',
  datacontenttype: 'application/json',
  data: {
    employeeId: 'E-42',
    name: 'Ada "The Countess" Lovelace',
    age: 36,
    active: true,
    manager: null,
    address: { city: 'London', zip: 'W1' },
    roles: ['admin', 'dev'],
    shifts: [
      { day: 'mon', hours: 8 },
      { day: 'tue', hours: 6 },
    ],
  },
};

export const CTX: TransformContext = {
  event: EVENT,
  ruleName: 'sync-attendance',
  flowId: 'flow-7',
  ruleArn: 'fb:rule/flow-7/sync-attendance',
  ingestionTime: '2024-05-01T12:30:01.250Z',
};

export interface RenderCase {
  name: string;
  config: unknown;
  input?: unknown;
  ctx?: Partial<TransformContext>;
  output?: 'json' | 'text';
  expected?: unknown;
  error?: ErrorCode;
  message?: RegExp;
  limits?: Partial<TransformLimits>;
}

/** Compiles `c.config`, renders it on `c.input` (default: EVENT) and checks the output or the error. */
export async function runCase(c: RenderCase): Promise<void> {
  const compiled = compileTransform(c.config, c.limits);
  if (c.output) expect(compiled.output).toBe(c.output);
  const rendering = compiled.render(c.input === undefined ? EVENT : c.input, { ...CTX, ...c.ctx });
  if (c.error) {
    const err: unknown = await rendering.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlowbridgeError);
    expect((err as FlowbridgeError).code).toBe(c.error);
    if (c.message) expect((err as FlowbridgeError).message).toMatch(c.message);
    return;
  }
  expect(await rendering).toEqual(c.expected);
}

export interface ExpectedProblem {
  code: ErrorCode;
  path: string;
  message?: RegExp;
}

/** Checks that `found` holds exactly the expected problems, in order. */
export function expectProblems(found: Problem[], expected: ExpectedProblem[]): void {
  expect(found).toHaveLength(expected.length);
  expected.forEach((p, i) => {
    expect(found[i]).toMatchObject({ code: p.code, path: p.path });
    if (p.message) expect(found[i]!.message).toMatch(p.message);
  });
}
