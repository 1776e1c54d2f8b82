// Dead letters: what they keep, the list with filters and paging, redrive one (as is or
// with an edited body) and in bulk with progress, delete one and by filter, retention per
// bus, and the alert CloudEvent a flow can ask for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestFlowbridge, type TestFlowbridge } from '../support/flowbridge.ts';
import { deployFlow, sendEvent, webhookFlow } from './support/flows.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let fb: TestFlowbridge;
let receiver: Receiver;
/** Paths that answer 400 until the test says otherwise. */
const rejecting = new Set<string>();

beforeAll(async () => {
  fb = await startTestFlowbridge();
  receiver = await startReceiver((r) => (rejecting.has(r.path) ? { status: 400, body: `{"error":"missing costCenter","path":"${r.path}"}` } : { status: 200 }));
});
afterAll(async () => {
  await fb.stop();
  await receiver.close();
});

const at = (path: string) => receiver.requests.filter((r) => r.path === path);

interface DL {
  id: string;
  reason: string;
  targetId: string;
  createdAt: string;
  lastError: { kind: string; status?: number };
  attempts: { attempt: number; at: string; status?: number; durationMs: number; responseExcerpt?: string; errorKind?: string }[];
  delivery: { flowId: string; flowVersion: number; ruleId: string; ruleName: string; event: { id: string }; target: { name: string } };
}

async function deadLetters(query: string, n: number): Promise<DL[]> {
  return await eventually(async () => {
    const items = (await fb.api('GET', `/dead-letters?${query}`)).json.items as DL[];
    return items.length >= n ? items : undefined;
  }, 20_000, `${n} dead letters for ${query}`);
}

async function rejectAll(flowId: string, path: string, count: number, prefix = flowId): Promise<void> {
  rejecting.add(path);
  await deployFlow(fb, webhookFlow(flowId, [{ url: `${receiver.url}${path}` }], { transform: "{ 'n': data.n, 'v': 1 }" }));
  for (let i = 0; i < count; i++) await sendEvent(fb, flowId, `${prefix}-${i}`);
}

