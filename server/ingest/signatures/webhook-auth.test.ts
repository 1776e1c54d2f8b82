import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileSignedTemplate, validateWebhookAuth, WEBHOOK_AUTH_SCHEMA, type WebhookAuth } from './webhook-auth.ts';

const VALID: WebhookAuth[] = [
  { kind: 'standard-webhooks', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], toleranceSeconds: 600 },
  { kind: 'github', secrets: ['s1', 's2'] },
  { kind: 'stripe', secrets: ['whsec_abc'] },
  { kind: 'slack', secrets: ['8f742231b10e8888abcd99yyyzzz85a5'], toleranceSeconds: 300 },
  {
    kind: 'hmac',
    header: 'X-Signature',
    algorithm: 'sha512',
    encoding: 'base64',
    prefix: 'sha512=',
    signed: { template: '{header:X-Timestamp}.{body}' },
    timestamp: { header: 'X-Timestamp', toleranceSeconds: 120 },
    secretEncoding: 'hex',
    secrets: ['00ff'],
  },
  { kind: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', signed: 'body', secrets: ['k'] },
  { kind: 'token', in: 'header', name: 'Authorization', prefix: 'Bearer ', tokens: ['t'] },
  { kind: 'token', in: 'query', name: 'key', tokens: ['t'] },
  { kind: 'ip-allow', cidrs: ['10.0.0.0/8', '2001:db8::/32', '::ffff:192.0.2.1'] },
];

describe('WEBHOOK_AUTH_SCHEMA', () => {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(WEBHOOK_AUTH_SCHEMA);

  it('compiles as a draft-07 schema under ajv strict mode', () => {
    expect(WEBHOOK_AUTH_SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof validate).toBe('function');
  });

  it.each(VALID.map((check) => [check.kind, check] as const))('accepts a complete %s check', (_kind, check) => {
    expect(validate(check), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown kind', { kind: 'basic', secrets: ['x'] }],
    ['a missing secret list', { kind: 'github' }],
    ['an empty secret list', { kind: 'github', secrets: [] }],
    ['an unknown property', { kind: 'github', secrets: ['x'], algorithm: 'sha1' }],
    ['a Standard Webhooks secret that is not base64', { kind: 'standard-webhooks', secrets: ['whsec_$$$$$$$$'] }],
    ['a tolerance of zero', { kind: 'stripe', secrets: ['x'], toleranceSeconds: 0 }],
    ['an unsupported algorithm', { kind: 'hmac', header: 'X', algorithm: 'md5', encoding: 'hex', signed: 'body', secrets: ['k'] }],
    ['a signed value other than body or a template', { kind: 'hmac', header: 'X', algorithm: 'sha256', encoding: 'hex', signed: 'headers', secrets: ['k'] }],
    ['a header name with a space', { kind: 'hmac', header: 'X Sig', algorithm: 'sha256', encoding: 'hex', signed: 'body', secrets: ['k'] }],
    ['a token location other than header or query', { kind: 'token', in: 'cookie', name: 'a', tokens: ['t'] }],
    ['an empty allow-list', { kind: 'ip-allow', cidrs: [] }],
  ])('rejects %s', (_name, check) => {
    expect(validate(check)).toBe(false);
  });

  it('marks every secret field writeOnly, so the API and editor never echo it', () => {
    const secretFields = WEBHOOK_AUTH_SCHEMA.oneOf.flatMap((branch) =>
      Object.entries(branch.properties as Record<string, { writeOnly?: boolean }>)
        .filter(([name]) => name === 'secrets' || name === 'tokens')
        .map(([, field]) => field.writeOnly),
    );
    expect(secretFields).toHaveLength(6);
    expect(secretFields.every((writeOnly) => writeOnly === true)).toBe(true);
  });

  it('gives every kind a title for the editor form', () => {
    expect(WEBHOOK_AUTH_SCHEMA.oneOf.map((branch) => branch.title)).toEqual([
      'Standard Webhooks',
      'GitHub',
      'Stripe',
      'Slack',
      'Generic HMAC',
      'Shared token',
      'IP allow-list',
    ]);
  });
});

describe('validateWebhookAuth', () => {
  it('finds no problem in usable checks', () => {
    expect(validateWebhookAuth(VALID)).toEqual([]);
  });

  it('reports schema problems of the check kind with their path', () => {
    expect(validateWebhookAuth([{ kind: 'github', secrets: ['ok'] }, { kind: 'stripe', secrets: [''], extra: 1 }])).toEqual([
      expect.objectContaining({ code: 'ERR_VALIDATION', path: '[1]', message: 'has the unknown property "extra"' }),
      expect.objectContaining({ path: '[1].secrets[0]' }),
    ]);
  });

  it('reports an unknown kind and a list that is not a list', () => {
    expect(validateWebhookAuth([{ kind: 'nope' }])).toEqual([expect.objectContaining({ path: '[0].kind' })]);
    expect(validateWebhookAuth({ kind: 'github' })).toEqual([expect.objectContaining({ path: '', message: 'must be a list of checks' })]);
  });

  it.each([
    ['a CIDR block that does not parse', { kind: 'ip-allow', cidrs: ['10.0.0.0/40'] }, '[0].cidrs[0]'],
    ['a hex secret that is not hex', { kind: 'hmac', header: 'X', algorithm: 'sha256', encoding: 'hex', signed: 'body', secretEncoding: 'hex', secrets: ['xyz'] }, '[0].secrets[0]'],
    ['a template without {body}', { kind: 'hmac', header: 'X', algorithm: 'sha256', encoding: 'hex', signed: { template: '{header:X-Id}.' }, secrets: ['k'] }, '[0].signed.template'],
    ['a template with an unknown placeholder', { kind: 'hmac', header: 'X', algorithm: 'sha256', encoding: 'hex', signed: { template: '{method}.{body}' }, secrets: ['k'] }, '[0].signed.template'],
  ])('reports %s', (_name, check, path) => {
    expect(validateWebhookAuth([check])).toEqual([expect.objectContaining({ code: 'ERR_VALIDATION', path })]);
  });
});

describe('compileSignedTemplate', () => {
  it('splits a template into text, header, query and body parts', () => {
    const { parts, problem } = compileSignedTemplate('v0:{header:X-Ts}:{query:t}:{body}!');
    expect(problem).toBeUndefined();
    expect(parts.map((p) => ('text' in p ? `text:${p.text.toString()}` : JSON.stringify(p)))).toEqual([
      'text:v0:',
      '{"header":"x-ts"}',
      'text::',
      '{"query":"t"}',
      'text::',
      '{"body":true}',
      'text:!',
    ]);
  });

  it('refuses unbalanced braces', () => {
    expect(compileSignedTemplate('{body}}').problem).toMatch(/unbalanced/);
    expect(compileSignedTemplate('{{body}').problem).toBeDefined();
  });
});
