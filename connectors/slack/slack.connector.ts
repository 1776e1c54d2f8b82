import { authOptionsOf, sendAuthorized } from '../spi/connection-auth.ts';
import { classifyErrorCode, probeWithInvalidMessage, readJsonBody, type ErrorCodeTable } from '../spi/api-error-codes.ts';
import type { Connector, SendInput } from '../spi/connector.ts';
import { DeliveryError, type FailureInfo } from '../spi/failure.ts';
import type { HttpResponse } from '../spi/http-client.ts';

export interface SlackConfig {
  mode?: 'webhook' | 'chat.postMessage';
  webhookUrl?: string;
  channel?: string;
  apiUrl?: string;
}

// Slack's documented error strings that are not permanent; all others are.
const SLACK_ERRORS: ErrorCodeTable = {
  auth: ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'not_allowed_token_type', 'invalid_token', 'no_service', 'no_team', 'team_disabled', 'action_prohibited', 'ekm_access_denied'],
  rate_limited: ['ratelimited', 'rate_limited', 'message_limit_exceeded'],
  retryable: ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'rollup_error', 'team_added_to_org'],
};

/** The Slack message for an output: text as `text`, an array as Block Kit `blocks`, an object with text/blocks as is. */
export function toSlackMessage(input: SendInput): Record<string, unknown> {
  const body = input.body;
  if (typeof body === 'string') return { text: body };
  if (Array.isArray(body)) return { blocks: body, text: 'New message' };
  if (body && typeof body === 'object' && ('text' in body || 'blocks' in body || 'attachments' in body)) return { ...(body as Record<string, unknown>) };
  // Anything else is shown verbatim rather than refused: the flow author sees what arrived.
  return { text: '```' + JSON.stringify(body, null, 2) + '```' };
}

/** Slack's failures: `{"ok": false, "error"}` on 200 (Web API) and plain-text errors (incoming webhooks). */
export function refineSlackResponse(res: HttpResponse): FailureInfo | undefined {
  const json = readJsonBody(res) as { ok?: unknown; error?: unknown } | undefined;
  if (json && typeof json === 'object' && json.ok === false) {
    const info = classifyErrorCode('Slack', String(json.error ?? 'unknown_error'), '', SLACK_ERRORS);
    if (res.status === 429) return { ...info, kind: 'rate_limited' };
    return info;
  }
  if (res.status >= 400 && res.status !== 429 && res.status < 500 && /^[a-z_]+$/.test(res.body.trim())) {
    const info = classifyErrorCode('Slack', res.body.trim(), '', SLACK_ERRORS);
    return res.status === 410 ? { ...info, disableTarget: true } : info;
  }
  return undefined;
}

function targetOf(config: SlackConfig): { url: string; mode: 'webhook' | 'chat.postMessage' } {
  const mode = config.mode ?? 'webhook';
  if (mode === 'webhook') {
    if (!config.webhookUrl) throw new DeliveryError('no webhook URL configured', { kind: 'config', reason: 'webhook mode needs webhookUrl' });
    return { url: config.webhookUrl, mode };
  }
  return { url: `${(config.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, '')}/chat.postMessage`, mode };
}

/** Slack: an incoming-webhook URL, or chat.postMessage with a bot token (bearer connection). */
export const slackConnector: Connector<SlackConfig> = {
  id: 'slack',
  version: '1.0.0',
  title: 'Slack',
  summary: 'Posts a message (text or Block Kit) to Slack through an incoming webhook or chat.postMessage with a bot token.',
  category: 'chat',
  icon: '💬',
  connectionKinds: ['bearer'],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: { type: 'string', title: 'Mode', enum: ['webhook', 'chat.postMessage'], default: 'webhook', description: '`webhook`: an incoming-webhook URL; `chat.postMessage`: the Web API with a bot token from a bearer connection.' },
      webhookUrl: { type: 'string', title: 'Incoming webhook URL', writeOnly: true, description: 'The URL Slack gave for the incoming webhook; it is a secret.', pattern: '^https?://', maxLength: 2048, examples: ['https://hooks.slack.com/services/T000/B000/XXXX'] },
      channel: { type: 'string', title: 'Channel', description: 'Channel id or name for chat.postMessage (a message body may override it).', maxLength: 256, examples: ['#hr-updates', 'C0123456789'] },
      apiUrl: { type: 'string', title: 'Web API base URL', default: 'https://slack.com/api', pattern: '^https?://', maxLength: 2048 },
    },
    allOf: [
      { if: { properties: { mode: { const: 'chat.postMessage' } }, required: ['mode'] }, then: { required: ['channel'] }, else: { required: ['webhookUrl'] } },
    ],
    examples: [{ mode: 'webhook', webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' }, { mode: 'chat.postMessage', channel: '#hr-updates' }],
  },

  refineFailure: refineSlackResponse,

  async send(input, ctx) {
    const { url, mode } = targetOf(ctx.config);
    const message = toSlackMessage(input);
    if (mode === 'chat.postMessage') {
      if (ctx.connection?.kind !== 'bearer') throw new DeliveryError('chat.postMessage needs a bot token', { kind: 'config', reason: 'no bearer connection with a bot token' });
      message.channel ??= ctx.config.channel;
    }
    const res = await sendAuthorized(
      { method: 'POST', url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(message), timeoutMs: ctx.timeoutMs, signal: ctx.signal },
      { ...authOptionsOf(ctx), connection: mode === 'webhook' ? undefined : ctx.connection, refine: refineSlackResponse },
    );
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    try {
      const c = ctx.config as SlackConfig | null;
      if (!c || typeof c !== 'object') return { ok: false, message: 'no config' };
      const { url, mode } = targetOf(c);
      if (mode === 'chat.postMessage') {
        if (ctx.connection?.kind !== 'bearer') return { ok: false, message: 'chat.postMessage needs a bearer connection with a bot token' };
        // auth.test checks the token without posting anything.
        const res = await sendAuthorized({ method: 'POST', url: url.replace(/chat\.postMessage$/, 'auth.test'), timeoutMs: Math.min(ctx.timeoutMs, 10_000), signal: ctx.signal }, { ...authOptionsOf(ctx), refine: refineSlackResponse });
        const team = (readJsonBody(res) as { team?: string } | undefined)?.team;
        return { ok: true, message: `the bot token is valid${team ? ` for team ${team}` : ''}` };
      }
      return await probeWithInvalidMessage(url, { body: '{}' }, { ...ctx, connection: undefined }, refineSlackResponse);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};
