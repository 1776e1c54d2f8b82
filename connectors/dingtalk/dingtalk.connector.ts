import crypto from 'node:crypto';
import { classifyErrorCode, probeWithInvalidMessage, readJsonBody, type ErrorCodeTable } from '../spi/api-error-codes.ts';
import { checkResponse } from '../spi/connection-auth.ts';
import type { Connection } from '../spi/connection.ts';
import type { Connector, SendInput } from '../spi/connector.ts';
import { DeliveryError, type FailureInfo } from '../spi/failure.ts';
import type { HttpResponse } from '../spi/http-client.ts';

export interface DingTalkConfig {
  webhookUrl: string;
  textAs?: 'text' | 'markdown';
  markdownTitle?: string;
  atMobiles?: string[];
  atUserIds?: string[];
  atAll?: boolean;
}

// DingTalk robot errcodes that are not permanent (310000: signature, keyword or IP check
// failed; 300001: token does not exist; 130101: more than 20 messages a minute).
const DINGTALK_ERRORS: ErrorCodeTable = {
  auth: [310000, 300001, 300005, 400102],
  rate_limited: [130101, 410100],
  retryable: [-1],
};

/** DingTalk's robot signature: base64 HMAC-SHA256 of `<timestamp ms>\n<secret>`, keyed by the secret. */
export function signDingTalk(secret: string, timestampMs: number): string {
  return crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The webhook URL with `timestamp` and `sign` added when the robot has a signing secret. */
export function signedDingTalkUrl(webhookUrl: string, connection: Connection | undefined, nowMs: number = Date.now()): string {
  if (!connection) return webhookUrl;
  if (connection.kind !== 'hmac') throw new DeliveryError(`DingTalk robots take an hmac connection (the signing secret), not ${connection.kind}`, { kind: 'config', reason: 'wrong connection kind' });
  const url = new URL(webhookUrl);
  url.searchParams.set('timestamp', String(nowMs));
  url.searchParams.set('sign', signDingTalk(connection.secret, nowMs));
  return url.toString();
}

/** The robot message for an output: an object with `msgtype` as is, anything else as text or markdown. */
export function toDingTalkMessage(input: SendInput, config: DingTalkConfig): Record<string, unknown> {
  const body = input.body;
  let message: Record<string, unknown>;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'msgtype' in body) message = { ...(body as Record<string, unknown>) };
  else {
    const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    message = config.textAs === 'markdown' ? { msgtype: 'markdown', markdown: { title: config.markdownTitle ?? 'flowbridge', text } } : { msgtype: 'text', text: { content: text } };
  }
  if (!message.at && (config.atMobiles?.length || config.atUserIds?.length || config.atAll)) {
    message.at = { atMobiles: config.atMobiles ?? [], atUserIds: config.atUserIds ?? [], isAtAll: config.atAll ?? false };
  }
  return message;
}

export function refineDingTalkResponse(res: HttpResponse): FailureInfo | undefined {
  const json = readJsonBody(res) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (!json || typeof json !== 'object' || json.errcode === undefined || json.errcode === 0) return undefined;
  return classifyErrorCode('DingTalk', Number(json.errcode), String(json.errmsg ?? ''), DINGTALK_ERRORS);
}

/** DingTalk group robot (custom robot webhook), with the optional signing secret as an hmac connection. */
export const dingtalkConnector: Connector<DingTalkConfig> = {
  id: 'dingtalk',
  version: '1.0.0',
  title: 'DingTalk group robot',
  summary: 'Posts a text, markdown or any robot message to a DingTalk group through a custom robot webhook, signed when the robot has a secret.',
  category: 'chat',
  icon: '🔔',
  connectionKinds: ['hmac'],
  configSchema: {
    type: 'object',
    required: ['webhookUrl'],
    additionalProperties: false,
    properties: {
      webhookUrl: { type: 'string', title: 'Webhook URL', writeOnly: true, description: 'The robot\'s webhook with its access_token; a secret. Put the signing secret ("SEC…") in an hmac connection.', pattern: '^https?://', maxLength: 2048, examples: ['https://oapi.dingtalk.com/robot/send?access_token=XXXX'] },
      textAs: { type: 'string', title: 'Send text as', enum: ['text', 'markdown'], default: 'text', description: 'How an output that is not already a robot message (with `msgtype`) is sent.' },
      markdownTitle: { type: 'string', title: 'Markdown title', default: 'flowbridge', maxLength: 128, description: 'Shown in the notification for markdown messages.' },
      atMobiles: { type: 'array', title: 'Mention mobiles', items: { type: 'string', maxLength: 32 }, maxItems: 50, default: [] },
      atUserIds: { type: 'array', title: 'Mention user ids', items: { type: 'string', maxLength: 64 }, maxItems: 50, default: [] },
      atAll: { type: 'boolean', title: 'Mention everyone', default: false },
    },
    examples: [{ webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=XXXX', textAs: 'markdown', markdownTitle: 'New hire' }],
  },

  refineFailure: refineDingTalkResponse,

  async send(input, ctx) {
    const url = signedDingTalkUrl(ctx.config.webhookUrl, ctx.connection);
    const res = await ctx.http.request({ method: 'POST', url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(toDingTalkMessage(input, ctx.config)), timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    checkResponse(res, refineDingTalkResponse);
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    try {
      const url = signedDingTalkUrl(String((ctx.config as Partial<DingTalkConfig> | null)?.webhookUrl), ctx.connection);
      return await probeWithInvalidMessage(url, { body: '{}' }, { ...ctx, connection: undefined }, refineDingTalkResponse);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};
