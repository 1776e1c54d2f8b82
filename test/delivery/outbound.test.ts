// What targets receive: Idempotency-Key, Standard Webhooks signatures a receiver can
// verify, CloudEvents binary and structured mode; and outbound safety: private, loopback,
// link-local and metadata addresses refused (after DNS) unless allowed, redirects not followed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, resolveAllowedHost } from '../../connectors/spi/http-client.ts';
import { parseCidrList } from '../../connectors/spi/address-guard.ts';
import { DeliveryError } from '../../connectors/spi/failure.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from '../support/flowbridge.ts';
import { deployFlow, sendEvent, webhookFlow } from './support/flows.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const SECRET = `whsec_${Buffer.from('a-test-signing-key-of-32-bytes!!').toString('base64')}`;

let fb: TestFlowbridge;
let receiver: Receiver;

beforeAll(async () => {
  fb = await startTestFlowbridge();
  receiver = await startReceiver();
});
afterAll(async () => {
  await fb.stop();
  await receiver.close();
});

function requestsTo(path: string) {
  return receiver.requests.filter((r) => r.path === path);
}

describe('outbound requests', () => {
  it('signs each request with Standard Webhooks headers that the standardwebhooks package verifies, the same webhook-id on every retry', async () => {
    let calls = 0;
    receiver.setScript((r) => (r.path === '/signed' && calls++ === 0 ? { status: 503 } : { status: 200 }));
    // The secret lives in a stored connection: sealed at rest and never shown again.
    const conn = await fb.api('POST', '/connections', { id: 'wh-signing', name: 'Webhook signing', connection: { kind: 'hmac', secret: SECRET } });
    expect(conn.status).toBe(201);
    await deployFlow(fb, webhookFlow('signed', [{ url: `${receiver.url}/signed`, delivery: { signing: { scheme: 'standard-webhooks', connection: 'wh-signing' } } }], { transform: "{ 'n': data.n, 'name': 'Ann' }" }));
    expect(JSON.stringify((await fb.api('GET', '/flows/signed')).json)).not.toContain(SECRET.slice(6));
    await sendEvent(fb, 'signed', 's-1');
    await receiver.until(() => requestsTo('/signed').length === 2);
    const [first, second] = requestsTo('/signed');
    const wh = new Webhook(SECRET);
    for (const r of [first!, second!]) {
      expect(wh.verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) })).toEqual({ n: 's-1', name: 'Ann' });
    }
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    expect(first!.headers['webhook-id']).toBe(first!.headers['idempotency-key']);
    // A tampered body does not verify.
    expect(() => wh.verify(first!.body.replace('Ann', 'Bob'), { 'webhook-id': String(first!.headers['webhook-id']), 'webhook-timestamp': String(first!.headers['webhook-timestamp']), 'webhook-signature': String(first!.headers['webhook-signature']) })).toThrow();
  });

  it('takes the signing secret from the environment variable the policy names', async () => {
    process.env.FB_TEST_SIGNING_SECRET = SECRET;
    receiver.setScript(() => ({ status: 200 }));
    await deployFlow(fb, webhookFlow('signed-env', [{ url: `${receiver.url}/signed-env`, delivery: { signing: { scheme: 'standard-webhooks', secretEnv: 'FB_TEST_SIGNING_SECRET' } } }]));
    await sendEvent(fb, 'signed-env', 'se-1');
    await receiver.until(() => requestsTo('/signed-env').length === 1);
    const r = requestsTo('/signed-env')[0]!;
    expect(() => new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
  });

  it('sends the event in CloudEvents binary mode, with the transform output as data', async () => {
    await deployFlow(fb, webhookFlow('ce-binary', [{ url: `${receiver.url}/ce-binary`, delivery: { format: 'cloudevents-binary' } }], { transform: "{ 'employee': data.n }" }));
    await sendEvent(fb, 'ce-binary', 'b-1');
    await receiver.until(() => requestsTo('/ce-binary').length === 1);
    const r = requestsTo('/ce-binary')[0]!;
    expect(r.headers['ce-specversion']).toBe('1.0');
    expect(r.headers['ce-id']).toBe('b-1');
    expect(r.headers['ce-type']).toBe('test.event');
    expect(r.headers['ce-source']).toBe('/webhooks/ce-binary');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ employee: 'b-1' });
    expect(r.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('sends the event in CloudEvents structured mode, unchanged when no transform shaped it', async () => {
    await deployFlow(fb, webhookFlow('ce-structured', [{ url: `${receiver.url}/ce-structured`, delivery: { format: 'cloudevents-structured' } }]));
    await sendEvent(fb, 'ce-structured', 'st-1', { name: 'Ann' });
    await receiver.until(() => requestsTo('/ce-structured').length === 1);
    const r = requestsTo('/ce-structured')[0]!;
    expect(r.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(r.json).toMatchObject({ specversion: '1.0', id: 'st-1', type: 'test.event', source: '/webhooks/ce-structured', data: { n: 'st-1', name: 'Ann' } });
  });

  it('refuses at deploy a CloudEvents format or signing on a target that is not target.http, and a bad ordering key', async () => {
    const doc = webhookFlow('bad-policy', [{ url: 'http://example.com/x', delivery: { orderingKey: '$..id' } }]);
    (doc.nodes[1] as { delivery: Record<string, unknown> }).delivery.signing = { scheme: 'standard-webhooks' };
    const created = await fb.api('POST', '/flows', doc);
    expect(created.status).toBe(201);
    const deployed = await fb.api('POST', '/flows/bad-policy/deploy');
    expect(deployed.status).toBe(400);
    const paths = (deployed.json.error.details as { code: string; path: string }[]).map((d) => [d.code, d.path]);
    expect(paths).toEqual(expect.arrayContaining([['ERR_DELIVERY_ORDERING_KEY', 'nodes[1].delivery.orderingKey'], ['ERR_DELIVERY_POLICY', 'nodes[1].delivery.signing']]));
  });
});

describe('outbound safety', () => {
  it('refuses a name that resolves to 127.0.0.1 (localhost), a loopback, a private and a metadata address without the allow-list', async () => {
    const http = createHttpClient({});
    const port = new URL(receiver.url).port;
    try {
      for (const url of [`http://localhost:${port}/x`, `http://127.0.0.1:${port}/x`, 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/x']) {
        const err = await http.send({ method: 'POST', url, body: '{}', timeoutMs: 2000 }).then(() => undefined, (e: unknown) => e);
        expect(err, url).toBeInstanceOf(DeliveryError);
        expect((err as DeliveryError).kind, url).toBe('config');
        expect((err as DeliveryError).reason, url).toBe('target address not allowed');
      }
      await expect(resolveAllowedHost('localhost')).rejects.toMatchObject({ kind: 'config' });
    } finally {
      await http.close();
    }
    expect(receiver.requests.some((r) => r.path === '/x')).toBe(false);
  });

  it('reaches loopback once the allow-list names it', async () => {
    const http = createHttpClient({ allowPrivate: parseCidrList('127.0.0.0/8') });
    try {
      const res = await http.send({ method: 'POST', url: `http://localhost:${new URL(receiver.url).port}/allowed`, body: '{}' });
      expect(res.status).toBe(200);
    } finally {
      await http.close();
    }
  });

  it('dead-letters a delivery to localhost as a config failure when no allow-list is set, without a request reaching it', async () => {
    const strict = await startTestFlowbridge({ env: { FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '' } });
    try {
      await deployFlow(strict, webhookFlow('to-localhost', [{ url: `http://localhost:${new URL(receiver.url).port}/private` }]));
      await sendEvent(strict, 'to-localhost', 'p-1');
      const dl = await eventually(async () => (await strict.api('GET', '/dead-letters?flowId=to-localhost')).json.items[0]);
      expect(dl.reason).toBe('permanent-failure');
      expect(dl.lastError).toMatchObject({ kind: 'config', code: 'ERR_DELIVERY_TARGET_REFUSED' });
      expect(dl.lastError.message).toContain('FLOWBRIDGE_ALLOW_PRIVATE_TARGETS');
      expect(receiver.requests.some((r) => r.path === '/private')).toBe(false);
    } finally {
      await strict.stop();
    }
  });

  it('does not follow a redirect: a 302 to a private address is a permanent failure and nothing reaches it', async () => {
    receiver.setScript((r) => (r.path === '/redirect' ? { status: 302, headers: { location: `${receiver.url}/inside` } } : { status: 200 }));
    await deployFlow(fb, webhookFlow('redirect', [{ url: `${receiver.url}/redirect` }]));
    await sendEvent(fb, 'redirect', 'r-1');
    const dl = await eventually(async () => (await fb.api('GET', '/dead-letters?flowId=redirect')).json.items[0]);
    expect(dl.lastError).toMatchObject({ kind: 'permanent', status: 302 });
    expect(dl.lastError.message).toContain('redirect');
    expect(receiver.requests.some((r) => r.path === '/inside')).toBe(false);
  });
});

describe('outbound time limits', () => {
  it('ends an unanswered request at its timeout, and every request in flight when the shared shutdown signal aborts', async () => {
    // A server that reads requests and never answers them.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const client = createHttpClient({ allowPrivate: parseCidrList('127.0.0.0/8') });
    try {
      const started = performance.now();
      const late = await client.request({ method: 'POST', url, body: '{}', timeoutMs: 200 }).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(DeliveryError);
      expect(late).toMatchObject({ kind: 'retryable', reason: 'timeout' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);

      const shutdown = new AbortController();
      const pending = [1, 2, 3].map(() => client.request({ method: 'POST', url, body: '{}', timeoutMs: 60_000, signal: shutdown.signal }).catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 100));
      shutdown.abort();
      for (const err of await Promise.all(pending)) expect(err).toMatchObject({ kind: 'retryable', reason: 'aborted (shutdown)' });
      // A request made after the signal aborted does not go out.
      expect(await client.request({ method: 'POST', url, body: '{}', signal: shutdown.signal }).catch((e: unknown) => e)).toMatchObject({ reason: 'aborted (shutdown)' });
    } finally {
      await client.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});
