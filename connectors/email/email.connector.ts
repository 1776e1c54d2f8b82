import crypto from 'node:crypto';
import Handlebars from 'handlebars';
import nodemailer from 'nodemailer';
import type { Connector, ConfigProblem, ConnectorContext, SendInput } from '../spi/connector.ts';
import { DeliveryError, type FailureInfo } from '../spi/failure.ts';
import { resolveAllowedHost } from '../spi/http-client.ts';

export interface EmailConfig {
  host: string;
  port?: number;
  security?: 'starttls' | 'tls' | 'none';
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string;
  subject: string;
  bodyFormat?: 'text' | 'html';
  bodyTemplate?: string;
}

// Templates get their own Handlebars environment: no helpers registered by others leak in,
// and prototype access stays off (the Handlebars default since 4.6).
const hbs = Handlebars.create();
const compiledTemplates = new Map<string, HandlebarsTemplateDelegate>();

function compileTemplate(source: string, escape: boolean): HandlebarsTemplateDelegate {
  const key = `${escape ? 'h' : 't'}:${source}`;
  let t = compiledTemplates.get(key);
  if (!t) {
    t = hbs.compile(source, { noEscape: !escape, strict: false, knownHelpersOnly: false });
    if (compiledTemplates.size > 1000) compiledTemplates.delete(compiledTemplates.keys().next().value!);
    compiledTemplates.set(key, t);
  }
  return t;
}

