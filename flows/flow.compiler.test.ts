// compileFlow: one rule per source → target path, steps in path order, origins, delivery
// policy merge, rule ids stable across recompiles, and refusal of invalid flows.

import { describe, expect, it } from 'vitest';
import { FlowbridgeError } from './error-codes.ts';
import { DEFAULT_DELIVERY_POLICY, type FlowDocument, type FlowNode } from './flow-document.ts';
import { compileFlow, DEFAULT_BUS, type CompiledFlow, type RuleDefinition } from './flow.compiler.ts';
import { buildNodeCatalog } from './node-kinds.ts';

const catalog = buildNodeCatalog([
  { type: 'target.test', role: 'target', title: 'Test target', description: 'For tests', configSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } } },
]);

const node = (id: string, type: string, config: Record<string, unknown>, extra: Partial<FlowNode> = {}): FlowNode => ({ id, type, config, ...extra });
const hook = (id: string, sourceId = id) => node(id, 'source.webhook', { sourceId });
const busSource = (id: string) => node(id, 'source.bus', {});
const filter = (id: string, type = id) => node(id, 'filter', { pattern: { type: [type] } });
const jsonata = (id: string, expression = 'data') => node(id, 'transform', { type: 'jsonata', expression });
const target = (id: string, extra: Partial<FlowNode> = {}) => node(id, 'target.test', { url: `http://example.test/${id}` }, extra);

function doc(nodes: FlowNode[], edges: [string, string][], extra: Partial<FlowDocument> = {}): FlowDocument {
  return { name: 'Orders', nodes, edges: edges.map(([source, to]) => ({ source, target: to })), ...extra };
}

const compile = (d: FlowDocument, version = 1): CompiledFlow => compileFlow(d, catalog, { flowId: 'orders', version });
const paths = (c: CompiledFlow): string[] => c.rules.map((r) => r.path.join('>')).sort();
const rulePath = (c: CompiledFlow, path: string): RuleDefinition => {
  const rule = c.rules.find((r) => r.path.join('>') === path);
  if (!rule) throw new Error(`no rule for ${path}; have ${paths(c).join(', ')}`);
  return rule;
};

