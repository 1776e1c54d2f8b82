import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConnector } from '../../connectors/http/http.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import { DeliveryError } from '../../connectors/spi/failure.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi } from './support/fake-api.ts';

let api: FakeApi;
let http: HttpClient;

beforeAll(async () => {
  api = await startFakeApi();
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('http', () => ({
  connector: httpConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    api.setHandler(() => ({ status: 200, body: { ok: true } }));
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: { url: `${api.url}/api/employees` } };
  },
  async assertIdempotent(key) {
    const posts = api.received.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts.map((r) => r.headers['idempotency-key'])).toEqual([key, key]);
  },
}));

describe('the http connector', () => {
  it('fills URL placeholders (encoded) and query placeholders from the event and the body', async () => {
    api.reset();
    const ctx = contextFor(http, { url: `${api.url}/employees/{{body.externalId}}`, method: 'PUT' as const, query: { source: '{{event.source}}' } });
    await httpConnector.send!(eventInput({ externalId: 'E 1/2' }), ctx);
    expect(api.received[0]!.method).toBe('PUT');
    expect(api.received[0]!.url.pathname).toBe('/employees/E%201%2F2');
    expect(api.received[0]!.url.searchParams.get('source')).toBe('erp://hr');
    expect(api.received[0]!.json).toEqual({ externalId: 'E 1/2' });
  });

  it('fails permanently when a placeholder has no value in the event', async () => {
    const ctx = contextFor(http, { url: `${api.url}/employees/{{body.missing}}` });
    await expect(httpConnector.send!(eventInput({}), ctx)).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('rejects a malformed placeholder at deploy time with its config path', () => {
    expect(httpConnector.validateConfig!({ url: 'https://x.example/{{data.id}}', headers: { 'X-A': '{{body.a' } })).toEqual([
      expect.objectContaining({ path: '/url', code: 'ERR_CONNECTOR_PLACEHOLDER' }),
      expect.objectContaining({ path: '/headers/X-A', code: 'ERR_CONNECTOR_PLACEHOLDER' }),
    ]);
  });

  it('declares its invocation rate limit from the config', () => {
    expect(httpConnector.rateLimit!({ url: 'https://x.example', rateLimit: { max: 5, perSeconds: 2 } })).toEqual({ max: 5, durationMs: 2000 });
    expect(httpConnector.rateLimit!({ url: 'https://x.example' })).toBeUndefined();
  });

  it('sends a text output as text/plain', async () => {
    api.reset();
    await httpConnector.send!(eventInput('hello', {}, 'text'), contextFor(http, { url: `${api.url}/t` }));
    expect(api.received[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(api.received[0]!.body).toBe('hello');
  });

  it.each([
    ['basic', { kind: 'basic', username: 'u', password: 'p' }, (r: any) => r.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`],
    ['bearer', { kind: 'bearer', token: 't-1' }, (r: any) => r.headers.authorization === 'Bearer t-1'],
    ['api-key in a header', { kind: 'api-key', in: 'header', name: 'X-Api-Key', key: 'k-1' }, (r: any) => r.headers['x-api-key'] === 'k-1'],
    ['api-key in the query', { kind: 'api-key', in: 'query', name: 'api_key', key: 'k-2' }, (r: any) => r.url.searchParams.get('api_key') === 'k-2'],
  ] as const)('applies a %s connection to the request', async (_label, connection, check) => {
    api.reset();
    await httpConnector.send!(eventInput({ a: 1 }), contextFor(http, { url: `${api.url}/x` }, { connection: connection as never }));
    expect(check(api.received[0]!)).toBe(true);
  });

  it('signs the body with an HMAC connection so the receiver can verify it', async () => {
    api.reset();
    const connection = { kind: 'hmac', secret: 'whsec', header: 'X-Signature', prefix: 'sha256=', timestampHeader: 'X-Timestamp' } as const;
    await httpConnector.send!(eventInput({ a: 1 }), contextFor(http, { url: `${api.url}/x` }, { connection }));
    const r = api.received[0]!;
    const expected = 'sha256=' + crypto.createHmac('sha256', 'whsec').update(`${r.headers['x-timestamp']}.${r.body}`).digest('hex');
    expect(r.headers['x-signature']).toBe(expected);
  });

  it('fetches an OAuth2 token once, reuses it, and fetches a new one when the target answers 401', async () => {
    api.reset();
    let issued = 0;
    let valid = '';
    api.setHandler((r) => {
      if (r.path === '/oauth/token') {
        const creds = Buffer.from(String(r.headers.authorization).replace('Basic ', ''), 'base64').toString();
        if (creds !== 'client:secret' || !r.body.includes('grant_type=client_credentials')) return { status: 401, body: { error: 'invalid_client' } };
        valid = `tok-${++issued}`;
        return { status: 200, body: { access_token: valid, token_type: 'bearer', expires_in: 3600 } };
      }
      return r.headers.authorization === `Bearer ${valid}` ? { status: 200, body: { ok: true } } : { status: 401, body: { error: 'expired' } };
    });
    const connection = { kind: 'oauth2-client-credentials', tokenUrl: `${api.url}/oauth/token`, clientId: 'client', clientSecret: 'secret' } as const;
    const ctx = contextFor(http, { url: `${api.url}/x` }, { connection });
    await httpConnector.send!(eventInput({ n: 1 }), ctx);
    await httpConnector.send!(eventInput({ n: 2 }), ctx);
    expect(issued).toBe(1);
    valid = 'revoked-by-the-server';
    await httpConnector.send!(eventInput({ n: 3 }), ctx);
    expect(issued).toBe(2);
    expect(api.received.filter((r) => r.path === '/x').map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('classifies rejected OAuth2 client credentials as an auth failure', async () => {
    api.reset();
    api.setHandler(() => ({ status: 400, body: { error: 'invalid_client' } }));
    const connection = { kind: 'oauth2-client-credentials', tokenUrl: `${api.url}/oauth/token`, clientId: 'c', clientSecret: 'wrong' } as const;
    const err = await httpConnector.send!(eventInput({}), contextFor(http, { url: `${api.url}/x` }, { connection })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('auth');
    api.setHandler(() => ({ status: 200, body: { ok: true } }));
  });

  it('passes the Retry-After of a 429 on to the retry policy', async () => {
    api.reset();
    api.queue(HTTP_FAILURES.rate_limited);
    const err = (await httpConnector.send!(eventInput({}), contextFor(http, { url: `${api.url}/x` })).catch((e: unknown) => e)) as DeliveryError;
    expect(err.retryAfterMs).toBe(2000);
  });
});
