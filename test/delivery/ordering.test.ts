// Ordered delivery per key: events with the same ordering key arrive in order, one at a
// time; a failing one holds back only its own key; different keys go in parallel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestFlowbridge, type TestFlowbridge } from '../support/flowbridge.ts';
import { deployFlow, sendEvent, webhookFlow } from './support/flows.ts';
import { startReceiver, type Received, type Receiver } from './support/receiver.ts';

let fb: TestFlowbridge;
let receiver: Receiver;

beforeAll(async () => {
  fb = await startTestFlowbridge();
  receiver = await startReceiver();
});
afterAll(async () => {
  await fb.stop();
  await receiver.close();
});

interface Body {
  n: string;
  key: string;
  seq: number;
}
const body = (r: Received) => r.json as Body;
const at = (path: string) => receiver.requests.filter((r) => r.path === path);
/** The sequence numbers of each key, in the order the target accepted them (200s). */
function acceptedOrder(path: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of at(path).filter((x) => x.status === 200).sort((a, b) => a.answeredAt! - b.answeredAt!)) {
    const list = out.get(body(r).key) ?? [];
    list.push(body(r).seq);
    out.set(body(r).key, list);
  }
  return out;
}

const TRANSFORM = "{ 'n': data.n, 'key': data.employeeId, 'seq': data.seq }";

function orderedFlow(id: string, path: string, extra: Record<string, unknown> = {}) {
  return webhookFlow(id, [{ url: `${receiver.url}${path}`, delivery: { orderingKey: '$.data.employeeId', ...extra } }], { transform: TRANSFORM });
}

async function sendInOrder(sourceId: string, keys: string[], perKey: number): Promise<void> {
  for (let seq = 0; seq < perKey; seq++) {
    // Keys interleave; within a key, events are accepted in sequence order.
    await Promise.all(keys.map((key) => sendEvent(fb, sourceId, `${sourceId}-${key}-${seq}`, { employeeId: key, seq })));
  }
}

describe('ordered delivery', () => {
  it('delivers each key\'s events in order and one at a time, while different keys go in parallel', async () => {
    receiver.setScript((r) => ({ status: 200, delayMs: 5 + (body(r).seq % 4) * 10 }));
    await deployFlow(fb, orderedFlow('ordered', '/ordered'));
    const keys = Array.from({ length: 10 }, (_, i) => `E${i}`);
    await sendInOrder('ordered', keys, 15);
    await receiver.until(() => at('/ordered').filter((r) => r.status === 200).length >= 150, 30_000);
    for (const key of keys) expect(acceptedOrder('/ordered').get(key), key).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(receiver.peakPerKey((r) => `${r.path}|${body(r)?.key}`)).toBe(1);
    // Different keys overlapped.
    const all = at('/ordered');
    const overlapping = all.some((a) => all.some((b) => body(a).key !== body(b).key && b.at < a.answeredAt! && a.at < b.answeredAt!));
    expect(overlapping).toBe(true);
    // The trace says how many deliveries of its key an event waited behind.
    const event = await fb.api('GET', `/buses/default/events/${encodeURIComponent('ordered-E1-3')}?source=${encodeURIComponent('/webhooks/ordered')}`);
    expect(event.json.trace.find((t: { kind: string }) => t.kind === 'matched').ordering).toMatchObject({ key: 'E1' });
  }, 60_000);

  it('holds back only the key of an event that keeps failing, and delivers it before the later events of its key', async () => {
    let failures = 0;
    receiver.setScript((r) => (body(r).key === 'slow' && body(r).seq === 0 && failures++ < 4 ? { status: 503 } : { status: 200 }));
    await deployFlow(fb, orderedFlow('held', '/held', { backoffBaseMs: 200, backoffMaxMs: 400 }));
    await sendInOrder('held', ['slow', 'fast'], 5);
    await receiver.until(() => at('/held').filter((r) => r.status === 200).length >= 10, 30_000);
    expect(acceptedOrder('/held').get('slow')).toEqual([0, 1, 2, 3, 4]);
    expect(acceptedOrder('/held').get('fast')).toEqual([0, 1, 2, 3, 4]);
    const slowFirstOk = at('/held').find((r) => body(r).key === 'slow' && r.status === 200)!;
    const fastDone = at('/held').filter((r) => body(r).key === 'fast' && r.status === 200);
    // The other key did not wait for the failing one.
    expect(Math.max(...fastDone.map((r) => r.answeredAt!))).toBeLessThan(slowFirstOk.at);
    // Nothing of the held key was sent while its first event was failing.
    const slowRequests = at('/held').filter((r) => body(r).key === 'slow');
    expect(slowRequests.slice(0, 5).map((r) => body(r).seq)).toEqual([0, 0, 0, 0, 0]);
  }, 60_000);

  it('moves on to the next event of a key once the one before it is dead-lettered', async () => {
    receiver.setScript((r) => (body(r).key === 'bad' && body(r).seq === 1 ? { status: 400, body: 'rejected' } : { status: 200 }));
    await deployFlow(fb, orderedFlow('dl-order', '/dl-order'));
    await sendInOrder('dl-order', ['bad'], 4);
    await receiver.until(() => at('/dl-order').filter((r) => r.status !== undefined).length >= 4, 20_000);
    expect(at('/dl-order').map((r) => body(r).seq)).toEqual([0, 1, 2, 3]);
    const dl = await eventually(async () => (await fb.api('GET', '/dead-letters?flowId=dl-order')).json.items[0]);
    expect(dl.delivery.ordering).toMatchObject({ key: 'bad' });

    // A redrive joins the end of its key's queue.
    receiver.setScript(() => ({ status: 200 }));
    const r = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl.id)}/redrive`);
    expect(r.status).toBe(202);
    await receiver.until(() => at('/dl-order').length >= 5);
    expect(body(at('/dl-order')[4]!).seq).toBe(1);
    expect(at('/dl-order')[4]!.headers['idempotency-key']).toBe(at('/dl-order')[1]!.headers['idempotency-key']);
  }, 60_000);

  it('delivers events without a value for the ordering key without holding anything back', async () => {
    receiver.setScript(() => ({ status: 200 }));
    await deployFlow(fb, orderedFlow('no-key', '/no-key'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => sendEvent(fb, 'no-key', `nk-${i}`, { seq: i })));
    await receiver.until(() => at('/no-key').length >= 10);
    expect(at('/no-key')).toHaveLength(10);
  });
});
