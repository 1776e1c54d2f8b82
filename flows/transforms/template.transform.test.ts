import { describe, expect, it } from 'vitest';
import { EVENT, expectProblems, runCase, type ExpectedProblem, type RenderCase } from './transform.test-kit.ts';
import { validateTransform } from './transform.ts';

const PATHS = {
  id: '$.data.employeeId',
  name: '$.data.name',
  age: '$.data.age',
  active: '$.data.active',
  manager: '$.data.manager',
  address: '$.data.address',
  roles: '$.data.roles',
  days: '$.data.shifts[*].day',
  missing: '$.data.salary',
};

function template(inputTemplate: string): { type: 'template'; inputPathsMap: typeof PATHS; inputTemplate: string } {
  return { type: 'template', inputPathsMap: PATHS, inputTemplate };
}

const jsonTemplateCases: RenderCase[] = [
  { name: 'a JSON template renders JSON output', config: template('{"id": <id>}'), output: 'json', expected: { id: 'E-42' } },
  { name: 'an unquoted string variable in a JSON template is quoted for you', config: template('{"n": <name>}'), expected: { n: 'Ada "The Countess" Lovelace' } },
  { name: 'a string variable inside a quoted slot is inserted in the string', config: template('{"greeting": "Hello <id>!"}'), expected: { greeting: 'Hello E-42!' } },
  {
    name: 'a string containing a quote inside a quoted slot is escaped, unlike AWS',
    config: template('{"msg": "name: <name>"}'),
    expected: { msg: 'name: Ada "The Countess" Lovelace' },
  },
  { name: 'a number is inserted as a JSON number', config: template('{"age": <age>}'), expected: { age: 36 } },
  { name: 'a boolean is inserted as a JSON boolean', config: template('{"active": <active>}'), expected: { active: true } },
  { name: 'null is inserted as JSON null', config: template('{"manager": <manager>}'), expected: { manager: null } },
  { name: 'a number inside a quoted slot becomes its digits', config: template('{"label": "age <age>"}'), expected: { label: 'age 36' } },
  { name: 'a boolean inside a quoted slot becomes its word', config: template('{"label": "<active>"}'), expected: { label: 'true' } },
  { name: 'an object in an unquoted slot is inserted as compact JSON', config: template('{"address": <address>}'), expected: { address: { city: 'London', zip: 'W1' } } },
  { name: 'an array in an unquoted slot is inserted as compact JSON', config: template('{"roles": <roles>}'), expected: { roles: ['admin', 'dev'] } },
  { name: 'an object inside a quoted slot loses its quotes', config: template('{"text": "at <address>"}'), expected: { text: 'at {city:London,zip:W1}' } },
  { name: 'an array inside a quoted slot loses its quotes', config: template('{"text": "roles <roles>"}'), expected: { text: 'roles [admin,dev]' } },
  { name: 'a wildcard path yields an array of every match', config: template('{"days": <days>}'), expected: { days: ['mon', 'tue'] } },
  { name: 'a missing path inside a quoted slot renders as an empty string', config: template('{"salary": "<missing>"}'), expected: { salary: '' } },
  {
    name: 'a missing path in an unquoted slot fails the render because the JSON breaks',
    config: template('{"salary": <missing>}'),
    error: 'ERR_TRANSFORM_RENDER',
    message: /not produce valid JSON.*<missing>/,
  },
  { name: 'a variable may be used several times', config: template('{"a": <id>, "b": "<id>/<id>"}'), expected: { a: 'E-42', b: 'E-42/E-42' } },
  {
    name: 'placeholders work at any depth of the JSON template',
    config: template('{"employee": {"ids": [<id>, <age>], "where": {"city": "<address>"}}}'),
    expected: { employee: { ids: ['E-42', 36], where: { city: '{city:London,zip:W1}' } } },
  },
  { name: 'leading whitespace does not hide a JSON template', config: template('\n  {"id": <id>}'), output: 'json', expected: { id: 'E-42' } },
  { name: 'a JSON template without placeholders renders as is', config: { type: 'template', inputTemplate: '{"fixed": [1, 2]}' }, expected: { fixed: [1, 2] } },
  {
    name: 'escaped quotes written in the template are kept',
    config: template('{"text": "state \\"<id>\\""}'),
    expected: { text: 'state "E-42"' },
  },
  {
    name: 'backslashes and newlines in a value are escaped in a quoted slot',
    config: { type: 'template', inputPathsMap: { v: '$.v' }, inputTemplate: '{"v": "<v>"}' },
    input: { v: 'a\\b\nc' },
    expected: { v: 'a\\b\nc' },
  },
  {
    name: 'strings inside an object in a quoted slot stay escaped',
    config: { type: 'template', inputPathsMap: { o: '$.o' }, inputTemplate: '{"v": "<o>"}' },
    input: { o: { q: 'say "hi"' } },
    expected: { v: '{q:say "hi"}' },
  },
];

