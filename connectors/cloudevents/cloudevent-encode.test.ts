import { describe, expect, it } from 'vitest';
import { encodeBinary, encodeCeHeaderValue, encodeStructured } from './cloudevent-encode.ts';

const base = { specversion: '1.0', id: 'e-1', source: 'erp://hr', type: 'hr.employee.created' };

describe('encodeCeHeaderValue', () => {
  it.each([
    ['plain', 'plain'],
    ['with space', 'with%20space'],
    ['100%', '100%25'],
    ['"quoted"', '%22quoted%22'],
    ['Müller', 'M%C3%BCller'],
    ['€', '%E2%82%AC'],
  ])('encodes %j as %j', (input, expected) => {
    expect(encodeCeHeaderValue(input)).toBe(expected);
  });
});

describe('the CloudEvents encoders', () => {
  it('puts attributes into ce- headers and JSON data into the body in binary mode', () => {
    const out = encodeBinary({ ...base, subject: 'E 1', tenant: 'acme', data: { a: 1 } });
    expect(out.headers).toEqual({ 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': 'erp://hr', 'ce-type': 'hr.employee.created', 'ce-subject': 'E%201', 'ce-tenant': 'acme', 'content-type': 'application/json' });
    expect(JSON.parse(out.body.toString())).toEqual({ a: 1 });
  });

  it('sends text data as it is and base64 data as bytes in binary mode', () => {
    expect(encodeBinary({ ...base, datacontenttype: 'text/plain', data: 'hi' }).body.toString()).toBe('hi');
    const bytes = encodeBinary({ ...base, datacontenttype: 'application/octet-stream', data_base64: Buffer.from([1, 2, 3]).toString('base64') });
    expect([...bytes.body]).toEqual([1, 2, 3]);
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
  });

  it('sends the whole event as application/cloudevents+json in structured mode', () => {
    const out = encodeStructured({ ...base, data: { a: 1 } });
    expect(out.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(JSON.parse(out.body.toString())).toEqual({ ...base, data: { a: 1 } });
  });
});
