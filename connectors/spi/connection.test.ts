import { describe, expect, it } from 'vitest';
import { CONNECTION_KINDS, ConnectionInvalidError, MASK, maskConnection, parseConnection, secretFieldsOf, validateConnection } from './connection.ts';

describe('connections', () => {
  it.each([
    ['basic', ['password']],
    ['api-key', ['key']],
    ['bearer', ['token']],
    ['oauth2-client-credentials', ['clientSecret']],
    ['hmac', ['secret']],
  ] as const)('marks the secret fields of %s as write-only', (kind, secrets) => {
    expect(secretFieldsOf(kind)).toEqual(secrets);
  });

  it('covers the five kinds of the issue', () => {
    expect(CONNECTION_KINDS).toEqual(['basic', 'api-key', 'bearer', 'oauth2-client-credentials', 'hmac']);
  });

  it('fills defaults when parsing and leaves the input untouched', () => {
    const input = { kind: 'hmac', secret: 's' };
    expect(parseConnection(input)).toEqual({ kind: 'hmac', secret: 's', header: 'X-Flowbridge-Signature', algorithm: 'sha256', encoding: 'hex', prefix: '' });
    expect(input).toEqual({ kind: 'hmac', secret: 's' });
  });

  it.each([
    [null, ''],
    [{ kind: 'kerberos' }, '/kind'],
    [{ kind: 'basic', username: 'u' }, ''],
    [{ kind: 'bearer', token: 't', extra: 1 }, ''],
    [{ kind: 'oauth2-client-credentials', tokenUrl: 'ftp://x', clientId: 'c', clientSecret: 's' }, '/tokenUrl'],
  ])('rejects %j with a problem at "%s"', (value, path) => {
    const problems = validateConnection(value);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(() => parseConnection(value)).toThrow(ConnectionInvalidError);
  });

  it('masks every secret and nothing else', () => {
    expect(maskConnection({ kind: 'oauth2-client-credentials', tokenUrl: 'https://a.example/t', clientId: 'c', clientSecret: 'shh' })).toEqual({
      kind: 'oauth2-client-credentials',
      tokenUrl: 'https://a.example/t',
      clientId: 'c',
      clientSecret: MASK,
    });
  });

  it('masks all fields of an unknown kind rather than leak one', () => {
    expect(maskConnection({ kind: 'future', apiSecret: 'x', region: 'eu' })).toEqual({ kind: 'future', apiSecret: MASK, region: MASK });
  });
});
