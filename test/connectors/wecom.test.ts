import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { wecomConnector, type WeComConfig } from '../../connectors/wecom/wecom.connector.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

const KEY = 'key-good';
let api: FakeApi;
let http: HttpClient;

// WeCom's group robot: the key, then the message type.
const wecom: FakeHandler = (r) => {
  if (r.url.searchParams.get('key') !== KEY) return { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } };
  if (!['text', 'markdown', 'image', 'news', 'file', 'template_card'].includes(r.json?.msgtype)) return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
  return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
};

const config = (key = KEY): WeComConfig => ({ webhookUrl: `${api.url}/cgi-bin/webhook/send?key=${key}` });

beforeAll(async () => {
  api = await startFakeApi(wecom);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('wecom', () => ({
  connector: wecomConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome === 'auth') return { config: config('key-revoked') };
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: config() };
  },
  async assertIdempotent() {
    expect(api.received).toHaveLength(2);
    expect(api.received[1]!.body).toBe(api.received[0]!.body);
  },
}));

describe('the wecom connector', () => {
  it('sends text with mentions, and markdown when asked', async () => {
    api.reset();
    await wecomConnector.send!(eventInput('Ada joined', {}, 'text'), contextFor(http, { ...config(), mentionedList: ['@all'] }));
    await wecomConnector.send!(eventInput('**Ada**', {}, 'text'), contextFor(http, { ...config(), textAs: 'markdown' as const }));
    expect(api.received.map((r) => r.json)).toEqual([
      { msgtype: 'text', text: { content: 'Ada joined', mentioned_list: ['@all'] } },
      { msgtype: 'markdown', markdown: { content: '**Ada**' } },
    ]);
  });

  it.each([
    [{ errcode: 93000, errmsg: 'invalid webhook url' }, 'auth'],
    [{ errcode: 45009, errmsg: 'api freq out of limit' }, 'rate_limited'],
    [{ errcode: -1, errmsg: 'system busy' }, 'retryable'],
    [{ errcode: 40008, errmsg: 'invalid message type' }, 'permanent'],
  ])('classifies a 200 with %j as %s', async (body, kind) => {
    api.reset();
    api.queue({ status: 200, body });
    await expect(wecomConnector.send!(eventInput('x', {}, 'text'), contextFor(http, config()))).rejects.toMatchObject({ kind });
  });
});
