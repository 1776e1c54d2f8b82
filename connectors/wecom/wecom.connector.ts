import { classifyErrorCode, probeWithInvalidMessage, readJsonBody, type ErrorCodeTable } from '../spi/api-error-codes.ts';
import { checkResponse } from '../spi/connection-auth.ts';
import type { Connector, SendInput } from '../spi/connector.ts';
import type { FailureInfo } from '../spi/failure.ts';
import type { HttpResponse } from '../spi/http-client.ts';

export interface WeComConfig {
  webhookUrl: string;
  textAs?: 'text' | 'markdown';
  mentionedList?: string[];
  mentionedMobileList?: string[];
}

// WeCom group robot errcodes that are not permanent (93000: invalid webhook key; 45009:
// API frequency limit, 20 messages a minute; -1: system busy).
const WECOM_ERRORS: ErrorCodeTable = {
  auth: [93000, 40014, 42001, 93004],
  rate_limited: [45009, 45033],
  retryable: [-1],
};

/** The robot message for an output: an object with `msgtype` as is, anything else as text or markdown. */
export function toWeComMessage(input: SendInput, config: WeComConfig): Record<string, unknown> {
  const body = input.body;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'msgtype' in body) return { ...(body as Record<string, unknown>) };
  const content = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  if (config.textAs === 'markdown') return { msgtype: 'markdown', markdown: { content } };
  const text: Record<string, unknown> = { content };
  if (config.mentionedList?.length) text.mentioned_list = config.mentionedList;
  if (config.mentionedMobileList?.length) text.mentioned_mobile_list = config.mentionedMobileList;
  return { msgtype: 'text', text };
}

export function refineWeComResponse(res: HttpResponse): FailureInfo | undefined {
  const json = readJsonBody(res) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (!json || typeof json !== 'object' || json.errcode === undefined || json.errcode === 0) return undefined;
  return classifyErrorCode('WeCom', Number(json.errcode), String(json.errmsg ?? ''), WECOM_ERRORS);
}

/** WeCom (WeChat Work) group robot webhook; the key in the URL is the only credential. */
export const wecomConnector: Connector<WeComConfig> = {
  id: 'wecom',
  version: '1.0.0',
  title: 'WeCom group robot',
  summary: 'Posts a text, markdown or any robot message to a WeCom (WeChat Work) group through its robot webhook.',
  category: 'chat',
  icon: '📣',
  connectionKinds: [],
  configSchema: {
    type: 'object',
    required: ['webhookUrl'],
    additionalProperties: false,
    properties: {
      webhookUrl: { type: 'string', title: 'Webhook URL', writeOnly: true, description: 'The robot\'s webhook URL with its key; a secret.', pattern: '^https?://', maxLength: 2048, examples: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=XXXX'] },
      textAs: { type: 'string', title: 'Send text as', enum: ['text', 'markdown'], default: 'text', description: 'How an output that is not already a robot message (with `msgtype`) is sent.' },
      mentionedList: { type: 'array', title: 'Mention user ids', description: 'User ids to mention in text messages; "@all" mentions everyone.', items: { type: 'string', maxLength: 64 }, maxItems: 50, default: [] },
      mentionedMobileList: { type: 'array', title: 'Mention mobiles', items: { type: 'string', maxLength: 32 }, maxItems: 50, default: [] },
    },
    examples: [{ webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=XXXX', mentionedList: ['@all'] }],
  },

  refineFailure: refineWeComResponse,

  async send(input, ctx) {
    const res = await ctx.http.request({ method: 'POST', url: ctx.config.webhookUrl, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(toWeComMessage(input, ctx.config)), timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    checkResponse(res, refineWeComResponse);
    return { status: res.status, responseExcerpt: res.excerpt };
  },

  async testConnection(ctx) {
    const url = String((ctx.config as Partial<WeComConfig> | null)?.webhookUrl);
    return probeWithInvalidMessage(url, { body: '{}' }, { ...ctx, connection: undefined }, refineWeComResponse);
  },
};
