// Signature checks per preset. Known-good vectors come from the providers' own documentation
// where it publishes one (GitHub, Slack, Standard Webhooks), otherwise they are computed here
// from the documented algorithm with node:crypto, independently of the code under test.

import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../flows/error-codes.ts';
import { compileWebhookVerifier, verifyWebhook, type WebhookRequest, type WebhookVerdict } from './verify-webhook.ts';
import type { WebhookAuth } from './webhook-auth.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

// Every secret and token used below; no failure message may contain any of them.
const SECRETS: string[] = [];
const secret = (value: string): string => {
  SECRETS.push(value);
  return value;
};

function request(headers: Record<string, string | string[]>, body: string | Buffer, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return { headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), query: new URLSearchParams(), remoteAddress: '203.0.113.9', ...extra };
}

function hmac(algorithm: string, key: string | Buffer, data: string | Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

function expectFailure(verdict: WebhookVerdict, code: ErrorCode, message?: RegExp): void {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) return;
  expect(verdict.code).toBe(code);
  if (message) expect(verdict.message).toMatch(message);
  for (const s of SECRETS) expect(verdict.message).not.toContain(s);
}

describe('GitHub (X-Hub-Signature-256)', () => {
  // The example in GitHub's "Validating webhook deliveries" documentation.
  const docSecret = secret("It's a Secret to Everybody");
  const docSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  const check: WebhookAuth = { kind: 'github', secrets: [docSecret] };

  it("accepts GitHub's documented example", () => {
    expect(verifyWebhook([check], request({ 'x-hub-signature-256': docSignature }, 'Hello, World!'), NOW)).toEqual({ ok: true });
  });

  it('accepts an upper-case hex signature and any header-name case', () => {
    expect(verifyWebhook([check], request({ 'X-Hub-Signature-256': docSignature.toUpperCase().replace('SHA256=', 'sha256=') }, 'Hello, World!'), NOW).ok).toBe(true);
  });

  it('rejects a tampered body', () => {
    expectFailure(verifyWebhook([check], request({ 'x-hub-signature-256': docSignature }, 'Hello, World?'), NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects a signature made with another secret', () => {
    const forged = `sha256=${hmac('sha256', 'wrong secret', 'Hello, World!')}`;
    expectFailure(verifyWebhook([check], request({ 'x-hub-signature-256': forged }, 'Hello, World!'), NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('accepts the old secret while rotating', () => {
    const rotating: WebhookAuth = { kind: 'github', secrets: [secret('the-new-secret'), docSecret] };
    expect(verifyWebhook([rotating], request({ 'x-hub-signature-256': docSignature }, 'Hello, World!'), NOW).ok).toBe(true);
  });

  it('reports a missing header, and says that the SHA-1 header is not enough', () => {
    const sha1 = `sha1=${hmac('sha1', docSecret, 'Hello, World!')}`;
    expectFailure(verifyWebhook([check], request({ 'x-hub-signature': sha1 }, 'Hello, World!'), NOW), 'ERR_INGEST_SIGNATURE_MISSING', /SHA-1 is not accepted/);
  });

  it.each([['757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'], ['sha1=757107ea'], ['sha256=xyz'], ['sha256=' + 'a'.repeat(63)]])('rejects the malformed header %s', (value) => {
    expectFailure(verifyWebhook([check], request({ 'x-hub-signature-256': value }, 'Hello, World!'), NOW), 'ERR_INGEST_SIGNATURE_MALFORMED');
  });
});

describe('Stripe (Stripe-Signature)', () => {
  const key = secret('whsec_stripe_test_0123456789abcdef');
  const body = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}';
  const sign = (t: number, payload = body, withKey = key): string => hmac('sha256', withKey, `${t}.${payload}`);
  const check: WebhookAuth = { kind: 'stripe', secrets: [key] };

  it('accepts t=…,v1=… computed over "t.body" with the secret as is', () => {
    const header = `t=${NOW_S},v1=${sign(NOW_S)}`;
    expect(verifyWebhook([check], request({ 'stripe-signature': header }, body), NOW)).toEqual({ ok: true });
  });

  it('accepts a header with several v1 signatures and a v0 one, as Stripe sends while rolling secrets', () => {
    const header = `t=${NOW_S},v1=${sign(NOW_S, body, 'other')},v1=${sign(NOW_S)},v0=${'0'.repeat(64)}`;
    expect(verifyWebhook([check], request({ 'stripe-signature': header }, body), NOW).ok).toBe(true);
  });

  it('rejects a tampered body', () => {
    const header = `t=${NOW_S},v1=${sign(NOW_S)}`;
    expectFailure(verifyWebhook([check], request({ 'stripe-signature': header }, body.replace('succeeded', 'failed')), NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects a signature whose timestamp was changed after signing', () => {
    const header = `t=${NOW_S + 1},v1=${sign(NOW_S)}`;
    expectFailure(verifyWebhook([check], request({ 'stripe-signature': header }, body), NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects a correctly signed request older than the tolerance', () => {
    const t = NOW_S - 301;
    expectFailure(verifyWebhook([check], request({ 'stripe-signature': `t=${t},v1=${sign(t)}` }, body), NOW), 'ERR_INGEST_SIGNATURE_STALE', /301 seconds old/);
  });

  it('accepts a request exactly at the tolerance, and honours a configured tolerance', () => {
    const t = NOW_S - 300;
    expect(verifyWebhook([check], request({ 'stripe-signature': `t=${t},v1=${sign(t)}` }, body), NOW).ok).toBe(true);
    const strict: WebhookAuth = { kind: 'stripe', secrets: [key], toleranceSeconds: 60 };
    expectFailure(verifyWebhook([strict], request({ 'stripe-signature': `t=${t},v1=${sign(t)}` }, body), NOW), 'ERR_INGEST_SIGNATURE_STALE');
  });

  it('rejects a timestamp too far in the future', () => {
    const t = NOW_S + 600;
    expectFailure(verifyWebhook([check], request({ 'stripe-signature': `t=${t},v1=${sign(t)}` }, body), NOW), 'ERR_INGEST_SIGNATURE_STALE', /in the future/);
  });

  it.each([['v1=abc'], [`t=${NOW_S}`], [`t=abc,v1=${'a'.repeat(64)}`], [`t=1,t=2,v1=${'a'.repeat(64)}`], ['garbage']])('rejects the malformed header %s', (value) => {
    expectFailure(verifyWebhook([check], request({ 'stripe-signature': value }, body), NOW), 'ERR_INGEST_SIGNATURE_MALFORMED');
  });

  it('reports a missing Stripe-Signature', () => {
    expectFailure(verifyWebhook([check], request({}, body), NOW), 'ERR_INGEST_SIGNATURE_MISSING', /stripe-signature/);
  });
});

describe('Slack (X-Slack-Signature v0)', () => {
  // The worked example in Slack's "Verifying requests from Slack" documentation.
  const docSecret = secret('8f742231b10e8888abcd99yyyzzz85a5');
  const docTimestamp = 1531420618;
  const docBody =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const check: WebhookAuth = { kind: 'slack', secrets: [docSecret] };
  const docTime = new Date(docTimestamp * 1000);
  const headers = { 'x-slack-signature': docSignature, 'x-slack-request-timestamp': String(docTimestamp) };

  it("accepts Slack's documented example at its own time", () => {
    expect(verifyWebhook([check], request(headers, docBody), docTime)).toEqual({ ok: true });
  });

  it('rejects the documented example replayed today', () => {
    expectFailure(verifyWebhook([check], request(headers, docBody), NOW), 'ERR_INGEST_SIGNATURE_STALE');
  });

  it('rejects a tampered body', () => {
    expectFailure(verifyWebhook([check], request(headers, docBody.replace('foobar', 'foobaz')), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects another signing secret and accepts a rotated one', () => {
    expectFailure(verifyWebhook([{ kind: 'slack', secrets: [secret('another-signing-secret')] }], request(headers, docBody), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
    expect(verifyWebhook([{ kind: 'slack', secrets: ['another-signing-secret', docSecret] }], request(headers, docBody), docTime).ok).toBe(true);
  });

  it('reports both missing headers by name', () => {
    expectFailure(verifyWebhook([check], request({}, docBody), docTime), 'ERR_INGEST_SIGNATURE_MISSING', /x-slack-signature, x-slack-request-timestamp are missing/);
  });

  it.each([
    [{ 'x-slack-signature': docSignature.slice(3), 'x-slack-request-timestamp': String(docTimestamp) }],
    [{ 'x-slack-signature': docSignature, 'x-slack-request-timestamp': 'yesterday' }],
    [{ 'x-slack-signature': [docSignature, docSignature], 'x-slack-request-timestamp': String(docTimestamp) }],
  ])('rejects malformed headers %j', (bad) => {
    expectFailure(verifyWebhook([check], request(bad, docBody), docTime), 'ERR_INGEST_SIGNATURE_MALFORMED');
  });
});

describe('Standard Webhooks', () => {
  // The reference vector published with the Standard Webhooks specification.
  const docSecret = secret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const docId = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const docTimestamp = 1614265330;
  const docBody = '{"test": 2432232314}';
  const docSignature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const docTime = new Date(docTimestamp * 1000);
  const check: WebhookAuth = { kind: 'standard-webhooks', secrets: [docSecret] };
  const headers = (signature = docSignature, timestamp = docTimestamp, id = docId): Record<string, string> => ({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  });

  it('accepts the reference vector', () => {
    expect(verifyWebhook([check], request(headers(), docBody), docTime)).toEqual({ ok: true });
  });

  it('accepts signatures made by the standardwebhooks package', () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1', amount: 4200 } });
    const signature = new Webhook(docSecret).sign('msg_2', NOW, body);
    expect(verifyWebhook([check], request(headers(signature, NOW_S, 'msg_2'), body), NOW).ok).toBe(true);
  });

  it('verifies a body that is not valid UTF-8 over its exact bytes', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const key = Buffer.from(docSecret.slice('whsec_'.length), 'base64');
    const signature = `v1,${hmac('sha256', key, Buffer.concat([Buffer.from(`msg_3.${NOW_S}.`), body]), 'base64')}`;
    expect(verifyWebhook([check], request(headers(signature, NOW_S, 'msg_3'), body), NOW).ok).toBe(true);
  });

  it('accepts any matching signature of a space-separated list, skipping other versions', () => {
    const list = `v1a,c2lnbmF0dXJl v1,${'A'.repeat(43)}= ${docSignature}`;
    expect(verifyWebhook([check], request(headers(list), docBody), docTime).ok).toBe(true);
  });

  it('accepts a rotated secret', () => {
    const rotating: WebhookAuth = { kind: 'standard-webhooks', secrets: [secret('whsec_bmV3LXNlY3JldC1rZXktYnl0ZXM='), docSecret] };
    expect(verifyWebhook([rotating], request(headers(), docBody), docTime).ok).toBe(true);
  });

  it('rejects a tampered body, a changed id and a changed timestamp', () => {
    expectFailure(verifyWebhook([check], request(headers(), '{"test": 2432232315}'), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
    expectFailure(verifyWebhook([check], request(headers(docSignature, docTimestamp, 'msg_other'), docBody), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
    expectFailure(verifyWebhook([check], request(headers(docSignature, docTimestamp + 1), docBody), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects another secret', () => {
    expectFailure(verifyWebhook([{ kind: 'standard-webhooks', secrets: [secret('whsec_d3Jvbmctc2VjcmV0')] }], request(headers(), docBody), docTime), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('rejects the reference vector five minutes and one second later, and earlier', () => {
    expectFailure(verifyWebhook([check], request(headers(), docBody), new Date((docTimestamp + 301) * 1000)), 'ERR_INGEST_SIGNATURE_STALE');
    expectFailure(verifyWebhook([check], request(headers(), docBody), new Date((docTimestamp - 301) * 1000)), 'ERR_INGEST_SIGNATURE_STALE');
    expect(verifyWebhook([check], request(headers(), docBody), new Date((docTimestamp + 300) * 1000)).ok).toBe(true);
  });

  it('names every missing header', () => {
    expectFailure(verifyWebhook([check], request({ 'webhook-id': docId }, docBody), docTime), 'ERR_INGEST_SIGNATURE_MISSING', /webhook-timestamp, webhook-signature/);
  });

  it.each([
    ['a timestamp in milliseconds with a fraction', { 'webhook-timestamp': '1614265330.5' }],
    ['a signature without version', { 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }],
    ['only asymmetric signatures', { 'webhook-signature': 'v1a,c2lnbmF0dXJl' }],
  ])('rejects %s as malformed', (_name, override) => {
    expectFailure(verifyWebhook([check], request({ ...headers(), ...override }, docBody), docTime), 'ERR_INGEST_SIGNATURE_MALFORMED');
  });
});

describe('generic HMAC', () => {
  const key = secret('generic-hmac-key-123');
  const body = '{"event":"employee.updated","id":7}';

  it.each([
    ['sha1', 'hex'],
    ['sha1', 'base64'],
    ['sha256', 'hex'],
    ['sha256', 'base64'],
    ['sha512', 'hex'],
    ['sha512', 'base64'],
  ] as const)('verifies %s signatures encoded as %s over the body', (algorithm, encoding) => {
    const check: WebhookAuth = { kind: 'hmac', header: 'X-Signature', algorithm, encoding, signed: 'body', secrets: [key] };
    const good = hmac(algorithm, key, body, encoding);
    expect(verifyWebhook([check], request({ 'x-signature': good }, body), NOW)).toEqual({ ok: true });
    expectFailure(verifyWebhook([check], request({ 'x-signature': good }, `${body} `), NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
  });

  it('strips a configured prefix and refuses a value without it', () => {
    const check: WebhookAuth = { kind: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', signed: 'body', secrets: [key] };
    const good = hmac('sha256', key, body);
    expect(verifyWebhook([check], request({ 'x-sig': `sha256=${good}` }, body), NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], request({ 'x-sig': good }, body), NOW), 'ERR_INGEST_SIGNATURE_MALFORMED', /start with/);
  });

  it('signs a template of literal text, a header, a query parameter and the body', () => {
    const check: WebhookAuth = {
      kind: 'hmac',
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'base64',
      signed: { template: 'v2|{header:X-Request-Id}|{query:tenant}|{body}' },
      secrets: [key],
    };
    const good = hmac('sha256', key, `v2|req-9|acme|${body}`, 'base64');
    const req = request({ 'x-sig': good, 'x-request-id': 'req-9' }, body, { query: new URLSearchParams('tenant=acme') });
    expect(verifyWebhook([check], req, NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], { ...req, query: new URLSearchParams('tenant=other') }, NOW), 'ERR_INGEST_SIGNATURE_MISMATCH');
    expectFailure(verifyWebhook([check], { ...req, query: new URLSearchParams() }, NOW), 'ERR_INGEST_SIGNATURE_MISSING', /tenant/);
    expectFailure(verifyWebhook([check], request({ 'x-sig': good }, body, { query: new URLSearchParams('tenant=acme') }), NOW), 'ERR_INGEST_SIGNATURE_MISSING', /x-request-id/);
  });

  it('checks a signed timestamp header against the tolerance', () => {
    const check: WebhookAuth = {
      kind: 'hmac',
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      signed: { template: '{header:X-Timestamp}.{body}' },
      timestamp: { header: 'X-Timestamp', toleranceSeconds: 60 },
      secrets: [key],
    };
    const at = (t: number): WebhookRequest => request({ 'x-sig': hmac('sha256', key, `${t}.${body}`), 'x-timestamp': String(t) }, body);
    expect(verifyWebhook([check], at(NOW_S - 60), NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], at(NOW_S - 61), NOW), 'ERR_INGEST_SIGNATURE_STALE');
    expectFailure(verifyWebhook([check], request({ 'x-sig': 'ab'.repeat(32) }, body), NOW), 'ERR_INGEST_SIGNATURE_MISSING', /x-timestamp/);
  });

  it('decodes hex and base64 secrets when told to', () => {
    const raw = Buffer.from('00ff10ee', 'hex');
    const hexCheck: WebhookAuth = { kind: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', signed: 'body', secretEncoding: 'hex', secrets: ['00ff10ee'] };
    const b64Check: WebhookAuth = { ...hexCheck, secretEncoding: 'base64', secrets: [raw.toString('base64')] };
    const good = hmac('sha256', raw, body);
    expect(verifyWebhook([hexCheck], request({ 'x-sig': good }, body), NOW).ok).toBe(true);
    expect(verifyWebhook([b64Check], request({ 'x-sig': good }, body), NOW).ok).toBe(true);
  });

  it('rejects a signature of the wrong length or encoding as malformed', () => {
    const check: WebhookAuth = { kind: 'hmac', header: 'X-Sig', algorithm: 'sha512', encoding: 'hex', signed: 'body', secrets: [key] };
    expectFailure(verifyWebhook([check], request({ 'x-sig': hmac('sha256', key, body) }, body), NOW), 'ERR_INGEST_SIGNATURE_MALFORMED', /64 bytes/);
    expectFailure(verifyWebhook([check], request({ 'x-sig': 'not hex' }, body), NOW), 'ERR_INGEST_SIGNATURE_MALFORMED');
  });
});

describe('shared token', () => {
  const token = secret('tok_9c2f0d4b7e1a4c3d8e5f');
  const old = secret('tok_old_0000000000000000');

  it('accepts the token in a header and any rotated token, and refuses others', () => {
    const check: WebhookAuth = { kind: 'token', in: 'header', name: 'X-Gitlab-Token', tokens: [token, old] };
    expect(verifyWebhook([check], request({ 'x-gitlab-token': token }, ''), NOW).ok).toBe(true);
    expect(verifyWebhook([check], request({ 'x-gitlab-token': old }, ''), NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], request({ 'x-gitlab-token': `${token}x` }, ''), NOW), 'ERR_INGEST_TOKEN', /does not match/);
    expectFailure(verifyWebhook([check], request({ 'x-gitlab-token': token.slice(0, -1) }, ''), NOW), 'ERR_INGEST_TOKEN');
    expectFailure(verifyWebhook([check], request({}, ''), NOW), 'ERR_INGEST_TOKEN', /missing/);
  });

  it('requires the configured prefix, such as Bearer', () => {
    const check: WebhookAuth = { kind: 'token', in: 'header', name: 'Authorization', prefix: 'Bearer ', tokens: [token] };
    expect(verifyWebhook([check], request({ authorization: `Bearer ${token}` }, ''), NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], request({ authorization: token }, ''), NOW), 'ERR_INGEST_TOKEN');
  });

  it('reads the token from a query parameter and refuses it twice', () => {
    const check: WebhookAuth = { kind: 'token', in: 'query', name: 'key', tokens: [token] };
    expect(verifyWebhook([check], request({}, '', { query: new URLSearchParams({ key: token }) }), NOW).ok).toBe(true);
    expectFailure(verifyWebhook([check], request({}, '', { query: new URLSearchParams(`key=${token}&key=${token}`) }), NOW), 'ERR_INGEST_TOKEN', /more than once/);
    expectFailure(verifyWebhook([check], request({ key: token }, ''), NOW), 'ERR_INGEST_TOKEN', /missing/);
  });
});

describe('IP allow-list', () => {
  const check: WebhookAuth = { kind: 'ip-allow', cidrs: ['192.30.252.0/22', '2a0a:a440::/29', '198.51.100.7'] };

  it.each([
    ['an IPv4 address in a block', '192.30.253.1'],
    ['the IPv4-mapped IPv6 form a dual-stack socket reports', '::ffff:192.30.255.254'],
    ['an IPv6 address in a block', '2a0a:a447:1::5'],
    ['a single listed host', '198.51.100.7'],
  ])('lets through %s', (_name, remoteAddress) => {
    expect(verifyWebhook([check], request({}, '', { remoteAddress }), NOW)).toEqual({ ok: true });
  });

  it.each([
    ['an address outside every block', '192.30.256.1'.replace('256', '248')],
    ['a neighbouring host', '198.51.100.8'],
    ['an IPv6 address outside the block', '2a0a:a448::1'],
    ['an unknown address', undefined],
    ['text that is not an address', 'localhost'],
  ])('refuses %s', (_name, remoteAddress) => {
    expectFailure(verifyWebhook([check], request({}, '', { remoteAddress }), NOW), 'ERR_INGEST_IP_DENIED');
  });
});

describe('several checks', () => {
  const key = secret('combined-secret');
  const body = 'payload';
  const checks: WebhookAuth[] = [
    { kind: 'github', secrets: [key] },
    { kind: 'ip-allow', cidrs: ['10.0.0.0/8'] },
  ];
  const signed = { 'x-hub-signature-256': `sha256=${hmac('sha256', key, body)}` };

  it('passes only when every check passes', () => {
    expect(verifyWebhook(checks, request(signed, body, { remoteAddress: '10.1.2.3' }), NOW).ok).toBe(true);
  });

  it('reports the failed check with its kind and its index in the configuration', () => {
    const verdict = verifyWebhook(checks, request({}, body, { remoteAddress: '10.1.2.3' }), NOW);
    expect(verdict).toMatchObject({ ok: false, check: 'github', index: 0, code: 'ERR_INGEST_SIGNATURE_MISSING' });
  });

  it('checks the sender address before computing any signature', () => {
    const verdict = verifyWebhook(checks, request({}, body, { remoteAddress: '203.0.113.1' }), NOW);
    expect(verdict).toMatchObject({ ok: false, check: 'ip-allow', index: 1, code: 'ERR_INGEST_IP_DENIED' });
  });

  it('passes an empty list of checks', () => {
    expect(verifyWebhook([], request({}, body), NOW)).toEqual({ ok: true });
  });
});

describe('misconfigured checks', () => {
  it.each([
    ['a Standard Webhooks secret that is not base64', { kind: 'standard-webhooks', secrets: ['whsec_not base64!'] }],
    ['a CIDR block that does not parse', { kind: 'ip-allow', cidrs: ['10.0.0.0/33'] }],
    ['a template that does not sign the body', { kind: 'hmac', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex', signed: { template: '{header:X-Id}' }, secrets: ['k'] }],
    ['an empty secret list', { kind: 'github', secrets: [] }],
    ['an unknown kind', { kind: 'basic-auth', secrets: ['k'] }],
  ])('fail closed with ERR_INGEST_AUTH_CONFIG: %s', (_name, check) => {
    const verdict = verifyWebhook([check as WebhookAuth], request({}, ''), NOW);
    expect(verdict).toMatchObject({ ok: false, code: 'ERR_INGEST_AUTH_CONFIG', index: 0 });
  });

  it('refuses to compile unusable checks, listing each problem with its path', () => {
    expect(() => compileWebhookVerifier([{ kind: 'github', secrets: ['ok'] }, { kind: 'ip-allow', cidrs: ['10.0.0.1', 'nope'] }])).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', details: [expect.objectContaining({ path: '[1].cidrs[1]' })] }),
    );
  });

  it('never puts a configured secret into a configuration message', () => {
    const leaked = secret('whsec_%%%secret-that-must-not-leak%%%');
    const verdict = verifyWebhook([{ kind: 'standard-webhooks', secrets: [leaked] }], request({}, ''), NOW);
    expectFailure(verdict, 'ERR_INGEST_AUTH_CONFIG');
  });
});
