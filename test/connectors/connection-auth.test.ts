import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConnection, checkConnection, createTokenCache, getClientCredentialsToken, signBody } from '../../connectors/spi/connection-auth.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { createLocalHttpClient } from './support/clients.ts';
import { startFakeApi, type FakeApi } from './support/fake-api.ts';

let api: FakeApi;
let http: HttpClient;
let issued = 0;

beforeAll(async () => {
  // A token endpoint that checks the form-encoded body credentials and issues 60 s tokens, slowly.
  api = await startFakeApi((r) => {
    const form = new URLSearchParams(r.body);
    if (form.get('client_id') !== 'c' || form.get('client_secret') !== 's') return { status: 401, body: { error: 'invalid_client' } };
    return { status: 200, body: { access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: 60, scope: form.get('scope') }, delayMs: 30 };
  });
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

const oauth = () => ({ kind: 'oauth2-client-credentials', tokenUrl: `${api.url}/token`, clientId: 'c', clientSecret: 's', scope: 'employees.write', clientAuth: 'body' }) as const;

describe('OAuth2 client credentials', () => {
  it('fetches one token for many concurrent requests and sends the scope', async () => {
    issued = 0;
    api.reset();
    const tokens = createTokenCache();
    const got = await Promise.all(Array.from({ length: 5 }, () => getClientCredentialsToken(oauth(), { http, tokens })));
    expect(new Set(got.map((t) => t.value))).toEqual(new Set(['tok-1']));
    expect(api.received).toHaveLength(1);
    expect(new URLSearchParams(api.received[0]!.body).get('scope')).toBe('employees.write');
  });

  it('fetches a new token once the cached one is within 30 s of expiring', async () => {
    issued = 0;
    const tokens = createTokenCache();
    let now = 1_000_000;
    const first = await getClientCredentialsToken(oauth(), { http, tokens, now: () => now });
    expect(first.expiresAt).toBe(now + 30_000);
    now += 29_000;
    expect((await getClientCredentialsToken(oauth(), { http, tokens, now: () => now })).value).toBe('tok-1');
    now += 2_000;
    expect((await getClientCredentialsToken(oauth(), { http, tokens, now: () => now })).value).toBe('tok-2');
  });
});

describe('applying connections', () => {
  const req = { method: 'POST', url: 'https://api.example.com/x?a=1', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

  it('adds an API key to the query without losing the existing parameters', async () => {
    const out = await applyConnection(req, { kind: 'api-key', in: 'query', name: 'key', key: 'k&1' }, { http });
    expect(out.url).toBe('https://api.example.com/x?a=1&key=k%261');
  });

  it('writes an API key header with its prefix', async () => {
    const out = await applyConnection(req, { kind: 'api-key', in: 'header', name: 'Authorization', key: 'k1', prefix: 'ApiKey ' }, { http });
    expect(out.headers?.authorization).toBe('ApiKey k1');
  });

  it('leaves the request as it is without a connection', async () => {
    expect(await applyConnection(req, undefined, { http })).toBe(req);
  });

  it('signs with HMAC-SHA256 as the receiver recomputes it', () => {
    // The well-known HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    expect(signBody({ kind: 'hmac', secret: 'key' }, 'The quick brown fox jumps over the lazy dog').signature).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    const b64 = signBody({ kind: 'hmac', secret: 'key', encoding: 'base64', prefix: 'v1=' }, 'The quick brown fox jumps over the lazy dog').signature;
    expect(b64).toBe(`v1=${Buffer.from('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8', 'hex').toString('base64')}`);
  });

  it('signs "<timestamp>.<body>" and reports the timestamp when a timestamp header is set', () => {
    const signed = signBody({ kind: 'hmac', secret: 'key', timestampHeader: 'X-Ts' }, 'b', 1_700_000_000_999);
    expect(signed.timestamp).toBe('1700000000');
    expect(signed.signature).toBe(signBody({ kind: 'hmac', secret: 'key' }, '1700000000.b').signature);
  });
});

describe('checking a connection on its own', () => {
  it('fetches an OAuth2 token to prove the client credentials, and reports a refusal', async () => {
    await expect(checkConnection(oauth(), { http, tokens: createTokenCache() })).resolves.toMatchObject({ ok: true });
    await expect(checkConnection({ ...oauth(), clientSecret: 'wrong' }, { http, tokens: createTokenCache() })).resolves.toMatchObject({ ok: false, message: expect.stringContaining('rejected') });
  });

  it('says that other kinds are checked through a target', async () => {
    await expect(checkConnection({ kind: 'bearer', token: 't' }, { http })).resolves.toMatchObject({ ok: true, message: expect.stringContaining('test the target') });
  });
});