const predefinedCases: RenderCase[] = [
  {
    name: 'flowbridge predefined variables give the rule name, flow id and ingestion time',
    config: { type: 'template', inputTemplate: '{"rule": <flowbridge.rule-name>, "flow": "<flowbridge.flow-id>", "at": <flowbridge.event.ingestion-time>}' },
    expected: { rule: 'sync-attendance', flow: 'flow-7', at: '2024-05-01T12:30:01.250Z' },
  },
  { name: 'flowbridge.event inserts the whole original event', config: { type: 'template', inputTemplate: '{"event": <flowbridge.event>}' }, expected: { event: EVENT } },
  {
    name: 'AWS predefined variables are accepted as aliases',
    config: {
      type: 'template',
      inputTemplate:
        '{"rule": <aws.events.rule-name>, "arn": <aws.events.rule-arn>, "at": <aws.events.event.ingestion-time>, "id": <aws.events.event>, "json": <aws.events.event.json>}',
    },
    expected: { rule: 'sync-attendance', arn: 'fb:rule/flow-7/sync-attendance', at: '2024-05-01T12:30:01.250Z', id: EVENT, json: EVENT },
  },
  {
    name: 'a predefined variable the context lacks renders as an empty string',
    config: { type: 'template', inputTemplate: '{"flow": "<flowbridge.flow-id>"}' },
    ctx: { flowId: undefined },
    expected: { flow: '' },
  },
  {
    name: 'in a chain paths read the previous output while flowbridge.event is still the original event',
    config: { type: 'template', inputPathsMap: { x: '$.x' }, inputTemplate: '{"x": <x>, "type": "<flowbridge.event>"}' },
    input: { x: 5 },
    expected: { x: 5, type: expect.stringContaining('type:hr.employee.updated') as unknown },
  },
];

const stringTemplateCases: RenderCase[] = [
  { name: 'a quoted template is a string template with text output', config: template('"<id> is <age> years old"'), output: 'text', expected: 'E-42 is 36 years old' },
  { name: 'a string template keeps quotes inside values intact', config: template('"Dear <name>"'), expected: 'Dear Ada "The Countess" Lovelace' },
  { name: 'a string template strips the quotes of objects', config: template('"lives at <address>"'), expected: 'lives at {city:London,zip:W1}' },
  { name: 'a string template keeps escaped quotes of the template', config: template('"<id> is in state \\"<active>\\""'), expected: 'E-42 is in state "true"' },
  { name: 'a string template renders a missing path as nothing', config: template('"salary: <missing>."'), expected: 'salary: .' },
];

let deeplyNested: unknown = 'bottom';
for (let i = 0; i < 100_000; i++) deeplyNested = { o: deeplyNested };

const textTemplateCases: RenderCase[] = [
  { name: 'a template that is neither JSON nor quoted is plain text', config: template('<id> is in state <active>'), output: 'text', expected: 'E-42 is in state true' },
  { name: 'plain text inserts strings unescaped', config: template('Name: <name>'), expected: 'Name: Ada "The Countess" Lovelace' },
  { name: 'plain text inserts objects as compact JSON', config: template('Address: <address>'), expected: 'Address: {"city":"London","zip":"W1"}' },
  { name: 'plain text renders a missing path as nothing', config: template('Salary: <missing>!'), expected: 'Salary: !' },
  { name: 'plain text keeps line breaks', config: template('Line <id>\nLine <age>'), expected: 'Line E-42\nLine 36' },
  { name: 'a template starting with a bracket is plain text, not JSON', config: template('[<id>]'), output: 'text', expected: '[E-42]' },
  { name: 'a less-than sign that is not a placeholder stays text', config: template('age < 40: <age>'), expected: 'age < 40: 36' },
  {
    name: 'a value nested too deeply to insert fails with a classified depth error, not a crash',
    config: { type: 'template', inputPathsMap: { o: '$.o' }, inputTemplate: '{"v": "<o>"}' },
    input: { o: deeplyNested },
    error: 'ERR_TRANSFORM_TIMEOUT',
    message: /nested too deeply/,
  },
  {
    name: 'output larger than maxOutputBytes fails the render',
    config: template('<name><name><name>'),
    limits: { maxOutputBytes: 40 },
    error: 'ERR_TRANSFORM_RENDER',
    message: /limit is 40/,
  },
];

describe('template transform renders', () => {
  it.each([...jsonTemplateCases, ...predefinedCases, ...stringTemplateCases, ...textTemplateCases])('$name', runCase);
});

