import { describe, expect, it } from 'vitest';
import { generateSecretKey } from '../../connectors/spi/connection-crypto.ts';
import { SECRET_MASK, hasSealed, isSealed, maskConfigSecrets, openConfigSecrets, sealConfigSecrets, writeOnlyPaths } from './config-secrets.ts';

const key = generateSecretKey();
const keys = { current: key, all: [key] };

const schema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    token: { type: 'string', writeOnly: true },
    auth: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'github' }, secrets: { type: 'array', writeOnly: true, items: { type: 'string' } } } },
          { type: 'object', properties: { kind: { const: 'token' }, name: { type: 'string' }, tokens: { type: 'array', items: { type: 'string', writeOnly: true } } } },
        ],
      },
    },
    headers: { type: 'object', additionalProperties: { type: 'string', writeOnly: true } },
  },
};

const config = {
  url: 'https://example.com',
  token: 't0ken',
  auth: [
    { kind: 'github', secrets: ['gh-1', 'gh-2'] },
    { kind: 'token', name: 'X-Token', tokens: ['tk-1'] },
  ],
  headers: { 'x-api-key': 'k3y' },
};

describe('writeOnlyPaths', () => {
  it('finds writeOnly values through properties, arrays, oneOf branches chosen by const and additionalProperties', () => {
    expect(writeOnlyPaths(schema, config)).toEqual([['token'], ['auth', 0, 'secrets'], ['auth', 1, 'tokens', 0], ['headers', 'x-api-key']]);
  });

  it('ignores absent values and values of other kinds', () => {
    expect(writeOnlyPaths(schema, { url: 'x', auth: [{ kind: 'token', name: 'n' }] })).toEqual([]);
  });
});

describe('sealing, masking and opening config secrets', () => {
  it('seals every writeOnly string and leaves the rest readable', () => {
    const sealed = sealConfigSecrets(config, schema, keys, 'aad') as typeof config;
    expect(sealed.url).toBe('https://example.com');
    expect(sealed.auth[1]!.name).toBe('X-Token');
    for (const v of [sealed.token, ...(sealed.auth[0]!.secrets ?? []), ...(sealed.auth[1]!.tokens ?? []), sealed.headers['x-api-key']]) expect(isSealed(v)).toBe(true);
    expect(JSON.stringify(sealed)).not.toMatch(/t0ken|gh-1|gh-2|tk-1|k3y/);
  });

  it('masks sealed values for answers and opens them back to the originals', () => {
    const sealed = sealConfigSecrets(config, schema, keys, 'aad');
    const masked = maskConfigSecrets(sealed) as typeof config;
    expect(masked.token).toBe(SECRET_MASK);
    expect(masked.auth[0]!.secrets).toEqual([SECRET_MASK, SECRET_MASK]);
    expect(openConfigSecrets(sealed, keys, 'aad')).toEqual(config);
  });

  it('keeps the previous sealed value when the mask is sent back, and seals a newly added secret', () => {
    const first = sealConfigSecrets(config, schema, keys, 'aad') as typeof config;
    const edited = { ...(maskConfigSecrets(first) as typeof config), url: 'https://example.org' };
    edited.auth = [{ kind: 'github', secrets: [SECRET_MASK, SECRET_MASK, 'gh-3'] }, edited.auth[1]!];
    const second = sealConfigSecrets(edited, schema, keys, 'aad', first) as typeof config;
    expect(second.token).toBe(first.token);
    expect((openConfigSecrets(second, keys, 'aad') as typeof config).auth[0]!.secrets).toEqual(['gh-1', 'gh-2', 'gh-3']);
    expect((openConfigSecrets(second, keys, 'aad') as typeof config).url).toBe('https://example.org');
  });

  it('refuses to open a sealed value moved to another owner or with another key', () => {
    const sealed = sealConfigSecrets(config, schema, keys, 'flow:a:node:n1');
    expect(() => openConfigSecrets(sealed, keys, 'flow:b:node:n1')).toThrow();
    const other = generateSecretKey();
    expect(() => openConfigSecrets(sealed, { current: other, all: [other] }, 'flow:a:node:n1')).toThrow(/not loaded/);
    expect(openConfigSecrets(sealed, { current: other, all: [other, key] }, 'flow:a:node:n1')).toEqual(config);
  });

  it('tells sealed configs from plain ones', () => {
    expect(hasSealed(config)).toBe(false);
    expect(hasSealed(sealConfigSecrets(config, schema, keys, 'aad'))).toBe(true);
  });
});
