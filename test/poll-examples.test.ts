// The example flows whose source is polled rather than posted to, which the golden test
// (examples.test.ts) skips. http-poll runs for real: its API is a local server answering
// input.json, its target the recording fake, and what arrives must be expected.json's
// deliveries. schedule cannot wait for its clock: it is deployed and validated, and its
// ticks and request bodies are checked against input.json and expected.json.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeScheduleTicks, tickEvent, type ScheduleConfig } from '../connectors/schedule/schedule.connector.ts';
import { sourceEventToCloudEvent } from '../connectors/spi/source-event.ts';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

interface FlowNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
}
interface Flow {
  id: string;
  nodes: FlowNode[];
}
interface ExpectedDelivery {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}
interface Expected {
  accepted: number;
  deliveries: ExpectedDelivery[];
  requires?: string;
}

const root = path.resolve(import.meta.dirname, '../flows/examples');
const readJson = <T>(example: string, file: string): T => JSON.parse(fs.readFileSync(path.join(root, example, file), 'utf8')) as T;

/**
 * Points every http(s) URL in a config at `base`, keeping the path and query. Only the
 * origin is swapped: parsing with `new URL` would percent-encode `{{placeholders}}`.
 */
function retarget(value: unknown, base: string): unknown {
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return value.replace(/^https?:\/\/[^/?#]*/, base);
  if (Array.isArray(value)) return value.map((v) => retarget(v, base));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retarget(v, base)]));
  return value;
}

function nodeOf(flow: Flow, type: string): FlowNode {
  const node = flow.nodes.find((n) => n.type === type);
  if (!node) throw new Error(`the example ${flow.id} has no ${type} node`);
  return node;
}

interface LocalApi {
  url: string;
  requests: URL[];
  close(): Promise<void>;
}

