// prepareRule / runRule: filters stop, transforms chain (each sees the previous output),
// the lead filter can be taken as matched, steps are reported, failures name the node.

import { describe, expect, it } from 'vitest';
import { FlowbridgeError } from './error-codes.ts';
import { DEFAULT_DELIVERY_POLICY } from './flow-document.ts';
import type { RuleStep } from './flow.compiler.ts';
import { prepareRule, runRule, type PreparedRule, type StepReport } from './rule-runtime.ts';
import type { CompiledTransform } from './transforms/transform.ts';

function rule(steps: RuleStep[]): PreparedRule {
  return prepareRule({
    id: 'hr.0123456789ab',
    name: 'HR: in → out',
    flowId: 'hr',
    flowVersion: 1,
    bus: 'default',
    origin: { kind: 'bus' },
    path: ['in', ...steps.map((s) => s.nodeId), 'out'],
    steps,
    target: { nodeId: 'out', type: 'target.test', name: 'out', config: {} },
    delivery: DEFAULT_DELIVERY_POLICY,
  });
}

const filter = (nodeId: string, pattern: unknown): RuleStep => ({ kind: 'filter', nodeId, pattern });
const jsonata = (nodeId: string, expression: string): RuleStep => ({ kind: 'transform', nodeId, transform: { type: 'jsonata', expression } });
const handlebars = (nodeId: string, template: string): RuleStep => ({ kind: 'transform', nodeId, transform: { type: 'handlebars', template } });

const ctx = { ruleName: 'HR: in → out', flowId: 'hr', ingestionTime: '2026-01-02T03:04:05.000Z' };
const event = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/erp',
  type: 'hr.employee.updated',
  data: { name: 'Ann', status: 'active', hours: 20 },
};

/** A rule whose only step is a transform that fails the given way (the built-in kinds only throw FlowbridgeErrors). */
function failingRule(error: unknown): PreparedRule {
  const prepared = rule([jsonata('boom', '$')]);
  const transform: CompiledTransform = {
    config: { type: 'jsonata', expression: '$' },
    output: 'json',
    render: () => Promise.reject(error),
  };
  return { ...prepared, steps: [{ kind: 'transform', nodeId: 'boom', transform }] };
}

async function rejection(p: Promise<unknown>): Promise<FlowbridgeError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FlowbridgeError);
  return err as FlowbridgeError;
}

describe('prepareRule', () => {
  it('exposes the first step\'s pattern as the lead pattern when the rule starts with a filter', () => {
    const prepared = rule([filter('f', { type: ['hr.employee.updated'] }), jsonata('t', 'data')]);
    expect(prepared.leadPattern?.matches(event)).toBe(true);
    expect(prepared.leadPattern?.matches({ ...event, type: 'other' })).toBe(false);
  });

  it.each([
    ['starts with a transform', [jsonata('t', 'data'), filter('f', { type: ['x'] })]],
    ['has no steps', []],
  ] as [string, RuleStep[]][])('has no lead pattern when the rule %s', (_what, steps) => {
    expect(rule(steps).leadPattern).toBeUndefined();
  });

  it.each([
    ['an invalid pattern', filter('f', { type: 'not-an-array' }), 'ERR_PATTERN_INVALID'],
    ['a transform that does not parse', jsonata('t', '$$$('), 'ERR_TRANSFORM_SYNTAX'],
  ] as [string, RuleStep, string][])('throws a FlowbridgeError for %s', (_what, step, code) => {
    expect(() => rule([step])).toThrow(expect.objectContaining({ name: 'FlowbridgeError', code }));
  });
});

