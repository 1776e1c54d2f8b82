import { describe, expect, it } from 'vitest';
import { compileJsonPath, JsonPathSyntaxError } from './json-path.ts';

const doc = {
  id: 'e1',
  'detail-type': 'Order Placed',
  data: {
    order: { id: 7, 'customer/name': 'Ada', total: 12.5, paid: false, note: null },
    items: [
      { sku: 'a', qty: 1, tags: ['x'] },
      { sku: 'b', qty: 2, tags: [] },
      { sku: 'c', qty: 3 },
    ],
  },
};

interface SelectCase {
  name: string;
  path: string;
  definite: boolean;
  expected: unknown;
}

const selectCases: SelectCase[] = [
  { name: 'the root path selects the whole document', path: '$', definite: true, expected: doc },
  { name: 'a dotted path selects a nested member', path: '$.data.order.id', definite: true, expected: 7 },
  { name: 'names may contain dashes', path: '$.detail-type', definite: true, expected: 'Order Placed' },
  { name: 'names may contain forward slashes', path: '$.data.order.customer/name', definite: true, expected: 'Ada' },
  { name: 'a bracketed quoted name selects a member', path: "$['data']['order']['total']", definite: true, expected: 12.5 },
  { name: 'a double-quoted bracket name selects a member', path: '$["detail-type"]', definite: true, expected: 'Order Placed' },
  { name: 'false is a value, not a miss', path: '$.data.order.paid', definite: true, expected: false },
  { name: 'null is a value, not a miss', path: '$.data.order.note', definite: true, expected: null },
  { name: 'an index selects an array element', path: '$.data.items[1].sku', definite: true, expected: 'b' },
  { name: 'a negative index counts from the end', path: '$.data.items[-1].sku', definite: true, expected: 'c' },
  { name: 'an index past the end selects nothing', path: '$.data.items[9]', definite: true, expected: undefined },
  { name: 'a missing member selects nothing', path: '$.data.missing.deeper', definite: true, expected: undefined },
  { name: 'an inherited member such as constructor is never selected', path: '$.constructor', definite: true, expected: undefined },
  { name: 'the __proto__ member is never selected', path: '$.data.__proto__', definite: true, expected: undefined },
  { name: 'a wildcard over an array selects every element', path: '$.data.items[*].sku', definite: false, expected: ['a', 'b', 'c'] },
  { name: 'a dot wildcard over an object selects every member value', path: '$.data.order.*', definite: false, expected: [7, 'Ada', 12.5, false, null] },
  { name: 'a wildcard skips elements lacking the member', path: '$.data.items[*].tags[0]', definite: false, expected: ['x'] },
  { name: 'a slice selects a range', path: '$.data.items[0:2].qty', definite: false, expected: [1, 2] },
  { name: 'a slice with a negative start selects the tail', path: '$.data.items[-2:].qty', definite: false, expected: [2, 3] },
  { name: 'a slice with a negative step walks backwards', path: '$.data.items[::-1].qty', definite: false, expected: [3, 2, 1] },
  { name: 'a union of indices selects each in order', path: '$.data.items[0,2].sku', definite: false, expected: ['a', 'c'] },
  { name: 'a union of names selects each member', path: "$.data.order['id','total']", definite: false, expected: [7, 12.5] },
  { name: 'recursive descent finds a member at any depth', path: '$..sku', definite: false, expected: ['a', 'b', 'c'] },
  { name: 'an indefinite path that matches nothing selects an empty array', path: '$.data.items[*].missing', definite: false, expected: [] },
];

describe('compileJsonPath', () => {
  it.each(selectCases)('$name', ({ path, definite, expected }) => {
    const compiled = compileJsonPath(path);
    expect(compiled.definite).toBe(definite);
    expect(compiled.select(doc)).toEqual(expected);
  });

  it('walks a deeply nested document without exhausting the stack', () => {
    let deep: unknown = { leaf: 1 };
    for (let i = 0; i < 20_000; i++) deep = { next: deep };
    expect(compileJsonPath('$..leaf').select(deep)).toEqual([1]);
  });

  const syntaxErrors: { name: string; path: string; message: RegExp }[] = [
    { name: 'a path must start with $', path: 'data.id', message: /starts with \$/ },
    { name: 'an empty path is rejected', path: '', message: /starts with \$/ },
    { name: 'a filter expression is rejected as unsupported', path: '$.items[?(@.qty > 1)]', message: /filter and script expressions/ },
    { name: 'a script expression is rejected as unsupported', path: '$.items[(@.length-1)]', message: /filter and script expressions/ },
    { name: 'an unclosed bracket is rejected', path: '$.items[0', message: /missing \]/ },
    { name: 'an unterminated quoted name is rejected', path: "$['items", message: /unterminated/ },
    { name: 'a trailing dot is rejected', path: '$.data.', message: /expected a property name/ },
    { name: 'a slice step of zero is rejected', path: '$.items[::0]', message: /step cannot be 0/ },
    { name: 'a space inside a dotted path is rejected', path: '$.data .id', message: /unexpected/ },
  ];

  it.each(syntaxErrors)('$name', ({ path, message }) => {
    expect(() => compileJsonPath(path)).toThrow(JsonPathSyntaxError);
    expect(() => compileJsonPath(path)).toThrow(message);
  });
});