interface InvalidTemplateCase {
  name: string;
  config: Record<string, unknown>;
  problems: ExpectedProblem[];
  limits?: { maxSourceBytes: number };
}

const manyVariables = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.a']));

const invalidCases: InvalidTemplateCase[] = [
  { name: 'a template needs an inputTemplate', config: { inputPathsMap: {} }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /required/ }] },
  { name: 'an inputTemplate must be a string', config: { inputTemplate: { a: 1 } }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /string/ }] },
  { name: 'an empty inputTemplate is invalid', config: { inputTemplate: ' ' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /empty/ }] },
  { name: 'inputPathsMap must be an object', config: { inputPathsMap: ['$.a'], inputTemplate: 'x' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputPathsMap' }] },
  {
    name: 'a variable name with a dot is rejected with its path',
    config: { inputPathsMap: { 'a.b': '$.a' }, inputTemplate: 'x' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputPathsMap["a.b"]', message: /reserved/ }],
  },
  {
    name: 'a variable cannot take the name of a predefined variable',
    config: { inputPathsMap: { 'aws.events.rule-name': '$.a' }, inputTemplate: 'x' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputPathsMap["aws.events.rule-name"]' }],
  },
  { name: 'a variable path must be a string', config: { inputPathsMap: { a: 1 }, inputTemplate: '<a>' }, problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputPathsMap.a' }] },
  { name: 'a variable path that does not parse is a syntax problem', config: { inputPathsMap: { a: 'data.a' }, inputTemplate: '<a>' }, problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputPathsMap.a' }] },
  {
    name: 'more than 100 variables are rejected',
    config: { inputPathsMap: manyVariables, inputTemplate: 'x' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputPathsMap', message: /limit is 100/ }],
  },
  {
    name: 'an undefined placeholder is rejected at deploy',
    config: { inputPathsMap: { a: '$.a' }, inputTemplate: '{"a": <a>, "b": <b>}' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /<b> is not defined/ }],
  },
  {
    name: 'each undefined placeholder is reported once',
    config: { inputTemplate: '<x> <y> <x>' },
    problems: [
      { code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /<x>/ },
      { code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /<y>/ },
    ],
  },
  {
    name: 'an HTML tag in a template reads as an undefined placeholder',
    config: { inputTemplate: 'Hello <b>there</b>' },
    problems: [{ code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /<b>/ }],
  },
  {
    name: 'a placeholder used as an object key is rejected',
    config: { inputPathsMap: { k: '$.k' }, inputTemplate: '{<k>: 1}' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputTemplate', message: /object key/ }],
  },
  {
    name: 'a placeholder inside a quoted object key is rejected',
    config: { inputPathsMap: { k: '$.k' }, inputTemplate: '{"key-<k>": 1}' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputTemplate', message: /object key/ }],
  },
  {
    name: 'a JSON template that can never be valid JSON is rejected at deploy',
    config: { inputPathsMap: { a: '$.a' }, inputTemplate: '{"a": <a>' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputTemplate', message: /not valid JSON/ }],
  },
  {
    name: 'two placeholders side by side outside quotes are rejected',
    config: { inputPathsMap: { a: '$.a', b: '$.b' }, inputTemplate: '{"ab": <a><b>}' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputTemplate' }],
  },
  {
    name: 'a template quoted at both ends must be one JSON string',
    config: { inputTemplate: '"a" and "b"' },
    problems: [{ code: 'ERR_TRANSFORM_SYNTAX', path: 'inputTemplate', message: /string template/ }],
  },
  {
    name: 'a template larger than maxSourceBytes is too large',
    config: { inputTemplate: `"${'x'.repeat(100)}"` },
    limits: { maxSourceBytes: 64 },
    problems: [{ code: 'ERR_TRANSFORM_TOO_LARGE', path: 'inputTemplate' }],
  },
  {
    name: 'problems in the paths and the template are reported together',
    config: { inputPathsMap: { a: 'bad' }, inputTemplate: '<a> <b>' },
    problems: [
      { code: 'ERR_TRANSFORM_SYNTAX', path: 'inputPathsMap.a' },
      { code: 'ERR_TRANSFORM_INVALID', path: 'inputTemplate', message: /<b>/ },
    ],
  },
];

describe('template transform validation', () => {
  it.each(invalidCases)('$name', ({ config, problems, limits }) => {
    expectProblems(validateTransform({ type: 'template', ...config }, limits), problems);
  });

  it('accepts an AWS input transformer pasted as is', () => {
    expect(
      validateTransform({
        type: 'template',
        inputPathsMap: { instance: '$.detail.instance', status: '$.detail.status' },
        inputTemplate: '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}',
      }),
    ).toEqual([]);
  });
});