/** A local stand-in for a polled API: answers every GET with `body` and records the URLs asked for. */
async function startLocalApi(body: unknown): Promise<LocalApi> {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://local'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let fb: TestFlowbridge;
let fake: FakeTarget;

beforeAll(async () => {
  fb = await startTestFlowbridge();
  fake = await startFakeTarget();
});
afterAll(async () => {
  await fake.close();
  await fb.stop();
});

async function createAndDeploy(flow: Flow): Promise<void> {
  const validated = await fb.api('POST', '/flows/validate', flow);
  expect(validated.json.problems).toEqual([]);
  const created = await fb.api('POST', '/flows', flow);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const deployed = await fb.api('POST', `/flows/${flow.id}/deploy`);
  expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
}

describe('the http-poll example', () => {
  const example = 'http-poll-erp-employees';
  let api: LocalApi;

  beforeAll(async () => {
    api = await startLocalApi(readJson(example, 'input.json'));
  });
  afterAll(async () => {
    await api.close();
  });

  it('polls the API and delivers exactly what expected.json lists, and asks the next poll only for newer records', async () => {
    const flow = readJson<Flow>(example, 'flow.json');
    const expected = readJson<Expected>(example, 'expected.json');
    const input = readJson<{ items: { personnelNumber: string; updatedAt: string }[] }>(example, 'input.json');
    const source = nodeOf(flow, 'source.http-poll');
    const cursor = source.config.cursor as { param: string; initial: string };
    const apiPath = new URL(source.config.url as string).pathname;
    source.config.url = retarget(source.config.url, api.url);
    // The shortest interval the source allows, so the test sees a second poll.
    source.config.intervalSeconds = 5;
    for (const node of flow.nodes) if (node.type.startsWith('target.')) node.config = retarget(node.config, fake.url) as Record<string, unknown>;
    fake.received.length = 0;

    await createAndDeploy(flow);

    // Every item is one event (id <item id>@<item time>, source the node's place in the flow); each must be routed and its deliveries finished.
    const eventSource = `/flows/${flow.id}/sources/${source.id}`;
    const ids = input.items.map((item) => `${item.personnelNumber}@${new Date(item.updatedAt).toISOString()}`);
    expect(ids).toHaveLength(expected.accepted);
    for (const id of ids) {
      await eventually(async () => {
        const r = await fb.api('GET', `/buses/default/events/${encodeURIComponent(id)}?source=${encodeURIComponent(eventSource)}`);
        const trace = (r.json?.trace ?? []) as { kind: string; deliveryId?: string; ok?: boolean }[];
        if (!trace.some((t) => t.kind === 'routed')) return undefined;
        const pending = trace.filter((t) => t.kind === 'matched').some((m) => !trace.some((t) => t.deliveryId === m.deliveryId && ((t.kind === 'attempt' && t.ok) || t.kind === 'dead-lettered')));
        return pending ? undefined : true;
      }, 15_000, `event ${id} to be routed and delivered`);
    }

    // The first poll starts from the configured time, with the fixed query parameters.
    const first = api.requests[0]!;
    expect(first.pathname).toBe(apiPath);
    expect(first.searchParams.get(cursor.param)).toBe(cursor.initial);
    for (const [k, v] of Object.entries(source.config.query as Record<string, string>)) expect(first.searchParams.get(k)).toBe(v);

    // The second poll asks for records changed since the newest one seen, and the same answer emits nothing new.
    const newest = input.items.map((i) => new Date(i.updatedAt).toISOString()).sort().at(-1);
    await eventually(async () => (api.requests.length >= 2 ? true : undefined), 20_000, 'a second poll');
    expect(api.requests[1]!.searchParams.get(cursor.param)).toBe(newest);
    // The first poll stored lastCount 3; the second, once stored, 0 new events.
    const state = await eventually(async () => {
      const s = await fb.runtime.redis.hgetall(`${fb.prefix}:poll:${flow.id}:${source.id}`);
      return s.lastCount === '0' ? s : undefined;
    }, 10_000, 'the second poll to be stored');
    expect(state.lastError).toBe('');

    expect(fake.received.map((r) => `${r.method} ${r.path}`).sort()).toEqual(expected.deliveries.map((d) => `${d.method} ${d.path}`).sort());
    for (const want of expected.deliveries) {
      const got = fake.received.find((r) => r.method === want.method && r.path === want.path)!;
      expect(got.json).toEqual(want.body);
      for (const [k, v] of Object.entries(want.headers ?? {})) expect(got.headers[k.toLowerCase()]).toBe(v);
    }
  }, 45_000);
});

describe('the schedule example', () => {
  const example = 'schedule-attendance-report';

  it('deploys, validates without problems, and ticks as input.json says', async () => {
    const flow = readJson<Flow>(example, 'flow.json');
    for (const node of flow.nodes) if (node.type.startsWith('target.')) node.config = retarget(node.config, fake.url) as Record<string, unknown>;
    await createAndDeploy(flow);

    const config = nodeOf(flow, 'source.schedule').config as unknown as ScheduleConfig;
    const input = readJson<{ after: string; ticks: string[] }>(example, 'input.json');
    expect(computeScheduleTicks(config, new Date(input.after), input.ticks.length).map((t) => t.toISOString())).toEqual(input.ticks);
  });

  it('turns each tick into the request expected.json lists', async () => {
    const flow = readJson<Flow>(example, 'flow.json');
    const expected = readJson<Expected>(example, 'expected.json');
    const input = readJson<{ ticks: string[] }>(example, 'input.json');
    const source = nodeOf(flow, 'source.schedule');
    const transform = nodeOf(flow, 'transform');
    const target = nodeOf(flow, 'target.http');
    expect(input.ticks).toHaveLength(expected.accepted);
    expect(expected.deliveries).toHaveLength(input.ticks.length);
    // The event of a tick as the poll runner stores it, rendered by the flow's own transform.
    for (const [i, tick] of input.ticks.entries()) {
      const event = sourceEventToCloudEvent(tickEvent(source.config as unknown as ScheduleConfig, new Date(tick)), `/flows/${flow.id}/sources/${source.id}`);
      const rendered = await fb.api('POST', '/transforms/test', { transform: transform.config, event });
      expect(rendered.status, JSON.stringify(rendered.json)).toBe(200);
      const want = expected.deliveries[i]!;
      expect(rendered.json.output).toEqual(want.body);
      expect(want.method).toBe(target.config.method);
      expect(want.path).toBe(new URL(target.config.url as string).pathname);
    }
  });
});