describe('compileFlow', () => {
  describe('one rule per source → target path', () => {
    const rows: [what: string, d: FlowDocument, expected: string[]][] = [
      ['a straight line', doc([hook('in'), filter('f'), target('out')], [['in', 'f'], ['f', 'out']]), ['in>f>out']],
      ['a source wired straight to a target', doc([hook('in'), target('out')], [['in', 'out']]), ['in>out']],
      ['a fan-out to two targets', doc([hook('in'), filter('f'), target('a'), target('b')], [['in', 'f'], ['f', 'a'], ['f', 'b']]), ['in>f>a', 'in>f>b']],
      ['a fan-in of two branches into one target', doc([hook('in'), filter('x'), filter('y'), target('out')], [['in', 'x'], ['in', 'y'], ['x', 'out'], ['y', 'out']]), ['in>x>out', 'in>y>out']],
      ['two sources sharing a target', doc([hook('h1'), busSource('b1'), target('out')], [['h1', 'out'], ['b1', 'out']]), ['b1>out', 'h1>out']],
      ['a diamond before two targets', doc([hook('in'), filter('x'), filter('y'), jsonata('j'), target('a'), target('b')], [['in', 'x'], ['in', 'y'], ['x', 'j'], ['y', 'j'], ['j', 'a'], ['j', 'b']]), ['in>x>j>a', 'in>x>j>b', 'in>y>j>a', 'in>y>j>b']],
      ['a repeated edge, counted once', doc([hook('in'), target('out')], [['in', 'out'], ['in', 'out']]), ['in>out']],
    ];
    it.each(rows)('compiles %s into one rule per path', (_what, d, expected) => {
      expect(paths(compile(d))).toEqual(expected);
    });
  });

  it('lists the steps of a rule in path order, without the source and the target', () => {
    const d = doc([hook('in'), filter('f1', 'a'), jsonata('t1', 'data.x'), filter('f2', 'b'), jsonata('t2', '$'), target('out')], [['in', 'f1'], ['f1', 't1'], ['t1', 'f2'], ['f2', 't2'], ['t2', 'out']]);
    const rule = rulePath(compile(d), 'in>f1>t1>f2>t2>out');
    expect(rule.steps).toEqual([
      { kind: 'filter', nodeId: 'f1', pattern: { type: ['a'] } },
      { kind: 'transform', nodeId: 't1', transform: { type: 'jsonata', expression: 'data.x' } },
      { kind: 'filter', nodeId: 'f2', pattern: { type: ['b'] } },
      { kind: 'transform', nodeId: 't2', transform: { type: 'jsonata', expression: '$' } },
    ]);
    expect(rule.target).toEqual({ nodeId: 'out', type: 'target.test', name: 'out', config: { url: 'http://example.test/out' } });
  });

  it('gives each branch of a fan-out only the steps on its own path', () => {
    const d = doc([hook('in'), filter('common'), jsonata('left'), jsonata('right'), target('a'), target('b')], [['in', 'common'], ['common', 'left'], ['common', 'right'], ['left', 'a'], ['right', 'b']]);
    const c = compile(d);
    expect(rulePath(c, 'in>common>left>a').steps.map((s) => s.nodeId)).toEqual(['common', 'left']);
    expect(rulePath(c, 'in>common>right>b').steps.map((s) => s.nodeId)).toEqual(['common', 'right']);
  });

  it('marks rules from a webhook source with its source id, and rules from a bus source as bus rules', () => {
    const d = doc([hook('h', 'erp-employees'), busSource('all'), target('out')], [['h', 'out'], ['all', 'out']]);
    const c = compile(d);
    expect(rulePath(c, 'h>out').origin).toEqual({ kind: 'webhook', sourceId: 'erp-employees' });
    expect(rulePath(c, 'all>out').origin).toEqual({ kind: 'bus' });
    expect(c.webhookSources).toEqual([{ sourceId: 'erp-employees', flowId: 'orders', nodeId: 'h', bus: DEFAULT_BUS, config: { sourceId: 'erp-employees' } }]);
  });

  it('puts every rule and webhook source on the flow\'s bus, "default" when none is named', () => {
    const d = doc([hook('in'), target('out')], [['in', 'out']]);
    expect(compile(d).rules.map((r) => r.bus)).toEqual(['default']);
    const onHr = compile({ ...d, bus: 'hr' });
    expect(onHr.bus).toBe('hr');
    expect(onHr.rules.map((r) => r.bus)).toEqual(['hr']);
    expect(onHr.webhookSources.map((s) => s.bus)).toEqual(['hr']);
  });

  it('carries the flow id, version and a readable name into every rule', () => {
    const d = doc([hook('in', 'erp'), target('out', { name: 'Attendance API' })], [['in', 'out']]);
    const c = compileFlow(d, catalog, { flowId: 'erp-sync', version: 7 });
    expect(c).toMatchObject({ flowId: 'erp-sync', version: 7, name: 'Orders' });
    expect(c.rules[0]).toMatchObject({ flowId: 'erp-sync', flowVersion: 7, name: 'Orders: in → Attendance API' });
    expect(c.rules[0]!.target.name).toBe('Attendance API');
  });

  describe('delivery policy', () => {
    const line = (defaults: FlowDocument['defaults'], delivery?: FlowNode['delivery']) =>
      compile(doc([hook('in'), target('out', delivery ? { delivery } : {})], [['in', 'out']], defaults ? { defaults } : {})).rules[0]!.delivery;

    it('uses the built-in defaults when neither the flow nor the node sets any', () => {
      expect(line(undefined)).toEqual(DEFAULT_DELIVERY_POLICY);
    });

    it('lets flow defaults override the built-in ones, field by field', () => {
      expect(line({ delivery: { maxAttempts: 3, timeoutMs: 5000 } })).toEqual({ ...DEFAULT_DELIVERY_POLICY, maxAttempts: 3, timeoutMs: 5000 });
    });

    it('lets a target node override the flow defaults, field by field', () => {
      expect(line({ delivery: { maxAttempts: 3, timeoutMs: 5000 } }, { maxAttempts: 12, backoffBaseMs: 10 })).toEqual({
        ...DEFAULT_DELIVERY_POLICY,
        maxAttempts: 12,
        timeoutMs: 5000,
        backoffBaseMs: 10,
      });
    });

    it('gives each target of a fan-out its own policy', () => {
      const d = doc([hook('in'), target('fast', { delivery: { maxAttempts: 1 } }), target('slow')], [['in', 'fast'], ['in', 'slow']], { defaults: { delivery: { maxAttempts: 20 } } });
      const c = compile(d);
      expect(rulePath(c, 'in>fast').delivery.maxAttempts).toBe(1);
      expect(rulePath(c, 'in>slow').delivery.maxAttempts).toBe(20);
    });

    it('does not share or change the built-in defaults object', () => {
      const before = { ...DEFAULT_DELIVERY_POLICY };
      const policy = line(undefined);
      policy.backoffMaxMs = 1;
      expect(DEFAULT_DELIVERY_POLICY).toEqual(before);
    });
  });

  describe('rule ids', () => {
    const base = doc([hook('in'), filter('f'), target('a'), target('b')], [['in', 'f'], ['f', 'a'], ['f', 'b']]);

    it('are distinct per path and prefixed with the flow id', () => {
      const ids = compile(base).rules.map((r) => r.id);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(id).toMatch(/^orders\.[0-9a-f]{12}$/);
    });

    it('stay the same when the flow is recompiled at a new version with other settings', () => {
      const changed: FlowDocument = {
        ...base,
        name: 'Renamed',
        nodes: [hook('in'), filter('f', 'other.type'), target('a', { delivery: { maxAttempts: 2 } }), target('b', { name: 'B' })],
      };
      const before = Object.fromEntries(compile(base, 1).rules.map((r) => [r.path.join('>'), r.id]));
      const after = Object.fromEntries(compile(changed, 2).rules.map((r) => [r.path.join('>'), r.id]));
      expect(after).toEqual(before);
    });

    it('change when the path goes through other nodes', () => {
      const rerouted = doc([hook('in'), filter('g'), target('a')], [['in', 'g'], ['g', 'a']]);
      const a1 = rulePath(compile(base), 'in>f>a').id;
      const a2 = rulePath(compile(rerouted), 'in>g>a').id;
      expect(a2).not.toBe(a1);
    });

    it('differ between flows with the same node ids', () => {
      const one = compileFlow(base, catalog, { flowId: 'one', version: 1 }).rules.map((r) => r.id);
      const two = compileFlow(base, catalog, { flowId: 'two', version: 1 }).rules.map((r) => r.id);
      expect(one.some((id) => two.includes(id))).toBe(false);
    });
  });

  it('produces plain JSON that survives a round trip through Redis unchanged', () => {
    const d = doc([hook('in'), filter('f'), jsonata('t'), target('out')], [['in', 'f'], ['f', 't'], ['t', 'out']]);
    const c = compile(d);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  describe('invalid flows', () => {
    it('throws ERR_FLOW_INVALID with every problem in details', () => {
      const bad = doc([hook('in'), filter('f'), filter('f'), node('x', 'target.nope', {})], [['in', 'f'], ['f', 'ghost']]);
      let thrown: unknown;
      try {
        compile(bad);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(FlowbridgeError);
      const fe = thrown as FlowbridgeError;
      expect(fe.code).toBe('ERR_FLOW_INVALID');
      expect(fe.status).toBe(400);
      expect(fe.message).toMatch(/^The flow has \d+ problems: /);
      expect((fe.details as { code: string; path: string }[]).map((p) => [p.code, p.path])).toEqual(
        expect.arrayContaining([
          ['ERR_FLOW_DUPLICATE_NODE_ID', 'nodes[2].id'],
          ['ERR_FLOW_UNKNOWN_NODE_TYPE', 'nodes[3].type'],
          ['ERR_FLOW_EDGE_UNKNOWN_NODE', 'edges[1].target'],
        ]),
      );
    });

    it('names the single problem in the message when there is only one', () => {
      const bad = doc([hook('in'), filter('f')], [['in', 'f']]);
      expect(() => compile(bad)).toThrow(/^The flow has 1 problem: The flow needs at least one target node$/);
    });
  });
});
