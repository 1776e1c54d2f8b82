// toFlowPath turns Ajv's JSON Pointers into the paths users see; checkSchema turns Ajv
// errors into Problems with those paths and readable messages.

import { describe, expect, it } from 'vitest';
import { WEBHOOK_SOURCE_CONFIG_SCHEMA } from './node-kinds.ts';
import { checkSchema, compileSchema, toFlowPath } from './schema-check.ts';

describe('toFlowPath', () => {
  const rows: [base: string, pointer: string, expected: string][] = [
    ['', '', ''],
    ['nodes[2].config', '', 'nodes[2].config'],
    ['', '/nodes', 'nodes'],
    ['', '/nodes/3/config/url', 'nodes[3].config.url'],
    ['', '/0/name', '[0].name'],
    ['nodes[0].config', '/headers/0', 'nodes[0].config.headers[0]'],
    ['x', '/content-type', 'x.content-type'],
    ['x', '/$ref', 'x.$ref'],
    ['x', '/_private', 'x._private'],
    ['x', '/a~1b', 'x["a/b"]'],
    ['x', '/a~0b', 'x["a~b"]'],
    ['x', '/~01', 'x["~1"]'],
    ['x', '/has space', 'x["has space"]'],
    ['x', '/3rd', 'x["3rd"]'],
    ['x', '/a.b', 'x["a.b"]'],
    ['x', '/', 'x[""]'],
    ['x', '/"quoted"', 'x["\\"quoted\\""]'],
    ['', '/has space/1', '["has space"][1]'],
  ];
  it.each(rows)('turns base %j with pointer %j into %j', (base, pointer, expected) => {
    expect(toFlowPath(base, pointer)).toBe(expected);
  });
});

describe('checkSchema', () => {
  const schema = {
    type: 'object',
    required: ['url', 'method'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', minLength: 1 },
      method: { enum: ['GET', 'POST'] },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      retries: { type: 'integer', minimum: 0 },
    },
  };
  const check = (value: unknown, base = 'nodes[1].config') => checkSchema(schema, value, base, 'ERR_FLOW_NODE_CONFIG');

  it('returns no problems for a value that matches', () => {
    expect(check({ url: 'http://x', method: 'POST', headers: { a: 'b' } })).toEqual([]);
  });

  const rows: [what: string, value: unknown, path: string, message: string][] = [
    ['a missing required property', { method: 'GET' }, 'nodes[1].config', 'nodes[1].config is missing the required property "url"'],
    ['an unknown property', { url: 'u', method: 'GET', colour: 1 }, 'nodes[1].config', 'nodes[1].config has an unknown property "colour"'],
    ['a value outside an enum', { url: 'u', method: 'PATCH' }, 'nodes[1].config.method', 'nodes[1].config.method must be one of "GET", "POST"'],
    ['a value of the wrong type', { url: 5, method: 'GET' }, 'nodes[1].config.url', 'nodes[1].config.url must be string'],
    ['a number below its minimum', { url: 'u', method: 'GET', retries: -1 }, 'nodes[1].config.retries', 'nodes[1].config.retries must be >= 0'],
    ['a header value that is not a string, under a key needing quotes', { url: 'u', method: 'GET', headers: { 'X Y': 1 } }, 'nodes[1].config.headers["X Y"]', 'nodes[1].config.headers["X Y"] must be string'],
  ];
  it.each(rows)('reports %s with its path and message', (_what, value, path, message) => {
    expect(check(value)).toEqual([{ code: 'ERR_FLOW_NODE_CONFIG', path, message }]);
  });

  it('reports every violation at once, not only the first', () => {
    const problems = check({ url: '', method: 'PUT', retries: 1.5, extra: true });
    expect(problems.map((p) => p.path)).toEqual(['nodes[1].config', 'nodes[1].config.url', 'nodes[1].config.method', 'nodes[1].config.retries']);
  });

  it('calls the root "document" when the base path is empty', () => {
    expect(checkSchema(schema, [], '', 'ERR_FLOW_SCHEMA')).toEqual([{ code: 'ERR_FLOW_SCHEMA', path: '', message: 'document must be object' }]);
  });

  it('uses the code it is given for every problem', () => {
    const problems = checkSchema(schema, { url: 1, method: 'X' }, 'flow', 'ERR_VALIDATION');
    expect(problems.length).toBe(2);
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['ERR_VALIDATION']));
  });

  it('reports a repeated identical message once', () => {
    // Both anyOf branches require "url": Ajv says it twice, the user needs it once.
    const twice = { anyOf: [{ required: ['url'], properties: { a: { type: 'string' } } }, { required: ['url'], properties: { b: { type: 'string' } } }] };
    const messages = checkSchema(twice, {}, 'c', 'ERR_FLOW_NODE_CONFIG').map((p) => p.message);
    expect(messages.filter((m) => m === 'c is missing the required property "url"')).toHaveLength(1);
  });

  it('compiles each schema object once and reuses the validator', () => {
    const local = { type: 'string' };
    expect(compileSchema(local)).toBe(compileSchema(local));
    expect(compileSchema({ type: 'string' })).not.toBe(compileSchema(local));
  });

  // Bug: the comment in checkSchema says the oneOf summary is what helps, but only `if`
  // errors are dropped; a bad ValueSource yields one problem per branch ("is missing the
  // required property "value"", "… "path"", "has an unknown property "header"") that send
  // the user after the wrong fix, plus the summary.
  it('reports a value that matches no oneOf branch once, with the summary and the real cause', () => {
    const problems = checkSchema(WEBHOOK_SOURCE_CONFIG_SCHEMA, { sourceId: 'ok', type: { header: 'bad header' } }, 'nodes[0].config', 'ERR_FLOW_NODE_CONFIG');
    expect(problems.map((p) => p.message)).not.toContain('nodes[0].config.type is missing the required property "value"');
  });
});
