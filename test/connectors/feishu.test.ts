import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuConnector, type FeishuConfig } from '../../connectors/feishu/feishu.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

const HOOK = 'hook-good';
const SECRET = 'feishu-secret';
let api: FakeApi;
let http: HttpClient;

// Feishu's custom bot: the hook id, then timestamp (seconds, within an hour) and
// sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")) in the body.
const feishu: FakeHandler = (r) => {
  if (r.url.pathname !== `/open-apis/bot/v2/hook/${HOOK}`) return { status: 200, body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
  const b = r.json ?? {};
  const expected = crypto.createHmac('sha256', `${b.timestamp}\n${SECRET}`).update('').digest('base64');
  if (Math.abs(Date.now() / 1000 - Number(b.timestamp)) > 3600 || b.sign !== expected) return { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
  if (!['text', 'post', 'image', 'share_chat', 'interactive'].includes(b.msg_type)) return { status: 200, body: { code: 9499, msg: 'Bad Request' } };
  return { status: 200, body: { code: 0, msg: 'success', data: {} } };
};

const config = (): FeishuConfig => ({ webhookUrl: `${api.url}/open-apis/bot/v2/hook/${HOOK}` });
const signing = { kind: 'hmac', secret: SECRET } as const;

beforeAll(async () => {
  api = await startFakeApi(feishu);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('feishu', () => ({
  connector: feishuConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome === 'auth') return { config: config(), connection: { kind: 'hmac', secret: 'wrong' } };
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: config(), connection: signing };
  },
  async assertIdempotent() {
    expect(api.received).toHaveLength(2);
    expect(api.received[1]!.json.content).toEqual(api.received[0]!.json.content);
  },
}));

describe('the feishu connector', () => {
  it('puts timestamp and sign into the body the way Feishu verifies them', async () => {
    api.reset();
    await feishuConnector.send!(eventInput('Ada joined', {}, 'text'), contextFor(http, config(), { connection: signing }));
    expect(api.received[0]!.json).toMatchObject({ msg_type: 'text', content: { text: 'Ada joined' }, timestamp: expect.stringMatching(/^\d{10}$/), sign: expect.any(String) });
  });

  it('sends an interactive card as it is', async () => {
    api.reset();
    const card = { msg_type: 'interactive', card: { elements: [{ tag: 'div', text: { tag: 'lark_md', content: '**Ada**' } }] } };
    await feishuConnector.send!(eventInput(card), contextFor(http, config(), { connection: signing }));
    expect(api.received[0]!.json).toMatchObject(card);
  });

  it.each([
    [{ code: 19021, msg: 'sign match fail' }, 'auth'],
    [{ code: 11232, msg: 'frequency limited' }, 'rate_limited'],
    [{ code: 9499, msg: 'Bad Request' }, 'permanent'],
    [{ StatusCode: 19001, StatusMessage: 'token invalid' }, 'auth'],
  ])('classifies a 200 with %j as %s', async (body, kind) => {
    api.reset();
    api.queue({ status: 200, body });
    await expect(feishuConnector.send!(eventInput('x', {}, 'text'), contextFor(http, config(), { connection: signing }))).rejects.toMatchObject({ kind });
  });

  it('reports an unsigned call to a signed bot as a failed check', async () => {
    await expect(feishuConnector.testConnection!(contextFor(http, config()))).resolves.toMatchObject({ ok: false, message: expect.stringContaining('19021') });
  });
});
