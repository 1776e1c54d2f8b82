import { describe, expect, it } from 'vitest';
import { FlowbridgeError, type ErrorCode } from '../error-codes.ts';
import { CTX, EVENT, expectProblems, runCase, type ExpectedProblem, type RenderCase } from './transform.test-kit.ts';
import { compileTransform, DEFAULT_TRANSFORM_LIMITS, validateTransform, type TransformLimits } from './transform.ts';

const originalCases: RenderCase[] = [
  { name: 'original renders the whole event', config: { type: 'original' }, output: 'json', expected: EVENT },
  { name: 'original with part data renders only the data', config: { type: 'original', part: 'data' }, expected: EVENT.data },
  { name: 'original in a chain renders the previous output unchanged', config: { type: 'original' }, input: { already: 'transformed' }, expected: { already: 'transformed' } },
  {
    name: 'original with part data fails when the event has no data',
    config: { type: 'original', part: 'data' },
    input: { specversion: '1.0', id: 'x' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /no data/,
  },
  {
    name: 'original with part data explains an event carrying binary data',
    config: { type: 'original', part: 'data' },
    input: { specversion: '1.0', data_base64: 'AAE=' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /data_base64/,
  },
];

const constantCases: RenderCase[] = [
  { name: 'constant renders a fixed object whatever the event', config: { type: 'constant', value: { ok: true, n: [1, 2] } }, output: 'json', expected: { ok: true, n: [1, 2] } },
  { name: 'constant renders a string as text', config: { type: 'constant', value: 'ping' }, output: 'text', expected: 'ping' },
  { name: 'constant renders null as JSON', config: { type: 'constant', value: null }, output: 'json', expected: null },
  { name: 'constant renders a number as JSON', config: { type: 'constant', value: 0 }, output: 'json', expected: 0 },
];

const jsonpathCases: RenderCase[] = [
  { name: 'jsonpath renders the value at a path', config: { type: 'jsonpath', path: '$.data.address' }, output: 'json', expected: { city: 'London', zip: 'W1' } },
  { name: 'jsonpath renders a scalar at a path', config: { type: 'jsonpath', path: '$.data.employeeId' }, expected: 'E-42' },
  { name: 'jsonpath renders null when the value is null', config: { type: 'jsonpath', path: '$.data.manager' }, expected: null },
  { name: 'jsonpath renders every match of a wildcard path as an array', config: { type: 'jsonpath', path: '$.data.shifts[*].day' }, expected: ['mon', 'tue'] },
  { name: 'jsonpath renders an empty array when a wildcard path matches nothing', config: { type: 'jsonpath', path: '$.data.shifts[*].nope' }, expected: [] },
  {
    name: 'jsonpath fails with the path in the message when a definite path matches nothing',
    config: { type: 'jsonpath', path: '$.data.salary' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /\$\.data\.salary matches nothing/,
  },
  { name: 'jsonpath reads the previous output in a chain', config: { type: 'jsonpath', path: '$.b' }, input: { b: 2 }, expected: 2 },
];

const jsonataCases: RenderCase[] = [
  {
    name: 'jsonata maps several fields into a new object',
    config: { type: 'jsonata', expression: '{"id": data.employeeId, "city": data.address.city, "roles": $join(data.roles, ",")}' },
    output: 'json',
    expected: { id: 'E-42', city: 'London', roles: 'admin,dev' },
  },
  { name: 'jsonata computes aggregates', config: { type: 'jsonata', expression: '$sum(data.shifts.hours)' }, expected: 14 },
  { name: 'jsonata renders a sequence as a plain array', config: { type: 'jsonata', expression: 'data.shifts.day' }, expected: ['mon', 'tue'] },
  { name: 'jsonata renders a string result as JSON', config: { type: 'jsonata', expression: '$uppercase(data.address.city)' }, expected: 'LONDON' },
  {
    name: 'jsonata exposes the context as $flowbridge',
    config: { type: 'jsonata', expression: '[$flowbridge.ruleName, $flowbridge.flowId, $flowbridge.ingestionTime]' },
    expected: ['sync-attendance', 'flow-7', '2024-05-01T12:30:01.250Z'],
  },
  {
    name: 'jsonata in a chain sees the previous output as input and the original event as $flowbridge.event',
    config: { type: 'jsonata', expression: '{"x": x, "type": $flowbridge.event.type}' },
    input: { x: 1 },
    expected: { x: 1, type: 'hr.employee.updated' },
  },
  { name: 'jsonata allows bounded recursion', config: { type: 'jsonata', expression: '($f := function($n){$n <= 1 ? 1 : $n * $f($n - 1)}; $f(10))' }, expected: 3628800 },
  { name: 'jsonata allows a safe regular expression', config: { type: 'jsonata', expression: '$contains(data.name, /countess/i)' }, expected: true },
  { name: 'jsonata cannot reach the prototype through constructor', config: { type: 'jsonata', expression: '$type(constructor)' }, error: 'ERR_TRANSFORM_RENDER', message: /no value/ },
  {
    name: 'jsonata fails with no value when the expression matches nothing',
    config: { type: 'jsonata', expression: 'data.salary' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /no value/,
  },
  {
    name: 'jsonata reports an evaluation error with its JSONata code',
    config: { type: 'jsonata', expression: 'data.name + 1' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /T2001/,
  },
  {
    name: 'jsonata reports a $error call as a render error with its message',
    config: { type: 'jsonata', expression: '$error("employee is inactive")' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /employee is inactive/,
  },
  {
    name: 'jsonata fails when the expression returns a function',
    config: { type: 'jsonata', expression: 'function($x){$x}' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /function/,
  },
  {
    name: 'jsonata ends infinite tail recursion with a timeout',
    config: { type: 'jsonata', expression: '($f := function($x){$f($x)}; $f(1))' },
    limits: { timeoutMs: 50 },
    error: 'ERR_TRANSFORM_TIMEOUT',
    message: /longer than 50 ms/,
  },
  {
    name: 'jsonata ends unbounded non-tail recursion at the depth limit',
    config: { type: 'jsonata', expression: '($f := function($x){1 + $f($x)}; $f(1))' },
    limits: { maxDepth: 300 },
    error: 'ERR_TRANSFORM_TIMEOUT',
    message: /deeper than 300/,
  },
  {
    name: 'jsonata ends a long-running loop with a timeout',
    config: { type: 'jsonata', expression: '($x := 0; [1..1000000].($x := $x + 1))' },
    limits: { timeoutMs: 30 },
    error: 'ERR_TRANSFORM_TIMEOUT',
  },
  {
    name: 'jsonata refuses a huge range instead of allocating it',
    config: { type: 'jsonata', expression: '$count([1..5000000])' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /D2015/,
  },
  {
    name: 'jsonata refuses an unsafe regular expression built at run time by $eval',
    config: { type: 'jsonata', expression: '$eval("$match(\\"aaaa\\", /(a+)+$/)")' },
    error: 'ERR_TRANSFORM_RENDER',
    message: /nested quantifiers/,
  },
  {
    name: 'jsonata fails when the output exceeds maxOutputBytes',
    config: { type: 'jsonata', expression: '$pad("", 2000, "x")' },
    limits: { maxOutputBytes: 1000 },
    error: 'ERR_TRANSFORM_RENDER',
    message: /limit is 1000/,
  },
];

describe('compileTransform renders', () => {
  it.each([...originalCases, ...constantCases, ...jsonpathCases, ...jsonataCases])('$name', runCase);
});

interface InvalidCase {
  name: string;
  config: unknown;
  problems: ExpectedProblem[];
  limits?: Partial<TransformLimits>;
}

const invalidCases: InvalidCase[] = [
  { name: 'a config that is not an object is invalid', config: 'jsonata', problems: [{ code: 'ERR_TRANSFORM_INVALID', path: '' }] },
  { name: 'an array is not a config', config: [], problems: [{ code: 'ERR_TRANSFORM_INVALID', path: '' }] },
  { name: 'a config without a type is invalid', config: { expression: 'a' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'type', message: /is required/ }] },
  { name: 'an unknown kind is invalid', config: { type: 'xslt' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'type', message: /not a transform kind/ }] },
  { name: 'a field of another kind is rejected with its path', config: { type: 'original', expression: 'x' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'expression' }] },
  { name: 'a misspelled field is rejected rather than ignored', config: { type: 'original', prat: 'data' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'prat' }] },
  { name: 'original accepts only data as part', config: { type: 'original', part: 'body' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'part' }] },
  { name: 'constant needs a value', config: { type: 'constant' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'value', message: /required/ }] },
  {
    name: 'constant larger than maxSourceBytes is too large',
    config: { type: 'constant', value: 'x'.repeat(200) },
    limits: { maxSourceBytes: 100 },
    problems: [{ code: 'ERR_TRANSFORM_TOO_LARGE', path: 'value' }],
  },
  { name: 'jsonpath needs a path', config: { type: 'jsonpath' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'path' }] },
  { name: 'jsonpath path must be a string', config: { type: 'jsonpath', path: 3 }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'path', message: /string/ }] },
  { name: 'jsonpath with a bad path is a syntax problem', config: { type: 'jsonpath', path: 'data.x' }, problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'path' }] },
  {
    name: 'jsonpath with a filter expression is rejected',
    config: { type: 'jsonpath', path: '$.data.shifts[?(@.hours > 6)]' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'path', message: /not supported/ }],
  },
  { name: 'jsonata needs an expression', config: { type: 'jsonata' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'expression' }] },
  { name: 'jsonata with an empty expression is invalid', config: { type: 'jsonata', expression: '  ' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'expression', message: /empty/ }] },
  {
    name: 'jsonata with a syntax error reports the position',
    config: { type: 'jsonata', expression: '{"a": data.x' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'expression', message: /position/ }],
  },
  {
    name: 'jsonata statements without enclosing parentheses do not parse',
    config: { type: 'jsonata', expression: '$f := function($x){$f($x)}; $f(1)' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'expression' }],
  },
  {
    name: 'jsonata with a regular expression that backtracks exponentially is rejected at compile time',
    config: { type: 'jsonata', expression: '$match(data.name, /(a+)+$/)' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'expression', message: /nested quantifiers/ }],
  },
  {
    name: 'jsonata larger than maxSourceBytes is too large',
    config: { type: 'jsonata', expression: `"${'x'.repeat(300)}"` },
    limits: { maxSourceBytes: 256 },
    problems: [{ code: 'ERR_TRANSFORM_TOO_LARGE', path: 'expression', message: /limit is 256/ }],
  },
];

