// Every example flow in flows/examples/ must be deployable as shipped, including those the
// golden test skips because they need an SMTP server, a database or a clock: it validates
// with no problems, and it deploys once the connections it names exist.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { startTestFlowbridge, type TestFlowbridge } from './support/flowbridge.ts';

interface FlowNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
  connection?: string;
}
interface Flow {
  id: string;
  nodes: FlowNode[];
}

const root = path.resolve(import.meta.dirname, '../flows/examples');
const examples = fs
  .readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'flow.json')))
  .map((d) => d.name)
  .sort();
const readFlow = (name: string) => JSON.parse(fs.readFileSync(path.join(root, name, 'flow.json'), 'utf8')) as Flow;

/** Stand-in credentials of each connection kind, for connections the examples name. */
const SAMPLE_CONNECTIONS: Record<string, Record<string, string>> = {
  basic: { kind: 'basic', username: 'example', password: 'example-password' },
  bearer: { kind: 'bearer', token: 'example-token' },
  hmac: { kind: 'hmac', secret: 'example-signing-secret' },
};

let fb: TestFlowbridge;
let fake: FakeTarget;
let connectionKinds: Map<string, string[]>;

beforeAll(async () => {
  fb = await startTestFlowbridge();
  fake = await startFakeTarget();
  const catalog = await fb.api('GET', '/connectors');
  connectionKinds = new Map((catalog.json.nodeKinds as { type: string; connectionKinds: string[] }[]).map((k) => [k.type, k.connectionKinds]));
});
afterAll(async () => {
  await fake.close();
  await fb.stop();
});

describe('example flows', () => {
  it('include one example per connector', async () => {
    const catalog = await fb.api('GET', '/connectors');
    const used = new Set(examples.flatMap((name) => readFlow(name).nodes.map((n) => n.type)));
    const missing = (catalog.json.items as { id: string }[]).map((c) => c.id).filter((id) => !used.has(`target.${id}`) && !used.has(`source.${id}`));
    expect(missing).toEqual([]);
  });

  for (const name of examples) {
    it(`${name}: validates with no problems`, async () => {
      const flow = readFlow(name);
      expect(flow.id).toBe(name);
      const res = await fb.api('POST', '/flows/validate', flow);
      expect(res.status).toBe(200);
      expect(res.json.problems).toEqual([]);
    });

    it(`${name}: deploys once the connections it names exist`, async () => {
      const flow = readFlow(name);
      for (const node of flow.nodes) {
        // Deploying starts poll sources: their APIs must be local, never the example's real host.
        if (node.type !== 'source.webhook') node.config = JSON.parse(JSON.stringify(node.config).replace(/"https?:\/\/[^/?#"]*/g, `"${fake.url}`)) as Record<string, unknown>;
        if (node.connection === undefined) continue;
        const kind = (connectionKinds.get(node.type) ?? []).find((k) => k in SAMPLE_CONNECTIONS);
        expect(kind, `a sample connection for ${node.type}`).toBeDefined();
        const created = await fb.api('POST', '/connections', { id: node.connection, name: node.connection, connection: SAMPLE_CONNECTIONS[kind!] });
        expect([201, 409], JSON.stringify(created.json)).toContain(created.status);
      }
      expect((await fb.api('POST', '/flows', flow)).status).toBe(201);
      const deployed = await fb.api('POST', `/flows/${flow.id}/deploy`);
      expect(deployed.status, JSON.stringify(deployed.json)).toBe(200);
    });
  }
});
