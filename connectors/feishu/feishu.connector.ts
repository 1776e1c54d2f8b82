import crypto from 'node:crypto';
import { classifyErrorCode, probeWithInvalidMessage, readJsonBody, type ErrorCodeTable } from '../spi/api-error-codes.ts';
import { checkResponse } from '../spi/connection-auth.ts';
import type { Connection } from '../spi/connection.ts';
import type { Connector, SendInput } from '../spi/connector.ts';
import { DeliveryError, type FailureInfo } from '../spi/failure.ts';
import type { HttpResponse } from '../spi/http-client.ts';

export interface FeishuConfig {
  webhookUrl: string;
}

// Feishu/Lark custom bot codes that are not permanent (19021: signature or timestamp
// check failed; 19022: IP not allowed; 19001: webhook token invalid; 11232: rate limited).
const FEISHU_ERRORS: ErrorCodeTable = {
  auth: [19021, 19022, 19001],
  rate_limited: [11232, 11233, 230020],
  retryable: [-1, 2200],
};

/** Feishu's bot signature: base64 HMAC-SHA256 keyed by `<timestamp s>\n<secret>` over an empty message. */
export function signFeishu(secret: string, timestampSeconds: number): string {
  return crypto.createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** The bot message for an output: an object with `msg_type` as is, anything else as text. */
export function toFeishuMessage(input: SendInput): Record<string, unknown> {
  const body = input.body;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'msg_type' in body) return { ...(body as Record<string, unknown>) };
  return { msg_type: 'text', content: { text: typeof body === 'string' ? body : JSON.stringify(body, null, 2) } };
}

function signMessage(message: Record<string, unknown>, connection: Connection | undefined, nowMs: number): Record<string, unknown> {
  if (!connection) return message;
  if (connection.kind !== 'hmac') throw new DeliveryError(`Feishu bots take an hmac connection (the signing secret), not ${connection.kind}`, { kind: 'config', reason: 'wrong connection kind' });
  const timestamp = Math.floor(nowMs / 1000);
  return { ...message, timestamp: String(timestamp), sign: signFeishu(connection.secret, timestamp) };
}

export function refineFeishuResponse(res: HttpResponse): FailureInfo | undefined {
  const json = readJsonBody(res) as { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown } | undefined;
  if (!json || typeof json !== 'object') return undefined;
  // Newer answers carry `code`/`msg`, older ones `StatusCode`/`StatusMessage`.
  const code = json.code ?? json.StatusCode;
  if (code === undefined || code === 0) return undefined;
  return classifyErrorCode('Feishu', Number(code), String(json.msg ?? json.StatusMessage ?? ''), FEISHU_ERRORS);
}

/** Feishu / Lark group custom bot webhook, with the optional signing secret as an hmac connection. */
export const feishuConnector: Connector<FeishuConfig> = {
  id: 'feishu',
  version: '1.0.0',
  title: 'Feishu / Lark group bot',
  summary: 'Posts a text or any bot message (post, interactive card) to a Feishu or Lark group through a custom bot webhook, signed when the bot has a secret.',
  category: 'chat',
  icon: '🐦',
  connectionKinds: ['hmac'],
  configSchema: {
    type: 'object',
    required: ['webhookUrl'],
    additionalProperties: false,
    properties: {
      webhookUrl: { type: 'string', title: 'Webhook URL', writeOnly: true, description: 'The bot\'s webhook URL; a secret. Put the signing secret in an hmac connection.', pattern: '^https?://', maxLength: 2048, examples: ['https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx'] },
    },
    examples: [{ webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx' }],
  },

  refineFailure: refineFeishuResponse,

  async send(input, ctx) {
    const message = signMessage(toFeishuMessage(input), ctx.connection, Date.now());
    const res = await ctx.http.request({ method: 'POST', url: ctx.config.webhookUrl, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(message), timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    checkResponse(res, refineFeishuResponse);
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    try {
      const url = String((ctx.config as Partial<FeishuConfig> | null)?.webhookUrl);
      const probe = signMessage({}, ctx.connection, Date.now());
      return await probeWithInvalidMessage(url, { body: JSON.stringify(probe) }, { ...ctx, connection: undefined }, refineFeishuResponse);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};
