import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackConnector, type SlackConfig } from '../../connectors/slack/slack.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler } from './support/fake-api.ts';

const BOT_TOKEN = 'xoxb-good';
let api: FakeApi;
let http: HttpClient;

// Slack as it answers: incoming webhooks with plain-text status words, the Web API with
// HTTP 200 and {"ok": false, "error"} for every failure but rate limiting.
const slack: FakeHandler = (r) => {
  if (r.path.startsWith('/services/')) {
    if (r.path !== '/services/T000/B000/good') return { status: 404, body: 'no_service' };
    if (!r.json || (typeof r.json.text !== 'string' && !Array.isArray(r.json.blocks))) return { status: 400, body: 'no_text' };
    return { status: 200, body: 'ok' };
  }
  if (r.headers.authorization !== `Bearer ${BOT_TOKEN}`) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
  if (r.path === '/api/auth.test') return { status: 200, body: { ok: true, team: 'Acme' } };
  if (r.path === '/api/chat.postMessage') {
    if (r.json?.channel !== '#hr') return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    return { status: 200, body: { ok: true, channel: 'C1', ts: '1700000000.000100' } };
  }
  return { status: 404, body: { ok: false, error: 'unknown_method' } };
};

const webhook = (): SlackConfig => ({ mode: 'webhook', webhookUrl: `${api.url}/services/T000/B000/good` });
const bot = (): SlackConfig => ({ mode: 'chat.postMessage', channel: '#hr', apiUrl: `${api.url}/api` });
const botConnection = { kind: 'bearer', token: BOT_TOKEN } as const;

beforeAll(async () => {
  api = await startFakeApi(slack);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('slack (chat.postMessage)', () => ({
  connector: slackConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: bot(), connection: botConnection };
  },
  async assertIdempotent() {
    const posts = api.received.filter((r) => r.path === '/api/chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toBe(posts[0]!.body);
  },
}));

describeConnectorContract('slack (incoming webhook)', () => ({
  connector: slackConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome === 'auth') return { config: { mode: 'webhook', webhookUrl: `${api.url}/services/T000/B000/revoked` } };
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: webhook() };
  },
  async assertIdempotent() {
    expect(api.received.filter((r) => r.path.startsWith('/services/'))).toHaveLength(2);
  },
}));

describe('the slack connector', () => {
  it('posts text outputs as text and arrays as Block Kit blocks', async () => {
    api.reset();
    await slackConnector.send!(eventInput('Ada joined', {}, 'text'), contextFor(http, webhook()));
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Ada* joined' } }];
    await slackConnector.send!(eventInput(blocks), contextFor(http, bot(), { connection: botConnection }));
    expect(api.received[0]!.json).toEqual({ text: 'Ada joined' });
    expect(api.received[1]!.json).toMatchObject({ blocks, channel: '#hr' });
    expect(api.received[1]!.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it.each([
    ['invalid_auth', 'auth'],
    ['ratelimited', 'rate_limited'],
    ['internal_error', 'retryable'],
    ['channel_not_found', 'permanent'],
  ])('classifies a 200 {"ok": false, "error": "%s"} as %s', async (error, kind) => {
    api.reset();
    api.queue({ status: 200, body: { ok: false, error } });
    await expect(slackConnector.send!(eventInput('x', {}, 'text'), contextFor(http, bot(), { connection: botConnection }))).rejects.toMatchObject({ kind, reason: expect.stringContaining(error) });
  });

  it('fails permanently when the channel does not exist, as Slack reports it', async () => {
    await expect(slackConnector.send!(eventInput('x', {}, 'text'), contextFor(http, { ...bot(), channel: '#nope' }, { connection: botConnection }))).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('refuses chat.postMessage without a bot token as a config error', async () => {
    await expect(slackConnector.send!(eventInput('x', {}, 'text'), contextFor(http, bot()))).rejects.toMatchObject({ kind: 'config' });
  });

  it('checks a bot token with auth.test and a webhook with a message Slack refuses', async () => {
    api.reset();
    await expect(slackConnector.testConnection!(contextFor(http, bot(), { connection: botConnection }))).resolves.toMatchObject({ ok: true, message: expect.stringContaining('Acme') });
    await expect(slackConnector.testConnection!(contextFor(http, bot(), { connection: { kind: 'bearer', token: 'xoxb-bad' } }))).resolves.toMatchObject({ ok: false });
    await expect(slackConnector.testConnection!(contextFor(http, webhook()))).resolves.toMatchObject({ ok: true });
    expect(api.received.filter((r) => r.path.startsWith('/services/')).map((r) => r.body)).toEqual(['{}']);
  });
});
