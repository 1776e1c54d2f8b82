import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailConnector, type EmailConfig } from '../../connectors/email/email.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import { createHttpClient, type HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.ts';

let smtp: FakeSmtp;
let http: HttpClient;
const login = { kind: 'basic', username: 'mailer', password: 'pw' } as const;

const config = (over: Partial<EmailConfig> = {}): EmailConfig => ({
  host: smtp.host,
  port: smtp.port,
  security: 'none',
  from: 'flowbridge <noreply@example.com>',
  to: ['hr@example.com', '{{data.managerEmail}}'],
  subject: 'New employee: {{data.name}}',
  ...over,
});

beforeAll(async () => {
  smtp = await startFakeSmtp({ mailer: 'pw' });
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await smtp.close();
});

describeConnectorContract('email', () => ({
  connector: emailConnector as never,
  http,
  async arrange(outcome) {
    smtp.reset();
    const input = eventInput({ name: 'Ada', managerEmail: 'boss@example.com' });
    if (outcome === 'auth') return { config: config(), connection: { kind: 'basic', username: 'mailer', password: 'wrong' }, input };
    if (outcome === 'rate_limited') smtp.failNext('MAIL', '421 4.7.0 Too many messages, slow down');
    if (outcome === 'retryable') smtp.failNext('DATA', '451 4.3.0 Temporary local problem');
    if (outcome === 'permanent') for (let i = 0; i < 2; i++) smtp.failNext('RCPT', '550 5.1.1 Mailbox unavailable');
    return { config: config(), connection: login, input };
  },
  async assertIdempotent(key) {
    expect(smtp.mails).toHaveLength(2);
    const ids = smtp.mails.map((m) => m.header('Message-ID'));
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}@flowbridge>$/);
    expect(ids[1]).toBe(ids[0]);
    expect(smtp.mails[0]!.header('X-Flowbridge-Idempotency-Key')).toBe(key);
  },
}));

describe('the email connector', () => {
  it('logs in, renders subject and recipients from the event, and sends the rule output as the body', async () => {
    smtp.reset();
    await emailConnector.send!(eventInput('Ada starts on Monday.', { data: { name: 'Ada', managerEmail: 'boss@example.com' } }, 'text'), contextFor(http, config(), { connection: login }));
    const mail = smtp.mails[0]!;
    expect(mail.user).toBe('mailer');
    expect(mail.from).toBe('noreply@example.com');
    expect(mail.to).toEqual(['hr@example.com', 'boss@example.com']);
    expect(mail.header('Subject')).toBe('New employee: Ada');
    expect(mail.data).toContain('Ada starts on Monday.');
  });

  it('renders an HTML body template with the event values escaped', async () => {
    smtp.reset();
    const c = config({ to: ['hr@example.com'], bodyFormat: 'html', bodyTemplate: '<p>{{data.name}} joined</p>' });
    await emailConnector.send!(eventInput({}, { data: { name: '<Ada>' } }), contextFor(http, c, { connection: login }));
    expect(smtp.mails[0]!.header('Content-Type')).toMatch(/text\/html/);
    expect(smtp.mails[0]!.data).toContain('&lt;Ada&gt;');
  });

  it('delivers to the accepted recipients when the server refuses some, and names the refused ones', async () => {
    smtp.reset();
    smtp.failNext('RCPT', '550 5.1.1 Mailbox unavailable');
    const result = await emailConnector.send!(eventInput({}, { data: { name: 'Ada', managerEmail: 'boss@example.com' } }), contextFor(http, config(), { connection: login }));
    expect(smtp.mails[0]!.to).toEqual(['boss@example.com']);
    expect(result.responseExcerpt).toContain('refused: hr@example.com');
  });

  it('fails permanently when the templates give no recipient', async () => {
    await expect(emailConnector.send!(eventInput({}), contextFor(http, config({ to: ['{{data.nobody}}'] }), { connection: login }))).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('rejects a broken template at deploy time with its path', () => {
    expect(emailConnector.validateConfig!(config({ subject: 'Hi {{#if data.x}}' }))).toEqual([expect.objectContaining({ path: '/subject', code: 'ERR_CONNECTOR_TEMPLATE' })]);
  });

  it('refuses a loopback SMTP host unless private targets are allowed', async () => {
    const strict = createHttpClient();
    await expect(emailConnector.send!(eventInput({}), contextFor(strict, config({ to: ['a@example.com'] })))).rejects.toMatchObject({ kind: 'config' });
    await strict.close();
  });

  it('is retried when the SMTP server cannot be reached', async () => {
    await expect(emailConnector.send!(eventInput({}), contextFor(http, config({ port: 1, to: ['a@example.com'] }), { connection: login }))).rejects.toMatchObject({ kind: 'retryable' });
  });
});
