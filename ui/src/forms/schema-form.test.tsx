// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaForm, type FieldErrors } from './schema-form.tsx';
import type { JsonSchema } from './json-schema.ts';

afterEach(cleanup);

const HTTP_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', title: 'URL', description: 'Absolute http(s) URL of the endpoint.', examples: ['https://example.com/hook'] },
    method: { type: 'string', title: 'Method', enum: ['POST', 'PUT'], default: 'POST' },
    apiKey: { type: 'string', title: 'API key', writeOnly: true },
    password: { type: 'string', format: 'password' },
    timeoutMs: { type: 'integer', title: 'Timeout (ms)', minimum: 1 },
    verbose: { type: 'boolean', title: 'Verbose', default: false },
    headers: { type: 'object', title: 'Headers', additionalProperties: { type: 'string' } },
    tags: { type: 'array', title: 'Tags', items: { type: 'string', title: 'Tag' } },
    retry: { type: 'object', title: 'Retry', required: ['max'], properties: { max: { type: 'integer', title: 'Max' } } },
    id: {
      title: 'Event id',
      oneOf: [
        { type: 'object', title: 'Constant', required: ['value'], properties: { value: { type: 'string' } } },
        { type: 'object', title: 'From a header', required: ['header'], properties: { header: { type: 'string' } } },
      ],
    },
  },
};

/** The form with its value held in state, as the inspector holds it; `changes` records every emitted value. */
function Harness({ initial, errors, changes }: { initial: unknown; errors?: FieldErrors; changes: unknown[] }) {
  const [value, setValue] = useState(initial);
  return (
    <SchemaForm
      schema={HTTP_SCHEMA}
      value={value}
      errors={errors}
      onChange={(v) => {
        changes.push(v);
        setValue(v);
      }}
    />
  );
}

const last = (changes: unknown[]) => changes[changes.length - 1] as Record<string, unknown>;

describe('SchemaForm', () => {
  it('labels fields by title (or by property name), marks required ones and shows descriptions', () => {
    render(<Harness initial={{}} changes={[]} />);
    expect(screen.getByLabelText(/^URL/)).toBeTruthy();
    expect(screen.getByText('Absolute http(s) URL of the endpoint.')).toBeTruthy();
    expect(screen.getByLabelText(/^URL/).closest('.field')!.querySelector('.required')).toBeTruthy();
    expect(screen.getByLabelText(/^Method/).closest('.field')!.querySelector('.required')).toBeNull();
    expect(screen.getByLabelText(/^Password/)).toBeTruthy();
  });

  it('draws write-only and password-format strings as password inputs', () => {
    render(<Harness initial={{}} changes={[]} />);
    expect((screen.getByLabelText(/^API key/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^Password/) as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText(/^URL/) as HTMLInputElement).type).toBe('text');
  });

  it('shows defaults and examples as placeholders, and enums as a choice naming the default', () => {
    render(<Harness initial={{}} changes={[]} />);
    expect((screen.getByLabelText(/^URL/) as HTMLInputElement).placeholder).toBe('https://example.com/hook');
    const method = screen.getByLabelText(/^Method/) as HTMLSelectElement;
    expect([...method.options].map((o) => o.text)).toEqual(['Default (POST)', 'POST', 'PUT']);
  });

  it('emits typed values: strings, integers, booleans, enum members; clearing removes the property', () => {
    const changes: unknown[] = [];
    render(<Harness initial={{ url: 'x' }} changes={changes} />);
    fireEvent.change(screen.getByLabelText(/^URL/), { target: { value: 'https://a.example/b' } });
    expect(last(changes).url).toBe('https://a.example/b');
    fireEvent.change(screen.getByLabelText(/^Timeout/), { target: { value: '1500' } });
    expect(last(changes).timeoutMs).toBe(1500);
    fireEvent.click(screen.getByLabelText(/Verbose/));
    expect(last(changes).verbose).toBe(true);
    fireEvent.change(screen.getByLabelText(/^Method/), { target: { value: '"PUT"' } });
    expect(last(changes).method).toBe('PUT');
    fireEvent.change(screen.getByLabelText(/^URL/), { target: { value: '' } });
    expect('url' in last(changes)).toBe(false);
  });

  it('edits key/value maps and lists', () => {
    const changes: unknown[] = [];
    render(<Harness initial={{ url: 'x' }} changes={changes} />);
    fireEvent.click(screen.getByRole('button', { name: '+ Add header' }));
    expect(last(changes).headers).toEqual({ name: '' });
    fireEvent.change(screen.getByLabelText('Headers: name 1'), { target: { value: 'X-Client' } });
    expect(last(changes).headers).toEqual({ 'X-Client': '' });
    fireEvent.click(screen.getByRole('button', { name: '+ Add item' }));
    fireEvent.change(screen.getByLabelText('Tag 1'), { target: { value: 'hr' } });
    expect(last(changes).tags).toEqual(['hr']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove item 1' }));
    expect(last(changes).tags).toEqual([]);
  });

  it('keeps an optional nested object folded until it is set, then draws its fields', () => {
    const changes: unknown[] = [];
    render(<Harness initial={{ url: 'x' }} changes={changes} />);
    expect(screen.queryByLabelText(/^Max/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '+ Set retry' }));
    fireEvent.change(screen.getByLabelText(/^Max/), { target: { value: '3' } });
    expect(last(changes).retry).toEqual({ max: 3 });
    fireEvent.click(screen.getByRole('button', { name: 'Remove retry' }));
    expect('retry' in last(changes)).toBe(false);
  });

  it('offers oneOf alternatives by title and draws the chosen one', () => {
    const changes: unknown[] = [];
    render(<Harness initial={{ url: 'x' }} changes={changes} />);
    const choice = screen.getByLabelText(/^Event id/) as HTMLSelectElement;
    expect([...choice.options].map((o) => o.text)).toEqual(['Not set (default)', 'Constant', 'From a header']);
    fireEvent.change(choice, { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText(/^Header/), { target: { value: 'X-Delivery' } });
    expect(last(changes).id).toEqual({ header: 'X-Delivery' });
    expect((screen.getByLabelText(/^Event id/) as HTMLSelectElement).value).toBe('1');
  });

  it('shows validation messages beside the field they are about', () => {
    const errors: FieldErrors = new Map([
      ['url', ['must match pattern "^https?://"']],
      ['headers.X-Client', ['must be a string']],
    ]);
    render(<Harness initial={{ url: 'x', headers: { 'X-Client': '' } }} errors={errors} changes={[]} />);
    const url = screen.getByLabelText(/^URL/);
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.closest('.field')!.textContent).toContain('must match pattern "^https?://"');
    expect(screen.getByText('must be a string').closest('[data-field]')!.getAttribute('data-field')).toBe('headers.X-Client');
  });

  it('shows a value changed from outside (undo) in a field the user had typed in', () => {
    const { rerender } = render(<SchemaForm schema={HTTP_SCHEMA} value={{ timeoutMs: 5 }} onChange={() => undefined} />);
    expect((screen.getByLabelText(/^Timeout/) as HTMLInputElement).value).toBe('5');
    rerender(<SchemaForm schema={HTTP_SCHEMA} value={{ timeoutMs: 7 }} onChange={() => undefined} />);
    expect((screen.getByLabelText(/^Timeout/) as HTMLInputElement).value).toBe('7');
  });
});
