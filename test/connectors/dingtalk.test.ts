import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkConnector, type DingTalkConfig } from '../../connectors/dingtalk/dingtalk.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

const TOKEN = 'tok-good';
const SECRET = 'SECabc123';
let api: FakeApi;
let http: HttpClient;

// DingTalk's custom robot: the access_token, then (for a signed robot) timestamp within an
// hour and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), then the message.
const dingtalk: FakeHandler = (r) => {
  if (r.url.searchParams.get('access_token') !== TOKEN) return { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } };
  const timestamp = r.url.searchParams.get('timestamp') ?? '';
  const expected = crypto.createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
  if (Math.abs(Date.now() - Number(timestamp)) > 3600_000 || r.url.searchParams.get('sign') !== expected) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
  const m = r.json;
  if (!m || !['text', 'markdown', 'link', 'actionCard', 'feedCard'].includes(m.msgtype)) return { status: 200, body: { errcode: 40035, errmsg: 'missing parameter json' } };
  return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
};

const config = (token = TOKEN): DingTalkConfig => ({ webhookUrl: `${api.url}/robot/send?access_token=${token}` });
const signing = { kind: 'hmac', secret: SECRET } as const;

beforeAll(async () => {
  api = await startFakeApi(dingtalk);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('dingtalk', () => ({
  connector: dingtalkConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome === 'auth') return { config: config(), connection: { kind: 'hmac', secret: 'SECwrong' } };
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: config(), connection: signing };
  },
  async assertIdempotent() {
    expect(api.received).toHaveLength(2);
    expect(api.received[1]!.body).toBe(api.received[0]!.body);
  },
}));

describe('the dingtalk connector', () => {
  it('signs the webhook URL the way DingTalk verifies it and sends text as a text message', async () => {
    api.reset();
    await dingtalkConnector.send!(eventInput('Ada joined', {}, 'text'), contextFor(http, { ...config(), atMobiles: ['13800000000'] }, { connection: signing }));
    expect(api.received[0]!.json).toEqual({ msgtype: 'text', text: { content: 'Ada joined' }, at: { atMobiles: ['13800000000'], atUserIds: [], isAtAll: false } });
  });

  it('sends markdown with a title when asked, and a message with msgtype as it is', async () => {
    api.reset();
    await dingtalkConnector.send!(eventInput('**Ada** joined', {}, 'text'), contextFor(http, { ...config(), textAs: 'markdown', markdownTitle: 'HR' }, { connection: signing }));
    const card = { msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', singleTitle: 'Open', singleURL: 'https://x.example' } };
    await dingtalkConnector.send!(eventInput(card), contextFor(http, config(), { connection: signing }));
    expect(api.received.map((r) => r.json)).toEqual([{ msgtype: 'markdown', markdown: { title: 'HR', text: '**Ada** joined' } }, card]);
  });

  it.each([
    [{ errcode: 310000, errmsg: 'sign not match' }, 'auth'],
    [{ errcode: 300001, errmsg: 'token is not exist' }, 'auth'],
    [{ errcode: 130101, errmsg: 'send too fast' }, 'rate_limited'],
    [{ errcode: -1, errmsg: 'system busy' }, 'retryable'],
    [{ errcode: 40035, errmsg: 'missing parameter json' }, 'permanent'],
  ])('classifies a 200 with %j as %s', async (body, kind) => {
    api.reset();
    api.queue({ status: 200, body });
    await expect(dingtalkConnector.send!(eventInput('x', {}, 'text'), contextFor(http, config(), { connection: signing }))).rejects.toMatchObject({ kind });
  });

  it('reports a wrong signing secret and a wrong token as failed checks, and good ones as working', async () => {
    await expect(dingtalkConnector.testConnection!(contextFor(http, config(), { connection: signing }))).resolves.toMatchObject({ ok: true });
    await expect(dingtalkConnector.testConnection!(contextFor(http, config('tok-bad'), { connection: signing }))).resolves.toMatchObject({ ok: false, message: expect.stringContaining('300001') });
    await expect(dingtalkConnector.testConnection!(contextFor(http, config()))).resolves.toMatchObject({ ok: false, message: expect.stringContaining('310000') });
  });

  it('refuses a connection that is not a signing secret', async () => {
    await expect(dingtalkConnector.send!(eventInput('x', {}, 'text'), contextFor(http, config(), { connection: { kind: 'bearer', token: 't' } }))).rejects.toMatchObject({ kind: 'config' });
  });
});
