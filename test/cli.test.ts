// The CLI as users run it: `flowbridge start` on the embedded Redis, `flows import /
// export / deploy`, and the `pattern test` / `transform test` commands on JSON Lines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from './support/fake-target.ts';
import { BIN, spawnFlowbridge, type FlowbridgeProcess } from './support/processes.ts';

function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pattern test and transform test without a server', () => {
  it('prints one API-shaped result per JSON line and exits 1 when a line fails', () => {
    const lines = [
      { pattern: { type: ['a'] }, event: { type: 'a' } },
      { pattern: { type: ['a'] }, event: { type: 'b' } },
      { pattern: { n: [{ numeric: ['>', 10, '<', 5] }] }, event: {} },
    ].map((l) => JSON.stringify(l)).join('\n');
    const r = cli(['pattern', 'test'], {}, `${lines}\nnot json\n`);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toEqual({ match: true });
    expect(out[1]).toEqual({ match: false });
    expect(out[2].error.code).toBe('ERR_PATTERN_INVALID');
    expect(out[3].error.code).toBe('ERR_BODY_INVALID_JSON');
    expect(r.code).toBe(1);
  });

  it('renders transforms from files and from stdin', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-'));
    fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify({ type: 'jsonata', expression: 'data.a + 1' }));
    fs.writeFileSync(path.join(dir, 'e.json'), JSON.stringify({ data: { a: 41 } }));
    const r = cli(['transform', 'test', '--transform', path.join(dir, 't.json'), '--event', path.join(dir, 'e.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ output: 42 });
    const s = cli(['transform', 'test'], {}, `${JSON.stringify({ transform: { type: 'constant', value: 'x' }, event: {} })}\n`);
    expect(JSON.parse(s.stdout)).toEqual({ output: 'x' });
    const missing = cli(['transform', 'test', '--transform', path.join(dir, 'nope.json'), '--event', path.join(dir, 'e.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read transform file');
  });

  it('explains unknown commands instead of failing silently', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('flowbridge start on the embedded Redis', () => {
  let proc: FlowbridgeProcess;
  let dataDir: string;
  let target: FakeTarget;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-start-'));
    target = await startFakeTarget();
    proc = await spawnFlowbridge('start', ['--port', '0', '--data-dir', dataDir], {
      REDIS_URL: '',
      FLOWBRIDGE_ADMIN_TOKEN: '',
      FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    });
  }, 60_000);

  afterAll(async () => {
    if (proc.proc.exitCode === null) {
      proc.proc.kill('SIGTERM');
      await proc.exited;
    }
    await target.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the listening line and a one-time admin token, and keeps Redis data with AOF in the data dir', () => {
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proc.output()).toMatch(/admin token \(shown this once.*\): fbt_[A-Za-z0-9_-]+/);
    expect(fs.existsSync(path.join(dataDir, 'redis'))).toBe(true);
    const files = fs.readdirSync(path.join(dataDir, 'redis'), { recursive: true }).map(String);
    expect(files.some((f) => f.includes('appendonly'))).toBe(true);
  });

  it('imports, deploys and exports a flow with the CLI, and the flow delivers', async () => {
    const token = /: (fbt_[A-Za-z0-9_-]+)/.exec(proc.output())![1]!;
    const env = { FLOWBRIDGE_URL: proc.url!, FLOWBRIDGE_TOKEN: token };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-flow-'));
    const file = path.join(dir, 'flow.json');
    const flow = {
      id: 'cli-flow',
      name: 'CLI flow',
      nodes: [
        { id: 'in', type: 'source.webhook', config: { sourceId: 'cli' } },
        { id: 'out', type: 'target.http', config: { url: `${target.url}/hook` } },
      ],
      edges: [{ source: 'in', target: 'out' }],
    };
    fs.writeFileSync(file, JSON.stringify(flow));
    const imported = cli(['flows', 'import', file, '--deploy'], env);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('saved flow cli-flow version 1');
    expect(imported.stdout).toContain('deployed cli-flow version 1: 1 rule(s), webhooks: /webhooks/cli');
    const again = cli(['flows', 'import', file], env);
    expect(again.stdout).toContain('saved flow cli-flow version 2');

    const res = await fetch(`${proc.url}/webhooks/cli`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    expect(res.status).toBe(202);
    const [got] = await target.waitFor(1);
    expect((got!.json as { data: unknown }).data).toEqual({ hello: 'world' });

    const exported = cli(['flows', 'export', 'cli-flow'], env);
    expect(JSON.parse(exported.stdout)).toMatchObject({ id: 'cli-flow', version: 2, nodes: flow.nodes });
    const list = cli(['flows', 'list'], env);
    expect(list.stdout).toMatch(/cli-flow\tv2\tdeployed v1\tCLI flow/);

    const bad = cli(['flows', 'deploy', 'no-such-flow'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ERR_NOT_FOUND');
    const wrongToken = cli(['flows', 'list'], { ...env, FLOWBRIDGE_TOKEN: 'nope' });
    expect(wrongToken.stderr).toContain('ERR_UNAUTHORIZED');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    proc.proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});

describe('flowbridge start without a reachable Redis', () => {
  it('exits 1 with a message naming the Redis URL when it cannot connect in time', () => {
    const r = cli(['start', '--port', '0'], { REDIS_URL: 'redis://127.0.0.1:1', FLOWBRIDGE_REDIS_CONNECT_TIMEOUT_MS: '1000', FLOWBRIDGE_LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot connect to Redis at redis://127.0.0.1:1');
  });
});
