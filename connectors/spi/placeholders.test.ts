import { describe, expect, it } from 'vitest';
import { DeliveryError } from './failure.ts';
import { compilePlaceholders, PlaceholderSyntaxError } from './placeholders.ts';

const scope = { event: { id: 'e-1', data: { id: 'E 7', tags: ['a', 'b'], n: 0 } }, body: { externalId: 'X/1' } };

describe('placeholders', () => {
  it.each([
    ['https://a.example/e/{{event.data.id}}', 'none', 'https://a.example/e/E 7'],
    ['https://a.example/e/{{ event.data.id }}', 'uri-component', 'https://a.example/e/E%207'],
    ['/x/{{body.externalId}}', 'uri-component', '/x/X%2F1'],
    ['{{event.data.tags[1]}}-{{event.data.n}}', 'none', 'b-0'],
    ['no placeholders', 'none', 'no placeholders'],
  ] as const)('renders %s (%s) as %s', (template, encoding, expected) => {
    expect(compilePlaceholders(template).render(scope, encoding)).toBe(expected);
  });

  it.each(['{{data.id}}', '{{event.data.id', '{{event..id}}', '{{body.__proto__ x}}', 'a }} b'])('refuses %s at compile time', (template) => {
    expect(() => compilePlaceholders(template)).toThrow(PlaceholderSyntaxError);
  });

  it.each(['{{event.data.missing}}', '{{event.data.tags}}', '{{body.constructor}}'])('fails a delivery permanently when %s has no scalar value', (template) => {
    const err = (() => {
      try {
        compilePlaceholders(template).render(scope);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('permanent');
  });

  it('lists the paths it uses', () => {
    expect(compilePlaceholders('{{event.id}}/{{body.externalId}}').paths).toEqual(['event.id', 'body.externalId']);
  });
});