function render(source: string, scope: object, escape: boolean): string {
  try {
    return compileTemplate(source, escape)(scope, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (err) {
    throw new DeliveryError(`template failed: ${err instanceof Error ? err.message : String(err)}`, { kind: 'permanent', reason: 'a template could not be rendered for this event' });
  }
}

/** The mail for an event: subject, recipients and body rendered; the body is the rule's output unless a body template is set. */
export function composeEmail(input: SendInput, config: EmailConfig, idempotencyKey: string) {
  const scope = { event: input.event, body: input.body, data: input.event.data };
  const format = config.bodyFormat ?? 'text';
  const content = config.bodyTemplate !== undefined
    ? render(config.bodyTemplate, scope, format === 'html')
    : typeof input.body === 'string' ? input.body : JSON.stringify(input.body, null, 2);
  const list = (xs: string[] | undefined) => (xs ?? []).map((x) => render(x, scope, false).trim()).filter(Boolean);
  const to = list(config.to);
  if (to.length === 0) throw new DeliveryError('no recipient after rendering "to"', { kind: 'permanent', reason: 'the event gave no recipient' });
  return {
    from: config.from,
    to,
    cc: list(config.cc),
    bcc: list(config.bcc),
    replyTo: config.replyTo,
    subject: render(config.subject, scope, false).replace(/[\r\n]+/g, ' '),
    // One Message-ID per idempotency key: a repeated delivery is the same message to
    // mail servers and clients that deduplicate on it.
    messageId: `<${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@flowbridge>`,
    headers: { 'X-Flowbridge-Idempotency-Key': idempotencyKey },
    ...(format === 'html' ? { html: content } : { text: content }),
  };
}

/** Classifies an SMTP failure by its reply code (RFC 5321 §4.2) or its socket error. */
export function classifySmtpError(err: unknown): FailureInfo {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const code = e.responseCode;
  const text = `${e.response ?? e.message ?? ''}`;
  if (e.code === 'EAUTH' || code === 535 || code === 534 || code === 530 || code === 454) return { kind: 'auth', reason: `SMTP authentication failed: ${text}` };
  if (code !== undefined && code >= 400 && code < 500) {
    if (code === 421 || /rate|too many|throttl|limit|slow down/i.test(text)) return { kind: 'rate_limited', reason: `SMTP server throttles: ${text}` };
    return { kind: 'retryable', reason: `SMTP temporary failure: ${text}` };
  }
  if (code !== undefined && code >= 500) return { kind: 'permanent', reason: `SMTP server refused: ${text}` };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { kind: 'permanent', reason: `the message cannot be sent: ${text}` };
  return { kind: 'retryable', reason: `SMTP connection failed: ${e.code ?? ''} ${text}`.trim() };
}

async function createTransport(ctx: ConnectorContext<EmailConfig>) {
  const c = ctx.config;
  if (ctx.connection && ctx.connection.kind !== 'basic') throw new DeliveryError(`SMTP takes a basic connection (user and password), not ${ctx.connection.kind}`, { kind: 'config', reason: 'wrong connection kind' });
  // The private-address policy applies to SMTP too: connect to the checked address, and
  // keep the name for TLS.
  const address = ctx.http.resolveHost ? await ctx.http.resolveHost(c.host) : await resolveAllowedHost(c.host);
  const security = c.security ?? 'starttls';
  return nodemailer.createTransport({
    host: address,
    port: c.port ?? (security === 'tls' ? 465 : 587),
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    tls: { servername: c.host },
    name: 'flowbridge',
    auth: ctx.connection ? { user: ctx.connection.username, pass: ctx.connection.password } : undefined,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
}

/** E-mail over SMTP (nodemailer): subject, recipients and body from Handlebars templates or the rule's output. */
export const emailConnector: Connector<EmailConfig> = {
  id: 'email',
  version: '1.0.0',
  title: 'E-mail (SMTP)',
  summary: 'Sends an e-mail per event over SMTP; subject, recipients and body come from Handlebars templates or the transform.',
  category: 'messaging',
  icon: '✉️',
  connectionKinds: ['basic'],
  configSchema: {
    type: 'object',
    required: ['host', 'from', 'to', 'subject'],
    additionalProperties: false,
    properties: {
      host: { type: 'string', title: 'SMTP host', minLength: 1, maxLength: 255, examples: ['smtp.example.com'] },
      port: { type: 'integer', title: 'Port', minimum: 1, maximum: 65535, description: 'Default: 465 with TLS, 587 otherwise.', examples: [587] },
      security: { type: 'string', title: 'Security', enum: ['starttls', 'tls', 'none'], default: 'starttls', description: '`starttls`: upgrade and require TLS (port 587); `tls`: TLS from the start (port 465); `none`: plain text, for local relays only.' },
      from: { type: 'string', title: 'From', minLength: 3, maxLength: 512, examples: ['flowbridge <noreply@example.com>'] },
      to: { type: 'array', title: 'To', description: 'Recipients; each may be a Handlebars template, e.g. `{{data.manager.email}}`.', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 512 }, examples: [['hr@example.com']] },
      cc: { type: 'array', title: 'Cc', items: { type: 'string', minLength: 1, maxLength: 512 }, maxItems: 50, default: [] },
      bcc: { type: 'array', title: 'Bcc', items: { type: 'string', minLength: 1, maxLength: 512 }, maxItems: 50, default: [] },
      replyTo: { type: 'string', title: 'Reply-To', maxLength: 512 },
      subject: { type: 'string', title: 'Subject', description: 'A Handlebars template over `event`, `data` and `body`.', minLength: 1, maxLength: 1024, examples: ['New employee: {{data.name}}'] },
      bodyFormat: { type: 'string', title: 'Body format', enum: ['text', 'html'], default: 'text' },
      bodyTemplate: { type: 'string', title: 'Body template', description: 'A Handlebars template for the body (HTML-escaped in html format); when absent the rule\'s output is the body.', maxLength: 100000, examples: ['Hello,\n\n{{data.name}} starts on {{data.startDate}}.'] },
    },
    examples: [{ host: 'smtp.example.com', port: 587, security: 'starttls', from: 'flowbridge <noreply@example.com>', to: ['hr@example.com'], subject: 'New employee: {{data.name}}' }],
  },

  validateConfig(config) {
    const problems: ConfigProblem[] = [];
    if (typeof config !== 'object' || config === null) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must be an object' }];
    const texts: [string, unknown][] = [['/subject', config.subject], ['/bodyTemplate', config.bodyTemplate]];
    for (const key of ['to', 'cc', 'bcc'] as const) if (Array.isArray(config[key])) config[key]!.forEach((t, i) => texts.push([`/${key}/${i}`, t]));
    for (const [path, text] of texts) {
      if (typeof text !== 'string') continue;
      try {
        hbs.precompile(text);
      } catch (err) {
        problems.push({ path, code: 'ERR_CONNECTOR_TEMPLATE', message: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      }
    }
    return problems;
  },

  async send(input, ctx) {
    const mail = composeEmail(input, ctx.config, ctx.idempotencyKey);
    const transport = await createTransport(ctx);
    try {
      const info = await transport.sendMail(mail);
      // Some recipients refused, others accepted: retrying would repeat the mail to the
      // accepted ones, so it counts as delivered and the trace names the refused ones.
      const refused = (info.rejected ?? []).map(String);
      return { responseExcerpt: `${info.response ?? 'accepted'} (${mail.messageId})${refused.length ? `; refused: ${refused.join(', ')}` : ''}` };
    } catch (err) {
      const info = classifySmtpError(err);
      throw new DeliveryError(info.reason, { ...info, responseExcerpt: (err as { response?: string }).response });
    } finally {
      transport.close();
    }
  },

  async testConnection(ctx) {
    try {
      const c = ctx.config as Partial<EmailConfig> | null;
      if (!c || typeof c.host !== 'string' || !c.host) return { ok: false, message: 'no SMTP host configured' };
      const transport = await createTransport(ctx);
      try {
        await transport.verify();
        return { ok: true, message: `the SMTP server ${c.host} accepted the connection${ctx.connection ? ' and the login' : ''}` };
      } finally {
        transport.close();
      }
    } catch (err) {
      const info = err instanceof DeliveryError ? err : classifySmtpError(err);
      return { ok: false, message: info.reason };
    }
  },
};
