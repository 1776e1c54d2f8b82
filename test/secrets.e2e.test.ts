// Secrets in node configs (writeOnly in the kind's schema) are sealed at rest, masked in
// every answer, and opened only by the worker that sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../connectors/spi/connector.ts';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

interface TokenConfig {
  url: string;
  token: string;
}

/** A target that sends its writeOnly token as a header. */
const tokenConnector: Connector<TokenConfig> = {
  id: 'token-http',
  version: '1.0.0',
  title: 'Token HTTP',
  summary: 'test connector',
  category: 'test',
  connectionKinds: [],
  configSchema: {
    type: 'object',
    required: ['url', 'token'],
    additionalProperties: false,
    properties: { url: { type: 'string' }, token: { type: 'string', writeOnly: true, minLength: 3 } },
  },
  async send(input, ctx) {
    const res = await ctx.http.send({ method: 'POST', url: ctx.config.url, headers: { 'x-token': ctx.config.token, 'content-type': 'application/json' }, body: JSON.stringify(input.body) });
    return { status: res.status };
  },
};

let fb: TestFlowbridge;
let target: FakeTarget;

beforeAll(async () => {
  fb = await startTestFlowbridge({ connectors: [tokenConnector as Connector<never>] });
  target = await startFakeTarget();
});
afterAll(async () => {
  await target.close();
  await fb.stop();
});

async function allRedisText(): Promise<string> {
  const redis = fb.runtime.redis;
  const keys = await redis.keys(`${fb.prefix}:*`);
  let text = '';
  for (const k of keys) {
    const type = await redis.type(k);
    if (type === 'string') text += await redis.get(k);
    else if (type === 'hash') text += JSON.stringify(await redis.hgetall(k));
    else if (type === 'list') text += JSON.stringify(await redis.lrange(k, 0, -1));
  }
  return text;
}

describe('secrets in node configs', () => {
  it('seals them at rest, masks them in answers, and sends them in clear only to the target', async () => {
    const flow = {
      id: 'secret-flow',
      name: 'Secret flow',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'secret-in' } },
        { id: 'out', type: 'target.token-http', config: { url: `${target.url}/t`, token: 'sup3r-s3cret' } },
      ],
      edges: [{ source: 'in', target: 'out' }],
    };
    const created = await fb.api('POST', '/flows', flow);
    expect(created.status).toBe(201);
    expect(created.json.doc.nodes[1].config.token).toBe('********');
    expect(created.json.problems).toEqual([]);
    expect((await fb.api('POST', '/flows/secret-flow/deploy')).status).toBe(200);
    expect(await allRedisText()).not.toContain('sup3r-s3cret');

    await fb.post('/webhooks/secret-in', '{"a":1}');
    const [got] = await target.waitFor(1);
    expect(got!.headers['x-token']).toBe('sup3r-s3cret');

    // Saving the masked document back keeps the secret; the flow still delivers with it.
    const current = await fb.api('GET', '/flows/secret-flow');
    const saved = await fb.api('PUT', '/flows/secret-flow', { ...current.json.doc, name: 'Renamed' });
    expect(saved.status).toBe(200);
    expect(saved.json.problems).toEqual([]);
    expect((await fb.api('POST', '/flows/secret-flow/deploy')).status).toBe(200);
    await fb.post('/webhooks/secret-in', '{"a":2}');
    await target.waitFor(2);
    expect(target.received[1]!.headers['x-token']).toBe('sup3r-s3cret');

    const versions = await fb.api('GET', '/flows/secret-flow/versions');
    expect(JSON.stringify(versions.json)).not.toContain('sup3r-s3cret');
    expect(await allRedisText()).not.toContain('sup3r-s3cret');
  });

  it('keeps dead letters free of the secret', async () => {
    target.setFallback({ status: 400, body: 'no' });
    await fb.post('/webhooks/secret-in', '{"a":3}');
    const list = await eventually(async () => {
      const r = await fb.api('GET', '/dead-letters?flowId=secret-flow');
      return r.json.items.length ? r.json : undefined;
    });
    expect(JSON.stringify(list)).not.toContain('sup3r-s3cret');
    target.setFallback({ status: 200, body: '{}' });
  });
});