describe('dead letters', () => {
  it('keeps the event, flow and version, rule, target, every attempt and why delivery stopped', async () => {
    await rejectAll('dl-shape', '/shape', 1);
    const [dl] = await deadLetters('flowId=dl-shape', 1);
    expect(dl).toMatchObject({ reason: 'permanent-failure', targetId: 'dl-shape.out', lastError: { kind: 'permanent', status: 400 } });
    expect(dl!.delivery).toMatchObject({ flowId: 'dl-shape', flowVersion: 1, event: { id: 'dl-shape-0' }, target: { name: 'out' } });
    expect(dl!.delivery.ruleId).toMatch(/^dl-shape\./);
    expect(dl!.attempts).toHaveLength(1);
    expect(dl!.attempts[0]).toMatchObject({ attempt: 1, status: 400, errorKind: 'permanent' });
    expect(dl!.attempts[0]!.responseExcerpt).toContain('missing costCenter');
    expect(Date.parse(dl!.attempts[0]!.at)).toBeGreaterThan(0);
    expect(dl!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(0);
    const one = await fb.api('GET', `/dead-letters/${encodeURIComponent(dl!.id)}`);
    expect(one.json.id).toBe(dl!.id);
  });

  it('lists with filters by flow, target, error class, reason and time, newest first, in pages', async () => {
    await rejectAll('dl-list', '/list', 7);
    const all = await deadLetters('flowId=dl-list', 7);
    // Every one, newest first (unordered deliveries may fail in any order: the list follows the dead letters' times).
    expect(all.map((d) => d.delivery.event.id).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `dl-list-${i}`));
    expect(all.map((d) => d.createdAt)).toEqual(all.map((d) => d.createdAt).sort().reverse());
    expect((await fb.api('GET', '/dead-letters?targetId=dl-list.out')).json.items).toHaveLength(7);
    expect((await fb.api('GET', '/dead-letters?flowId=dl-list&errorKind=permanent&reason=permanent-failure')).json.items).toHaveLength(7);
    expect((await fb.api('GET', '/dead-letters?flowId=dl-list&errorKind=auth')).json.items).toHaveLength(0);
    expect((await fb.api('GET', '/dead-letters?flowId=dl-list&reason=attempts-exhausted')).json.items).toHaveLength(0);
    const middle = all[3]!.createdAt;
    const since = (await fb.api('GET', `/dead-letters?flowId=dl-list&since=${encodeURIComponent(middle)}`)).json.items as DL[];
    expect(since.every((d) => d.createdAt >= middle)).toBe(true);
    expect(since.length).toBeGreaterThanOrEqual(4);
    const until = (await fb.api('GET', `/dead-letters?flowId=dl-list&until=${encodeURIComponent(middle)}`)).json.items as DL[];
    expect(until.every((d) => d.createdAt <= middle)).toBe(true);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await fb.api('GET', `/dead-letters?flowId=dl-list&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json as { items: DL[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.id));

    const bad = await fb.api('GET', '/dead-letters?errorKind=mystery');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('ERR_VALIDATION');
  });

  it('redrives one with an edited body, keeping its idempotency key', async () => {
    await rejectAll('dl-edit', '/edit', 1);
    const [dl] = await deadLetters('flowId=dl-edit', 1);
    rejecting.delete('/edit');
    const r = await fb.api('POST', `/dead-letters/${encodeURIComponent(dl!.id)}/redrive`, { body: { n: 'dl-edit-0', v: 2, costCenter: 'CC-1' } });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ deadLetterId: dl!.id, editedBody: true });
    await receiver.until(() => at('/edit').length === 2);
    expect(at('/edit')[1]!.json).toEqual({ n: 'dl-edit-0', v: 2, costCenter: 'CC-1' });
    expect(at('/edit')[1]!.headers['idempotency-key']).toBe(at('/edit')[0]!.headers['idempotency-key']);
    expect((await fb.api('GET', `/dead-letters/${encodeURIComponent(dl!.id)}`)).status).toBe(404);
  });

  it('redrives every dead letter a filter selects as one bulk job whose progress can be followed', async () => {
    await rejectAll('dl-bulk', '/bulk', 30);
    await deadLetters('flowId=dl-bulk', 30);
    rejecting.delete('/bulk');
    const started = await fb.api('POST', '/dead-letters/redrives', { filter: { flowId: 'dl-bulk', reason: 'permanent-failure' } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ status: 'running', total: 30 });
    const id = started.json.id as string;
    const done = await eventually(async () => {
      const s = (await fb.api('GET', `/dead-letters/redrives/${id}`)).json;
      return s.status === 'done' ? s : undefined;
    }, 20_000, 'the bulk redrive to finish');
    expect(done).toMatchObject({ total: 30, redriven: 30, failed: 0, skipped: 0 });
    await receiver.until(() => at('/bulk').filter((r) => r.status === 200).length === 30);
    // Each redrive carries the idempotency key of its first attempt.
    for (const ok of at('/bulk').filter((r) => r.status === 200)) {
      const first = at('/bulk').find((r) => r.status === 400 && (r.json as { n: string }).n === (ok.json as { n: string }).n)!;
      expect(ok.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
    }
    expect((await fb.api('GET', '/dead-letters?flowId=dl-bulk')).json.items).toHaveLength(0);
    expect((await fb.api('GET', '/dead-letters/redrives')).json.items.map((b: { id: string }) => b.id)).toContain(id);
    expect((await fb.api('GET', '/dead-letters/redrives/rd-nope')).status).toBe(404);
  });

  it('deletes one, and every one a filter selects; refuses a delete without a filter', async () => {
    await rejectAll('dl-del', '/del', 5);
    const items = await deadLetters('flowId=dl-del', 5);
    expect((await fb.api('DELETE', `/dead-letters/${encodeURIComponent(items[0]!.id)}`)).status).toBe(204);
    expect((await fb.api('DELETE', `/dead-letters/${encodeURIComponent(items[0]!.id)}`)).status).toBe(404);
    const refused = await fb.api('DELETE', '/dead-letters');
    expect(refused.status).toBe(400);
    const deleted = await fb.api('DELETE', '/dead-letters?flowId=dl-del&errorKind=permanent');
    expect(deleted.json).toEqual({ deleted: 4 });
    expect((await fb.api('GET', '/dead-letters?flowId=dl-del')).json.items).toHaveLength(0);
  });

  it('keeps at most the retention count of a bus, dropping the oldest', async () => {
    expect((await fb.api('POST', '/buses', { name: 'kept' })).status).toBe(201);
    rejecting.add('/kept');
    const doc = { ...webhookFlow('dl-kept', [{ url: `${receiver.url}/kept` }]), bus: 'kept' };
    await deployFlow(fb, doc);
    for (let i = 0; i < 6; i++) await sendEvent(fb, 'dl-kept', `kept-${i}`);
    // Newest first; unordered deliveries may fail in any order, so "oldest" is by the dead letters' times.
    const before = await deadLetters('bus=kept', 6);
    const set = await fb.api('PUT', '/dead-letters/retention/kept', { maxCount: 2 });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ maxCount: 2 });
    const left = (await fb.api('GET', '/dead-letters?bus=kept')).json.items as DL[];
    expect(left.map((d) => d.id)).toEqual(before.slice(0, 2).map((d) => d.id));
    expect((await fb.api('GET', '/dead-letters/retention')).json.buses.kept).toMatchObject({ maxCount: 2 });
    expect((await fb.api('PUT', '/dead-letters/retention/nope', { maxCount: 2 })).status).toBe(404);
    expect((await fb.api('PUT', '/dead-letters/retention/kept', { maxAgeSeconds: 5 })).status).toBe(400);
  });

  it('sends a flowbridge.deadletter.created CloudEvent to the flow\'s alert target for each new dead letter', async () => {
    rejecting.add('/alerted');
    const doc = webhookFlow('dl-alert', [{ url: `${receiver.url}/alerted`, delivery: { deadLetterAlert: { type: 'target.http', config: { url: `${receiver.url}/alerts` } } } }]);
    await deployFlow(fb, doc);
    await sendEvent(fb, 'dl-alert', 'al-1');
    await sendEvent(fb, 'dl-alert', 'al-2');
    await receiver.until(() => at('/alerts').length >= 2);
    const [dl] = await deadLetters('flowId=dl-alert', 1);
    const alert = at('/alerts').find((r) => (r.json as { subject: string }).subject === dl!.id)!;
    expect(alert.json).toMatchObject({
      specversion: '1.0',
      type: 'flowbridge.deadletter.created',
      source: '/flowbridge/buses/default/flows/dl-alert',
      data: { deadLetterId: dl!.id, reason: 'permanent-failure', flowId: 'dl-alert', targetId: 'dl-alert.out', lastError: { status: 400 } },
    });
    expect(alert.headers['idempotency-key']).toBeTruthy();
    expect(at('/alerts')).toHaveLength(2);
  });
});
