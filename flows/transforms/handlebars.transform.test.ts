import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../error-codes.ts';
import { CTX, runCase, type RenderCase } from './transform.test-kit.ts';
import { compileTransform, validateTransform } from './transform.ts';

function hbs(template: string): { type: 'handlebars'; template: string } {
  return { type: 'handlebars', template };
}

const wideList = { list: Array.from({ length: 300 }, (_, i) => i) };

const renderCases: RenderCase[] = [
  { name: 'handlebars renders text output', config: hbs('Hello {{data.employeeId}}'), output: 'text', expected: 'Hello E-42' },
  { name: 'double braces escape HTML special characters', config: hbs('{{data.name}}'), expected: 'Ada &quot;The Countess&quot; Lovelace' },
  { name: 'triple braces insert the value raw', config: hbs('{{{data.name}}}'), expected: 'Ada "The Countess" Lovelace' },
  { name: 'a missing field renders as nothing', config: hbs('[{{data.salary}}]'), expected: '[]' },
  { name: 'each iterates an array with @index', config: hbs('{{#each data.shifts}}{{@index}}:{{day}}={{hours}};{{/each}}'), expected: '0:mon=8;1:tue=6;' },
  { name: 'each iterates an object with @key', config: hbs('{{#each data.address}}{{@key}}={{this}} {{/each}}'), expected: 'city=London zip=W1 ' },
  { name: 'a section over an array repeats for each element', config: hbs('{{#data.roles}}[{{this}}]{{/data.roles}}'), expected: '[admin][dev]' },
  { name: 'if and else choose a branch', config: hbs('{{#if data.active}}on{{else}}off{{/if}}'), expected: 'on' },
  { name: 'unless renders when the value is falsy', config: hbs('{{#unless data.manager}}no manager{{/unless}}'), expected: 'no manager' },
  { name: 'with changes the context', config: hbs('{{#with data.address}}{{city}} {{zip}}{{/with}}'), expected: 'London W1' },
  { name: 'lookup reads a member by name', config: hbs('{{lookup data.address "city"}}'), expected: 'London' },
  { name: 'the json helper renders compact JSON', config: hbs('{{{json data.address}}}'), expected: '{"city":"London","zip":"W1"}' },
  { name: 'the json helper indents when asked', config: hbs('{{{json data.roles indent=2}}}'), expected: '[\n  "admin",\n  "dev"\n]' },
  { name: 'the json helper output is HTML-escaped in double braces', config: hbs('{{json data.roles}}'), expected: '[&quot;admin&quot;,&quot;dev&quot;]' },
  { name: 'the default helper falls back when the value is missing', config: hbs('{{default data.nickname "friend"}}'), expected: 'friend' },
  { name: 'the default helper keeps a present value', config: hbs('{{default data.employeeId "none"}}'), expected: 'E-42' },
  { name: 'the default helper takes the first non-empty of several values', config: hbs('{{default data.manager data.nickname data.address.city "x"}}'), expected: 'London' },
  { name: 'the default helper treats zero as a value', config: hbs('{{default n "none"}}'), input: { n: 0 }, expected: '0' },
  { name: 'formatDate without a pattern renders ISO 8601 in UTC', config: hbs('{{formatDate time}}'), expected: '2024-05-01T12:30:00.000Z' },
  { name: 'formatDate applies a pattern', config: hbs('{{formatDate time "dd.MM.yyyy HH:mm"}}'), expected: '01.05.2024 12:30' },
  {
    name: 'formatDate converts to a time zone',
    config: hbs('{{formatDate time "EEEE d MMMM yyyy, h:mm a XXX" tz="America/New_York"}}'),
    expected: 'Wednesday 1 May 2024, 8:30 AM -04:00',
  },
  { name: 'formatDate reads epoch milliseconds', config: hbs('{{formatDate ms "yyyy-MM-dd"}}'), input: { ms: 0 }, expected: '1970-01-01' },
  { name: 'formatDate renders nothing for a missing value', config: hbs('[{{formatDate data.endDate}}]'), expected: '[]' },
  { name: 'formatDate fails the render on a value that is not a date', config: hbs('{{formatDate data.name}}'), error: 'ERR_TRANSFORM_RENDER', message: /formatDate: .* is not a date/ },
  { name: 'formatDate fails the render on an unknown time zone', config: hbs('{{formatDate time tz="Mars/Olympus"}}'), error: 'ERR_TRANSFORM_RENDER', message: /unknown time zone/ },
  { name: 'the context is available as @flowbridge', config: hbs('{{@flowbridge.ruleName}} {{@flowbridge.flowId}} {{@flowbridge.ingestionTime}}'), expected: 'sync-attendance flow-7 2024-05-01T12:30:01.250Z' },
  {
    name: 'in a chain the template reads the previous output and @flowbridge.event is the original event',
    config: hbs('{{greeting}} ({{@flowbridge.event.type}})'),
    input: { greeting: 'hi' },
    expected: 'hi (hr.employee.updated)',
  },
  { name: 'inherited members such as constructor are not reachable', config: hbs('[{{constructor}}{{data.constructor.name}}{{lookup data "constructor"}}]'), expected: '[]' },
  { name: 'the __proto__ member is not reachable', config: hbs('[{{#with __proto__}}leak{{/with}}{{__proto__.toString}}]'), expected: '[]' },
  {
    name: 'nested loops that multiply work end with a timeout',
    config: hbs('{{#each list}}{{#each @root.list}}{{#each @root.list}}.{{/each}}{{/each}}{{/each}}'),
    input: wideList,
    limits: { timeoutMs: 20 },
    error: 'ERR_TRANSFORM_TIMEOUT',
    message: /longer than 20 ms/,
  },
  {
    name: 'output larger than maxOutputBytes fails the render',
    config: hbs('{{#each list}}xxxxxxxxxx{{/each}}'),
    input: wideList,
    limits: { maxOutputBytes: 1000 },
    error: 'ERR_TRANSFORM_RENDER',
    message: /limit is 1000/,
  },
];