describe('runRule', () => {
  it('delivers the event unchanged, as JSON, when the rule has no steps', async () => {
    expect(await runRule(rule([]), event, ctx)).toEqual({ kind: 'deliver', body: event, output: 'json' });
  });

  it('delivers the event when its filter matches', async () => {
    const outcome = await runRule(rule([filter('active', { data: { status: ['active'] } })]), event, ctx);
    expect(outcome).toEqual({ kind: 'deliver', body: event, output: 'json' });
  });

  it('stops at the first filter that does not match and names it', async () => {
    const r = rule([filter('ok', { source: ['/erp'] }), filter('inactive-only', { data: { status: ['inactive'] } }), jsonata('t', 'data')]);
    expect(await runRule(r, event, ctx)).toEqual({ kind: 'filtered', nodeId: 'inactive-only' });
  });

  it('chains transforms: each one sees the previous one\'s output', async () => {
    const r = rule([jsonata('pick', 'data'), jsonata('shape', '{"employee": name, "weekly": hours * 2}')]);
    expect(await runRule(r, event, ctx)).toEqual({ kind: 'deliver', body: { employee: 'Ann', weekly: 40 }, output: 'json' });
  });

  it('applies a filter after a transform to the transformed value, not to the event', async () => {
    const passes = rule([jsonata('pick', 'data'), filter('on-data', { status: ['active'] })]);
    expect(await runRule(passes, event, ctx)).toMatchObject({ kind: 'deliver', body: event.data });
    const stops = rule([jsonata('pick', 'data'), filter('on-event', { type: ['hr.employee.updated'] })]);
    expect(await runRule(stops, event, ctx)).toEqual({ kind: 'filtered', nodeId: 'on-event' });
  });

  it('gives every transform the original event and the rule context, whatever came before', async () => {
    const r = rule([jsonata('replace', '{"x": 1}'), jsonata('ctx', '{"id": $flowbridge.event.id, "flow": $flowbridge.flowId, "at": $flowbridge.ingestionTime, "x": x}')]);
    expect(await runRule(r, event, ctx)).toEqual({ kind: 'deliver', body: { id: 'evt-1', flow: 'hr', at: ctx.ingestionTime, x: 1 }, output: 'json' });
  });

  it('takes the output kind from the last transform', async () => {
    const text = await runRule(rule([handlebars('msg', 'Hello {{data.name}}')]), event, ctx);
    expect(text).toEqual({ kind: 'deliver', body: 'Hello Ann', output: 'text' });
    const backToJson = await runRule(rule([handlebars('msg', 'Hello {{data.name}}'), jsonata('wrap', '{"text": $}')]), event, ctx);
    expect(backToJson).toEqual({ kind: 'deliver', body: { text: 'Hello Ann' }, output: 'json' });
  });

  describe('leadMatched', () => {
    const r = rule([filter('lead', { type: ['never.sent'] }), filter('second', { data: { status: ['active'] } })]);

    it('takes the first filter as matched without evaluating it', async () => {
      expect(await runRule(r, event, ctx, { leadMatched: true })).toEqual({ kind: 'deliver', body: event, output: 'json' });
    });

    it('evaluates the first filter when not given', async () => {
      expect(await runRule(r, event, ctx)).toEqual({ kind: 'filtered', nodeId: 'lead' });
    });

    it('still evaluates every later filter', async () => {
      const strict = rule([filter('lead', { type: ['never.sent'] }), filter('second', { data: { status: ['inactive'] } })]);
      expect(await runRule(strict, event, ctx, { leadMatched: true })).toEqual({ kind: 'filtered', nodeId: 'second' });
    });

    it('does not skip a filter that comes after a leading transform', async () => {
      const transformFirst = rule([jsonata('t', '$'), filter('f', { type: ['never.sent'] })]);
      expect(await runRule(transformFirst, event, ctx, { leadMatched: true })).toEqual({ kind: 'filtered', nodeId: 'f' });
    });
  });

  describe('onStep', () => {
    it('reports each step with its input, and the filter verdict or the transform output', async () => {
      const reports: StepReport[] = [];
      const r = rule([filter('f', { type: ['hr.employee.updated'] }), jsonata('t', 'data.name'), handlebars('h', 'Hi {{this}}')]);
      await runRule(r, event, ctx, { onStep: (s) => reports.push(s) });
      expect(reports).toEqual([
        { nodeId: 'f', kind: 'filter', input: event, matched: true },
        { nodeId: 't', kind: 'transform', input: event, output: 'Ann' },
        { nodeId: 'h', kind: 'transform', input: 'Ann', output: 'Hi Ann' },
      ]);
    });

    it('reports the filter that stopped the event, and nothing after it', async () => {
      const reports: StepReport[] = [];
      const r = rule([jsonata('t', 'data'), filter('f', { status: ['inactive'] }), jsonata('never', '1')]);
      await runRule(r, event, ctx, { onStep: (s) => reports.push(s) });
      expect(reports.map((s) => [s.nodeId, s.matched])).toEqual([['t', undefined], ['f', false]]);
    });

    it('reports a lead filter taken as matched as matched', async () => {
      const reports: StepReport[] = [];
      await runRule(rule([filter('lead', { type: ['never.sent'] })]), event, ctx, { leadMatched: true, onStep: (s) => reports.push(s) });
      expect(reports).toEqual([{ nodeId: 'lead', kind: 'filter', input: event, matched: true }]);
    });
  });

  describe('transform failures', () => {
    it('rejects with ERR_TRANSFORM_RENDER naming the node when an expression fails on the event', async () => {
      const reports: StepReport[] = [];
      const r = rule([jsonata('ok', 'data'), jsonata('map-employee', '$error("no employee id")')]);
      const err = await rejection(runRule(r, event, ctx, { onStep: (s) => reports.push(s) }));
      expect(err.code).toBe('ERR_TRANSFORM_RENDER');
      expect(err.status).toBe(422);
      expect(err.message).toMatch(/^Transform "map-employee" failed: no employee id/);
      expect(err.details[0]).toEqual({ nodeId: 'map-employee' });
      expect(reports.map((s) => s.nodeId)).toEqual(['ok']);
    });

    it('keeps the code and details of a FlowbridgeError, with the node first', async () => {
      const inner = new FlowbridgeError('ERR_TRANSFORM_TIMEOUT', 'took longer than 500 ms', [{ limitMs: 500 }]);
      const err = await rejection(runRule(failingRule(inner), event, ctx));
      expect(err.code).toBe('ERR_TRANSFORM_TIMEOUT');
      expect(err.message).toBe('Transform "boom" failed: took longer than 500 ms');
      expect(err.details).toEqual([{ nodeId: 'boom' }, { limitMs: 500 }]);
    });

    it.each([
      ['an Error', new TypeError('cannot read x of undefined'), 'cannot read x of undefined'],
      ['a thrown string', 'plain failure', 'plain failure'],
    ])('turns %s into ERR_TRANSFORM_RENDER naming the node', async (_what, thrown, text) => {
      const err = await rejection(runRule(failingRule(thrown), event, ctx));
      expect(err.code).toBe('ERR_TRANSFORM_RENDER');
      expect(err.message).toBe(`Transform "boom" failed: ${text}`);
      expect(err.details).toEqual([{ nodeId: 'boom' }]);
    });
  });
});
