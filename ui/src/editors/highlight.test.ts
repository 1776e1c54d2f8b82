import { describe, expect, it } from 'vitest';
import { errorOffset, tokenize, type Language } from './highlight.ts';

const join = (text: string, language: Language) => tokenize(text, language).map((t) => t.text).join('');
const typesOf = (text: string, language: Language) => tokenize(text, language).filter((t) => t.type !== 'text').map((t) => `${t.type}:${t.text}`);

describe('the highlighter', () => {
  it.each([
    ['json', '{"a": [1, -2.5e3, true, null, "x\\"y"]}'],
    ['jsonata', "data.employee.{ 'id': $lowercase(email) & \"x\", 'n': $count(items[price > 10]) } /* why */"],
    ['handlebars', 'Hello {{data.name}}! {{#each items}}- {{this}}{{/each}} {{!-- note --}} {{{raw}}}'],
    ['template', '{"id": <id>, "who": "<name>"}'],
    ['jsonpath', "$.data.items[?(@.price > 10)].name"],
    ['json', '{"unterminated": "str'],
    ['handlebars', 'broken {{#if x'],
  ] as const)('keeps every character of %s text (%s)', (language, text) => {
    expect(join(text, language)).toBe(text);
  });

  it('tells JSON keys from string values', () => {
    expect(typesOf('{"type": ["a"]}', 'json')).toEqual(['punct:{', 'key:"type"', 'punct::', 'punct:[', 'string:"a"', 'punct:]', 'punct:}']);
  });

  it('marks JSONata functions, variables, strings and operators', () => {
    expect(typesOf("$lowercase(email) & 'x'", 'jsonata')).toEqual(['function:$lowercase', 'punct:(', 'key:email', 'punct:)', 'operator:&', "string:'x'"]);
  });

  it('marks Handlebars tags, block helpers and paths, leaving the text plain', () => {
    expect(typesOf('Hi {{#if data.ok}}{{data.name}}{{/if}}', 'handlebars')).toEqual(['tag:{{', 'keyword:#if', 'variable:data.ok', 'tag:}}', 'tag:{{', 'variable:data.name', 'tag:}}', 'tag:{{', 'keyword:/if', 'tag:}}']);
  });

  it('marks input-template placeholders', () => {
    expect(typesOf('{"id": <id>}', 'template')).toContain('placeholder:<id>');
  });

  it('finds where an error message points: a position, or a line and column', () => {
    expect(errorOffset('Expected ")" (JSONata S0202 at position 12)', 'x'.repeat(40))).toBe(12);
    expect(errorOffset('Unexpected token in JSON at line 2 column 3', '{\n  x\n}')).toBe(4);
    expect(errorOffset('no location', 'abc')).toBeUndefined();
  });
});
