// The delivery policy as compiled: presets and their precedence, the backoff shapes, and
// the Standard Webhooks signature as receivers check it. Pure functions, no Redis.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_POLICY } from '../../flows/flow-document.ts';
import { resolveDeliveryPolicy } from '../../flows/flow.compiler.ts';
import { computeBackoff } from '../../server/delivery/delivery-job.ts';
import { outboundCloudEvent, signStandardWebhook } from '../../server/delivery/outbound.ts';

describe('delivery policy presets', () => {
  it.each([
    ['BACKOFF_RETRY', { maxAttempts: 3, backoff: 'fixed', backoffBaseMs: 10_000, backoffMaxMs: 20_000 }],
    ['EXPONENTIAL_DECAY_RETRY', { maxAttempts: 176, backoff: 'exponential', jitter: 'none', backoffBaseMs: 1000, backoffMaxMs: 512_000, maxEventAgeSeconds: 86_400 }],
    ['AWS_DEFAULT', { maxAttempts: 185, backoff: 'exponential', jitter: 'full', maxEventAgeSeconds: 86_400 }],
  ] as const)('%s sets its values', (preset, values) => {
    expect(resolveDeliveryPolicy(undefined, { preset })).toMatchObject({ ...values, timeoutMs: 30_000 });
  });

  it('lets fields beside a preset win, and a target\'s preset win over the flow\'s fields', () => {
    expect(resolveDeliveryPolicy({ preset: 'BACKOFF_RETRY', maxAttempts: 5 })).toMatchObject({ maxAttempts: 5, backoff: 'fixed' });
    expect(resolveDeliveryPolicy({ maxAttempts: 5, timeoutMs: 1000 }, { preset: 'AWS_DEFAULT' })).toMatchObject({ maxAttempts: 185, timeoutMs: 1000 });
    expect(resolveDeliveryPolicy({ preset: 'AWS_DEFAULT' }, { maxAttempts: 2 })).toMatchObject({ maxAttempts: 2, maxEventAgeSeconds: 86_400 });
  });

  it('keeps the built-in defaults when nothing is set', () => {
    expect(resolveDeliveryPolicy()).toEqual(DEFAULT_DELIVERY_POLICY);
  });
});

describe('backoff shapes', () => {
  it('doubles from 1 s to 512 s without jitter for EXPONENTIAL_DECAY_RETRY', () => {
    const policy = resolveDeliveryPolicy(undefined, { preset: 'EXPONENTIAL_DECAY_RETRY' });
    expect([1, 2, 3, 9, 10, 175].map((n) => computeBackoff(n, policy))).toEqual([1000, 2000, 4000, 256_000, 512_000, 512_000]);
  });

  it('draws a fixed backoff between base and max (BACKOFF_RETRY: 10–20 s)', () => {
    const policy = resolveDeliveryPolicy(undefined, { preset: 'BACKOFF_RETRY' });
    expect(computeBackoff(1, policy, undefined, () => 0)).toBe(10_000);
    expect(computeBackoff(2, policy, undefined, () => 0.5)).toBe(15_000);
    expect(computeBackoff(3, policy, undefined, () => 1 - Number.EPSILON)).toBe(19_999);
  });

  it('lets Retry-After win over a fixed backoff, capped at the max', () => {
    const policy = resolveDeliveryPolicy(undefined, { preset: 'BACKOFF_RETRY' });
    expect(computeBackoff(1, policy, 3000)).toBe(3000);
    expect(computeBackoff(1, policy, 3_600_000)).toBe(20_000);
  });
});

describe('outbound shape', () => {
  it('signs id, timestamp and body as Standard Webhooks define it', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const headers = signStandardWebhook(Buffer.from(secret.slice(6), 'base64'), 'msg_1', '{"a":1}');
    expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });

  it('puts the transform output into the CloudEvent as data, replacing binary data', () => {
    const event = { specversion: '1.0', id: '1', source: '/s', type: 't', data_base64: 'AAE=', datacontenttype: 'application/octet-stream' };
    expect(outboundCloudEvent({ event, body: 'hello', output: 'text', transformed: true })).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't', data: 'hello', datacontenttype: 'text/plain; charset=utf-8' });
    expect(outboundCloudEvent({ event, body: event, output: 'json', transformed: false })).toEqual(event);
  });
});