describe('validateTransform', () => {
  it.each(invalidCases)('$name', ({ config, problems, limits }) => {
    expectProblems(validateTransform(config, limits), problems);
  });

  it('returns no problems for a valid config of every kind', () => {
    for (const config of [
      { type: 'original' },
      { type: 'original', part: 'data' },
      { type: 'constant', value: { a: 1 } },
      { type: 'jsonpath', path: '$.data' },
      { type: 'template', inputPathsMap: { a: '$.a' }, inputTemplate: '{"a": <a>}' },
      { type: 'template', inputTemplate: 'no placeholders at all' },
      { type: 'jsonata', expression: 'data' },
      { type: 'handlebars', template: 'Hi {{name}}' },
    ]) {
      expect(validateTransform(config)).toEqual([]);
    }
  });
});

describe('compileTransform', () => {
  it('throws a FlowbridgeError carrying every problem as details', () => {
    let caught: unknown;
    try {
      compileTransform({ type: 'original', part: 'body', extra: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FlowbridgeError);
    const err = caught as FlowbridgeError;
    expect(err.code).toBe('ERR_TRANSFORM_INVALID');
    expect(err.status).toBe(400);
    expect(err.details).toHaveLength(2);
    expect(err.message).toMatch(/and 1 more problem/);
  });

  it('uses the code of the first problem for the error', () => {
    expect(() => compileTransform({ type: 'jsonata', expression: '(' })).toThrow(expect.objectContaining({ code: 'ERR_TRANSFORM_SYNTAX' }));
  });

  it('keeps a frozen copy of the config so later edits to the caller object do not leak in', async () => {
    const config = { type: 'constant' as const, value: { greeting: 'hi' } };
    const compiled = compileTransform(config);
    config.value.greeting = 'changed';
    expect(compiled.config).toEqual({ type: 'constant', value: { greeting: 'hi' } });
    expect(Object.isFrozen(compiled.config)).toBe(true);
    const out = (await compiled.render(EVENT, CTX)) as { greeting: string };
    expect(out.greeting).toBe('hi');
    expect(() => {
      out.greeting = 'mutated';
    }).toThrow(TypeError);
  });

  it('renders one compiled jsonata expression concurrently without mixing up inputs', async () => {
    const compiled = compileTransform({ type: 'jsonata', expression: '{"n": n, "double": n * 2}' });
    const outputs = await Promise.all(Array.from({ length: 20 }, (_, n) => compiled.render({ n }, CTX)));
    expect(outputs).toEqual(Array.from({ length: 20 }, (_, n) => ({ n, double: n * 2 })));
  });

  it('keeps a timed-out render from affecting the next render of the same expression', async () => {
    const compiled = compileTransform({ type: 'jsonata', expression: 'loop ? ($f := function($x){$f($x)}; $f(1)) : "done"' }, { timeoutMs: 30 });
    await expect(compiled.render({ loop: true }, CTX)).rejects.toMatchObject({ code: 'ERR_TRANSFORM_TIMEOUT' });
    await expect(compiled.render({ loop: false }, CTX)).resolves.toBe('done');
  });

  it('rejects a limit that is not a positive number', () => {
    expect(() => compileTransform({ type: 'original' }, { timeoutMs: 0 })).toThrow(RangeError);
  });

  it('exposes the default limits', () => {
    expect(DEFAULT_TRANSFORM_LIMITS).toEqual({ maxSourceBytes: 32768, timeoutMs: 500, maxDepth: 1000, maxOutputBytes: 1048576 });
  });
});

// The router runs transform nodes in a row, each on the previous output, with the original
// event in the context; this mirrors that loop.
async function renderChain(configs: unknown[]): Promise<unknown> {
  let value: unknown = EVENT;
  for (const config of configs) value = await compileTransform(config).render(value, CTX);
  return value;
}

const chainCases: { name: string; configs: unknown[]; expected?: unknown; error?: ErrorCode }[] = [
  {
    name: 'a jsonata mapping feeds an input template',
    configs: [
      { type: 'jsonata', expression: '{"id": data.employeeId, "city": data.address.city}' },
      { type: 'template', inputPathsMap: { id: '$.id', city: '$.city' }, inputTemplate: '{"employee": <id>, "where": "in <city>"}' },
    ],
    expected: { employee: 'E-42', where: 'in London' },
  },
  {
    name: 'a jsonpath selection feeds a handlebars message',
    configs: [
      { type: 'jsonpath', path: '$.data' },
      { type: 'handlebars', template: '{{{name}}} works in {{address.city}}' },
    ],
    expected: 'Ada "The Countess" Lovelace works in London',
  },
  {
    name: 'the text of a string template feeds a jsonata expression as a string',
    configs: [
      { type: 'template', inputPathsMap: { id: '$.data.employeeId' }, inputTemplate: '"employee <id>"' },
      { type: 'jsonata', expression: '$uppercase($)' },
    ],
    expected: 'EMPLOYEE E-42',
  },
  {
    name: 'a later step can still reach the original event',
    configs: [
      { type: 'original', part: 'data' },
      { type: 'jsonpath', path: '$.roles' },
      { type: 'jsonata', expression: '{"roles": $, "source": $flowbridge.event.source}' },
    ],
    expected: { roles: ['admin', 'dev'], source: 'erp/hr' },
  },
  {
    name: 'a constant at the end replaces whatever came before',
    configs: [{ type: 'original', part: 'data' }, { type: 'constant', value: { ping: true } }],
    expected: { ping: true },
  },
  {
    name: 'a failing step in the middle stops the chain with a render error',
    configs: [
      { type: 'jsonpath', path: '$.data.address' },
      { type: 'jsonpath', path: '$.zip.code' },
      { type: 'constant', value: 'never reached' },
    ],
    error: 'ERR_TRANSFORM_RENDER',
  },
];

describe('chains of transforms', () => {
  it.each(chainCases)('$name', async ({ configs, expected, error }) => {
    if (error) await expect(renderChain(configs)).rejects.toMatchObject({ code: error });
    else expect(await renderChain(configs)).toEqual(expected);
  });
});
