// validateFlow: every problem code it can return, each with the exact path; all problems
// at once; and hostile documents that must never make it throw.

import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import { MAX_PATHS_PER_FLOW, validateFlow } from './flow.validation.ts';
import { buildNodeCatalog, type NodeKind } from './node-kinds.ts';

const TEST_TARGET: NodeKind = {
  type: 'target.test',
  role: 'target',
  title: 'Test target',
  description: 'A target kind for tests',
  configSchema: { type: 'object', required: ['url'], additionalProperties: false, properties: { url: { type: 'string' } } },
};
const catalog = buildNodeCatalog([TEST_TARGET]);

type Json = Record<string, unknown>;
const hook = (id: string, sourceId = id): Json => ({ id, type: 'source.webhook', config: { sourceId } });
const busSource = (id: string): Json => ({ id, type: 'source.bus', config: {} });
const filter = (id: string, pattern: unknown = { type: ['hr.employee.updated'] }): Json => ({ id, type: 'filter', config: { pattern } });
const transform = (id: string, config: Json = { type: 'jsonata', expression: 'data' }): Json => ({ id, type: 'transform', config });
const target = (id: string, extra: Json = {}): Json => ({ id, type: 'target.test', config: { url: 'http://example.test/' }, ...extra });
const edge = (source: unknown, to: unknown): Json => ({ source, target: to });
const flow = (nodes: unknown[], edges: unknown[], extra: Json = {}): Json => ({ name: 'Test flow', nodes, edges, ...extra });

/** The problems as [code, path] pairs: what every assertion here compares. */
function found(doc: unknown): [string, string][] {
  return validateFlow(doc, catalog).map((p) => [p.code, p.path]);
}