describe('handlebars transform renders', () => {
  it.each(renderCases)('$name', runCase);

  it('registers its helpers on a private instance, never on the global Handlebars', () => {
    compileTransform(hbs('{{formatDate time}}'));
    expect(Handlebars.helpers.formatDate).toBeUndefined();
    expect(Handlebars.helpers.json).toBeUndefined();
    expect(Handlebars.helpers.log).toBeDefined();
  });

  it('renders again normally after a render timed out', async () => {
    const compiled = compileTransform(hbs('{{#each list}}{{#each @root.list}}{{#each @root.list}}.{{/each}}{{/each}}{{/each}}'), { timeoutMs: 20 });
    await expect(compiled.render(wideList, CTX)).rejects.toMatchObject({ code: 'ERR_TRANSFORM_TIMEOUT' });
    await expect(compiled.render({ list: [1, 2] }, CTX)).resolves.toBe('........');
  });
});

const invalidCases: { name: string; template: unknown; code: ErrorCode; message?: RegExp; maxSourceBytes?: number }[] = [
  { name: 'a template that does not parse is a syntax problem', template: 'Hello {{#if x}}', code: 'ERR_TRANSFORM_SYNTAX' },
  { name: 'an unclosed mustache is a syntax problem', template: 'Hello {{name', code: 'ERR_TRANSFORM_SYNTAX', message: /Parse error/ },
  { name: 'an unknown helper is rejected and the available ones listed', template: '{{shout name}}', code: 'ERR_TRANSFORM_INVALID', message: /unknown helper "shout".*formatDate/ },
  { name: 'the log helper is not available', template: '{{log name}}', code: 'ERR_TRANSFORM_INVALID', message: /unknown helper "log"/ },
  { name: 'an unknown block helper is rejected', template: '{{#repeat 3}}x{{/repeat}}', code: 'ERR_TRANSFORM_INVALID', message: /unknown helper "repeat"/ },
  { name: 'partials are not supported', template: '{{> footer}}', code: 'ERR_TRANSFORM_INVALID', message: /partials/ },
  { name: 'partial blocks are not supported', template: '{{#> layout}}x{{/layout}}', code: 'ERR_TRANSFORM_INVALID', message: /partial blocks/ },
  { name: 'inline partials, which could recurse forever, are not supported', template: '{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}', code: 'ERR_TRANSFORM_INVALID', message: /inline partials/ },
  { name: 'an empty template is invalid', template: '', code: 'ERR_TRANSFORM_INVALID', message: /empty/ },
  { name: 'a template must be a string', template: ['x'], code: 'ERR_TRANSFORM_INVALID', message: /string/ },
  { name: 'a template larger than maxSourceBytes is too large', template: 'x'.repeat(200), code: 'ERR_TRANSFORM_TOO_LARGE', maxSourceBytes: 100 },
];

describe('handlebars transform validation', () => {
  it.each(invalidCases)('$name', ({ template, code, message, maxSourceBytes }) => {
    const problems = validateTransform({ type: 'handlebars', template }, maxSourceBytes ? { maxSourceBytes } : undefined);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatchObject({ code, path: 'template' });
    if (message) expect(problems.map((p) => p.message).join('\n')).toMatch(message);
  });
});
