// The golden test: every example flow in flows/examples/<name>/ is deployed as is (its
// HTTP targets pointed at a recording fake), fed its input.json, and must produce exactly
// the deliveries in expected.json — no more, no fewer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { eventually, startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

interface ExampleInput {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}
interface ExpectedDelivery {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Deliveries with the same key must arrive in the order expected.json lists them. */
  key?: string;
}
interface Expected {
  accepted: number;
  duplicates?: number;
  deliveries: ExpectedDelivery[];
  /** Examples that need more than an HTTP fake declare it and are checked by their own tests. */
  requires?: string;
}

const root = path.resolve(import.meta.dirname, '../flows/examples');
const examples = fs
  .readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'expected.json')))
  .map((d) => d.name)
  .sort();

/** Points every http(s) URL in target configs at the fake, keeping the path and query. */
function retarget(value: unknown, base: string): unknown {
  // Only the scheme and host change; a URL parser would percent-encode {{placeholders}} in the path.
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return value.replace(/^https?:\/\/[^/?#]+/, base);
  if (Array.isArray(value)) return value.map((v) => retarget(v, base));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retarget(v, base)]));
  return value;
}

/** JSON with keys sorted at every level (undefined for a body-less request), for a stable sort order. */
function canonical(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
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

describe('example flows (golden)', () => {
  it('has at least the ERP → attendance example', () => {
    expect(examples).toContain('erp-to-attendance');
  });

  for (const name of examples) {
    const dir = path.join(root, name);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    const run = expected.requires ? it.skip : it;
    run(`${name}: delivers exactly what expected.json lists`, async () => {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, 'flow.json'), 'utf8')) as { id: string; nodes: { type: string; config: unknown }[] };
      for (const node of flow.nodes) if (node.type.startsWith('target.')) node.config = retarget(node.config, fake.url);
      const inputs = JSON.parse(fs.readFileSync(path.join(dir, 'input.json'), 'utf8')) as ExampleInput[];
      fake.received.length = 0;

      expect((await fb.api('POST', '/flows', flow)).status).toBe(201);
      const deployed = await fb.api('POST', `/flows/${flow.id}/deploy`);
      expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);

      const accepted: { id: string; source: string; bus: string }[] = [];
      let duplicates = 0;
      for (const input of inputs) {
        const res = await fb.post(input.path, JSON.stringify(input.body), input.headers);
        expect(res.status, JSON.stringify(res.json)).toBe(202);
        for (const a of res.json.accepted as { id: string; source: string; duplicate: boolean }[]) {
          if (a.duplicate) duplicates++;
          else accepted.push({ id: a.id, source: a.source, bus: res.json.bus ?? 'default' });
        }
      }
      expect(accepted.length + duplicates).toBe(expected.accepted);
      expect(duplicates).toBe(expected.duplicates ?? 0);

      // Every accepted event must be routed and each of its deliveries finished before comparing.
      for (const a of accepted) {
        await eventually(async () => {
          const r = await fb.api('GET', `/buses/${a.bus}/events/${encodeURIComponent(a.id)}?source=${encodeURIComponent(a.source)}`);
          const trace = (r.json?.trace ?? []) as { kind: string; deliveryId?: string; ok?: boolean }[];
          if (!trace.some((t) => t.kind === 'routed')) return undefined;
          const pending = trace.filter((t) => t.kind === 'matched').some((m) => !trace.some((t) => t.deliveryId === m.deliveryId && ((t.kind === 'attempt' && t.ok) || t.kind === 'dead-lettered')));
          return pending ? undefined : true;
        }, 15_000, `event ${a.id} to be routed and delivered`);
      }

      const got = fake.received.map((r, index) => ({ index, method: r.method, path: r.path, headers: r.headers, body: r.json }));
      expect(got).toHaveLength(expected.deliveries.length);
      // Per key, the arrival order must be the listed order.
      const taken = new Set<number>();
      const arrivals = new Map<string, number[]>();
      for (const want of expected.deliveries) {
        const match = got.find((g) => !taken.has(g.index) && g.method === want.method && g.path === want.path && canonical(g.body) === canonical(want.body));
        expect(match, `no delivery matches ${want.method} ${want.path} ${canonical(want.body)}`).toBeDefined();
        taken.add(match!.index);
        if (want.key !== undefined) arrivals.set(want.key, [...(arrivals.get(want.key) ?? []), match!.index]);
      }
      for (const [key, order] of arrivals) expect(order, `deliveries for key ${key} arrived out of order`).toEqual([...order].sort((a, b) => a - b));
      const sortKey = (d: { method: string; path: string; body?: unknown }) => `${d.method} ${d.path} ${canonical(d.body)}`;
      const gotSorted = [...got].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      const wantSorted = [...expected.deliveries].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      wantSorted.forEach((want, i) => {
        const have = gotSorted[i]!;
        expect(have.method).toBe(want.method);
        expect(have.path).toBe(want.path);
        expect(have.body).toEqual(want.body);
        for (const [k, v] of Object.entries(want.headers ?? {})) expect(have.headers[k.toLowerCase()]).toBe(v);
      });
    });
  }
});