describe('validateFlow', () => {
  it('returns no problems for a valid webhook → filter → transform → target flow', () => {
    const doc = flow([hook('in'), filter('f'), transform('t'), target('out')], [edge('in', 'f'), edge('f', 't'), edge('t', 'out')]);
    expect(validateFlow(doc, catalog)).toEqual([]);
  });

  type Row = [what: string, doc: Json, expected: [ErrorCode, string][]];
  const single: Row[] = [
    ['a missing flow name', { nodes: [hook('in'), target('out')], edges: [edge('in', 'out')] }, [['ERR_FLOW_SCHEMA', '']]],
    ['an unknown top-level property', flow([hook('in'), target('out')], [edge('in', 'out')], { colour: 'red' }), [['ERR_FLOW_SCHEMA', '']]],
    ['a node id with a space', flow([hook('in'), target('bad id')], [edge('in', 'bad id')]), [['ERR_FLOW_SCHEMA', 'nodes[1].id'], ['ERR_FLOW_SCHEMA', 'edges[0].target']]],
    ['a delivery policy out of range', flow([hook('in'), target('out', { delivery: { maxAttempts: 0 } })], [edge('in', 'out')]), [['ERR_FLOW_SCHEMA', 'nodes[1].delivery.maxAttempts']]],
    ['a second node with the same id', flow([hook('in'), filter('f'), filter('f'), target('out')], [edge('in', 'f'), edge('f', 'out')]), [['ERR_FLOW_DUPLICATE_NODE_ID', 'nodes[2].id']]],
    ['a node type nobody knows', flow([hook('in'), { id: 'x', type: 'target.nope', config: {} }, target('out')], [edge('in', 'x'), edge('x', 'out')]), [['ERR_FLOW_UNKNOWN_NODE_TYPE', 'nodes[1].type']]],
    ['a target config missing a required field', flow([hook('in'), { id: 'out', type: 'target.test', config: {} }], [edge('in', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[1].config']]],
    ['a webhook source id with capitals', flow([hook('in', 'Not OK'), target('out')], [edge('in', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[0].config.sourceId']]],
    ['a transform kind that does not exist', flow([hook('in'), transform('t', { type: 'xslt' }), target('out')], [edge('in', 't'), edge('t', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[1].config.type']]],
    ['a delivery policy on a filter', flow([hook('in'), { ...filter('f'), delivery: { maxAttempts: 3 } }, target('out')], [edge('in', 'f'), edge('f', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[1].delivery']]],
    ['a delivery policy on a source', flow([{ ...hook('in'), delivery: { maxAttempts: 3 } }, target('out')], [edge('in', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[0].delivery']]],
    ['two webhook sources with one source id', flow([hook('a', 'shared'), hook('b', 'shared'), target('out')], [edge('a', 'out'), edge('b', 'out')]), [['ERR_FLOW_NODE_CONFIG', 'nodes[1].config.sourceId']]],
    ['an invalid operand deep in a pattern', flow([hook('in'), filter('f', { data: { a: [{ prefix: 1 }] } }), target('out')], [edge('in', 'f'), edge('f', 'out')]), [['ERR_PATTERN_INVALID', 'nodes[1].config.pattern.data.a[0].prefix']]],
    ['an empty pattern', flow([hook('in'), filter('f', {}), target('out')], [edge('in', 'f'), edge('f', 'out')]), [['ERR_PATTERN_INVALID', 'nodes[1].config.pattern']]],
    ['a JSONata expression that does not parse', flow([hook('in'), transform('t', { type: 'jsonata', expression: '$$$(' }), target('out')], [edge('in', 't'), edge('t', 'out')]), [['ERR_TRANSFORM_SYNTAX', 'nodes[1].config.expression']]],
    ['a JSONata transform without an expression', flow([hook('in'), transform('t', { type: 'jsonata' }), target('out')], [edge('in', 't'), edge('t', 'out')]), [['ERR_TRANSFORM_INVALID', 'nodes[1].config.expression']]],
    ['a JSONata expression over the size limit', flow([hook('in'), transform('t', { type: 'jsonata', expression: `"${'x'.repeat(40_000)}"` }), target('out')], [edge('in', 't'), edge('t', 'out')]), [['ERR_TRANSFORM_TOO_LARGE', 'nodes[1].config.expression']]],
    ['an edge to a node that does not exist', flow([hook('in'), target('out')], [edge('in', 'out'), edge('in', 'ghost')]), [['ERR_FLOW_EDGE_UNKNOWN_NODE', 'edges[1].target']]],
    ['an edge from a node that does not exist', flow([hook('in'), target('out')], [edge('in', 'out'), edge('ghost', 'out')]), [['ERR_FLOW_EDGE_UNKNOWN_NODE', 'edges[1].source']]],
    ['an edge leaving a target', flow([hook('in'), target('out'), target('out2')], [edge('in', 'out'), edge('out', 'out2')]), [['ERR_FLOW_EDGE_DIRECTION', 'edges[1]']]],
    ['an edge entering a source', flow([hook('in'), filter('f'), busSource('in2'), target('out')], [edge('in', 'f'), edge('f', 'out'), edge('f', 'in2'), edge('in2', 'out')]), [['ERR_FLOW_EDGE_DIRECTION', 'edges[2]']]],
    ['no source node', flow([filter('f'), target('out')], [edge('f', 'out')]), [['ERR_FLOW_NO_SOURCE', 'nodes']]],
    ['no target node', flow([hook('in'), filter('f')], [edge('in', 'f')]), [['ERR_FLOW_NO_TARGET', 'nodes']]],
    ['no nodes at all', flow([], []), [['ERR_FLOW_NO_SOURCE', 'nodes'], ['ERR_FLOW_NO_TARGET', 'nodes']]],
  ];

  it.each(single)('reports %s with its code and exact path', (_what, doc, expected) => {
    expect(found(doc)).toEqual(expected);
  });

  it('uses only codes from the catalogue, and messages that name the place', () => {
    const doc = flow([hook('in', 'Bad'), filter('f', {}), target('out'), filter('f')], [edge('in', 'f'), edge('f', 'out'), edge('x', 'out')]);
    const problems = validateFlow(doc, catalog);
    expect(problems.length).toBeGreaterThanOrEqual(4);
    for (const p of problems) {
      expect(Object.keys(ERROR_CODES)).toContain(p.code);
      expect(p.message.length).toBeGreaterThan(0);
    }
    expect(problems.find((p) => p.code === 'ERR_PATTERN_INVALID')?.message).toMatch(/^nodes\[1\]\.config\.pattern: /);
  });

  it('reports every problem of a document at once, in document order', () => {
    const doc = flow(
      [hook('in'), { id: 'x', type: 'mystery', config: {} }, filter('in'), { id: 'out', type: 'target.test', config: {} }, { ...filter('f'), delivery: { maxAttempts: 2 } }],
      [edge('in', 'x'), edge('x', 'f'), edge('f', 'out'), edge('f', 'nowhere'), edge('out', 'in')],
    );
    expect(found(doc)).toEqual([
      ['ERR_FLOW_UNKNOWN_NODE_TYPE', 'nodes[1].type'],
      ['ERR_FLOW_DUPLICATE_NODE_ID', 'nodes[2].id'],
      ['ERR_FLOW_NODE_CONFIG', 'nodes[3].config'],
      ['ERR_FLOW_NODE_CONFIG', 'nodes[4].delivery'],
      ['ERR_FLOW_EDGE_UNKNOWN_NODE', 'edges[3].target'],
      ['ERR_FLOW_EDGE_DIRECTION', 'edges[4]'],
      ['ERR_FLOW_EDGE_DIRECTION', 'edges[4]'],
      ['ERR_FLOW_CYCLE', 'nodes[0]'],
    ]);
  });

  describe('cycles', () => {
    it('reports ERR_FLOW_CYCLE at the first node of the cycle', () => {
      const doc = flow([hook('in'), filter('a'), filter('b'), target('out')], [edge('in', 'a'), edge('a', 'b'), edge('b', 'a'), edge('b', 'out')]);
      const problems = validateFlow(doc, catalog);
      expect(problems.map((p) => [p.code, p.path])).toEqual([['ERR_FLOW_CYCLE', 'nodes[1]']]);
      expect(problems[0]!.message).toContain('a → b → a');
    });

    it('reports a node with an edge to itself as a cycle', () => {
      const doc = flow([hook('in'), filter('f'), target('out')], [edge('in', 'f'), edge('f', 'f'), edge('f', 'out')]);
      expect(found(doc)).toEqual([['ERR_FLOW_CYCLE', 'nodes[1]']]);
    });

    it('does not take a diamond (two paths joining again) for a cycle', () => {
      const doc = flow([hook('in'), filter('a'), filter('b'), transform('j'), target('out')], [edge('in', 'a'), edge('in', 'b'), edge('a', 'j'), edge('b', 'j'), edge('j', 'out')]);
      expect(found(doc)).toEqual([]);
    });

    // Bug: a cycle skips the reachability checks entirely, so a flow with a cycle and no
    // target reports only the cycle; the user learns about the missing target next deploy.
    it('reports a missing target even when the graph also has a cycle', () => {
      const doc = flow([hook('in'), filter('a'), filter('b')], [edge('in', 'a'), edge('a', 'b'), edge('b', 'a')]);
      expect(found(doc)).toEqual(expect.arrayContaining([['ERR_FLOW_CYCLE', 'nodes[1]'], ['ERR_FLOW_NO_TARGET', 'nodes']]));
    });
  });

  describe('unreachable nodes', () => {
    const base = [hook('in'), filter('f'), target('out')];
    const baseEdges = [edge('in', 'f'), edge('f', 'out')];
    const rows: [what: string, extraNode: Json, extraEdges: Json[], why: string][] = [
      ['a filter with no edges', filter('lonely'), [], 'no source leads to it'],
      ['a filter that leads nowhere', filter('dead'), [edge('f', 'dead')], 'it leads to no target'],
      ['a source connected to nothing', busSource('idle'), [], 'it leads to no target'],
      ['a target nothing leads to', target('orphan'), [], 'no source leads to it'],
      ['a transform only another unreachable node feeds', transform('t'), [edge('t', 'out')], 'no source leads to it'],
    ];
    it.each(rows)('reports %s as ERR_FLOW_UNREACHABLE_NODE with the reason', (_what, extraNode, extraEdges, why) => {
      const problems = validateFlow(flow([...base, extraNode], [...baseEdges, ...extraEdges]), catalog);
      expect(problems.map((p) => [p.code, p.path])).toEqual([['ERR_FLOW_UNREACHABLE_NODE', 'nodes[3]']]);
      expect(problems[0]!.message).toContain(why);
    });
  });

  describe('the path-count limit', () => {
    /** source → `a` filters → `b` filters → `t` targets, every layer fully connected: a·b·t paths. */
    function layered(a: number, b: number, t: number): Json {
      const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
      const [as, bs, ts] = [ids('a', a), ids('b', b), ids('t', t)];
      const nodes = [busSource('in'), ...as.map((id) => filter(id)), ...bs.map((id) => filter(id)), ...ts.map((id) => target(id))];
      const edges = [...as.map((x) => edge('in', x)), ...as.flatMap((x) => bs.map((y) => edge(x, y))), ...bs.flatMap((y) => ts.map((z) => edge(y, z)))];
      return flow(nodes, edges);
    }

    it('accepts a flow with exactly the maximum number of source-to-target paths', () => {
      expect(MAX_PATHS_PER_FLOW).toBe(1000);
      expect(found(layered(10, 10, 10))).toEqual([]);
    });

    it('refuses a flow with more paths than the maximum, at "edges"', () => {
      const problems = validateFlow(layered(10, 10, 11), catalog);
      expect(problems.map((p) => [p.code, p.path])).toEqual([['ERR_FLOW_INVALID', 'edges']]);
      expect(problems[0]!.message).toContain(`at most ${MAX_PATHS_PER_FLOW}`);
    });

    it('counts exponentially many paths through a chain of diamonds without enumerating them', () => {
      // 30 diamonds in a row: 2^30 paths from 91 nodes; counting them one by one would never end.
      const nodes: Json[] = [busSource('in')];
      const edges: Json[] = [];
      let prev = 'in';
      for (let i = 0; i < 30; i++) {
        nodes.push(filter(`x${i}`), filter(`y${i}`), transform(`j${i}`));
        edges.push(edge(prev, `x${i}`), edge(prev, `y${i}`), edge(`x${i}`, `j${i}`), edge(`y${i}`, `j${i}`));
        prev = `j${i}`;
      }
      nodes.push(target('out'));
      edges.push(edge(prev, 'out'));
      expect(found(flow(nodes, edges))).toEqual([['ERR_FLOW_INVALID', 'edges']]);
    });
  });

  describe('hostile documents', () => {
    const notObjects: [what: string, doc: unknown, path: string][] = [
      ['null', null, ''],
      ['undefined', undefined, ''],
      ['a number', 42, ''],
      ['a string', '{"name":"x","nodes":[],"edges":[]}', ''],
      ['an array', [hook('in'), target('out')], ''],
      ['an object without nodes and edges', {}, ''],
      ['nodes that are not an array', { name: 'x', nodes: 'many', edges: [] }, 'nodes'],
      ['edges that are null', { name: 'x', nodes: [], edges: null }, 'edges'],
    ];
    it.each(notObjects)('answers %s with ERR_FLOW_SCHEMA at "%s", without throwing', (_what, doc, path) => {
      const problems = validateFlow(doc, catalog);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.code === 'ERR_FLOW_SCHEMA')).toBe(true);
      expect(problems.map((p) => p.path)).toContain(path);
    });

    it('survives nodes and edges that are not objects, or have fields of the wrong type', () => {
      const doc = {
        name: 'x',
        nodes: [null, 1, 'node', [], { id: 5, type: 'filter', config: {} }, { id: 'a', type: 7, config: [] }, { id: 'b', type: 'filter', config: 'yes' }, { id: 'c', type: 'filter' }],
        edges: [null, 3, 'a→b', { source: {}, target: [] }, { source: 'a' }],
      };
      const problems = validateFlow(doc, catalog);
      expect(problems.filter((p) => p.code === 'ERR_FLOW_SCHEMA').map((p) => p.path)).toEqual(
        expect.arrayContaining(['nodes[0]', 'nodes[1]', 'nodes[2]', 'nodes[3]', 'nodes[4].id', 'nodes[5].type', 'nodes[5].config', 'nodes[6].config', 'nodes[7]', 'edges[0]', 'edges[1]', 'edges[2]', 'edges[3].source', 'edges[3].target', 'edges[4]']),
      );
    });

    it('treats "__proto__", "constructor" and "toString" as ordinary keys and ids, and pollutes nothing', () => {
      const doc: unknown = JSON.parse(`{
        "name": "proto", "__proto__": {"polluted": "yes"},
        "nodes": [
          {"id": "constructor", "type": "source.bus", "config": {"__proto__": {"polluted": "yes"}}},
          {"id": "toString", "type": "target.test", "config": {"url": "u"}},
          {"id": "hasOwnProperty", "type": "filter", "config": {"pattern": {"__proto__": ["x"]}}}
        ],
        "edges": [{"source": "constructor", "target": "hasOwnProperty"}, {"source": "hasOwnProperty", "target": "toString"}]
      }`);
      expect(found(doc)).toEqual([
        ['ERR_FLOW_SCHEMA', ''],
        ['ERR_FLOW_NODE_CONFIG', 'nodes[0].config'],
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });

    // Bug: countPaths recurses once per node along a path, so a long chain (the schema's
    // maxItems is reported but validation goes on) overflows the stack; POST /flows/validate
    // and GET of such a stored flow then fail with 500 instead of listing the problems.
    it('never throws on a 100,000-node chain, and reports the node limit instead', () => {
      const nodes: Json[] = [busSource('in')];
      const edges: Json[] = [];
      for (let i = 0; i < 100_000; i++) {
        nodes.push(filter(`n${i}`));
        edges.push(edge(i === 0 ? 'in' : `n${i - 1}`, `n${i}`));
      }
      nodes.push(target('out'));
      edges.push(edge('n99999', 'out'));
      expect(found(flow(nodes, edges))).toContainEqual(['ERR_FLOW_SCHEMA', 'nodes']);
    });
  });
});
