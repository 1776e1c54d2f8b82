import { randomBytes } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import type { CompiledFlow } from '../../flows/flow.compiler.ts';
import type { FlowDocument } from '../../flows/flow-document.ts';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { Keys } from '../redis/keys.ts';

/** What the store keeps per flow: the latest document and its bookkeeping. */
export interface StoredFlow {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  doc: FlowDocument;
}

export interface FlowSummary {
  id: string;
  name: string;
  version: number;
  deployedVersion: number | undefined;
  updatedAt: string;
}

// Optimistic locking: the write happens only if the stored version is the one the caller edited.
const SAVE_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local expected = tonumber(ARGV[3])
if expected == 0 then
  if cur then return {-1, 0} end
else
  if not cur then return {-2, 0} end
  local v = tonumber(cjson.decode(cur)['version'])
  if v ~= expected then return {-3, v} end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
return {1, 0}
`;

// Deploy: webhook source ids must not belong to another deployed flow; then swap this
// flow's sources and rules and bump the generation so every router reloads.
const DEPLOY_SCRIPT = `
local flowId = ARGV[1]
local n = tonumber(ARGV[3])
for i = 1, n do
  local owner = redis.call('HGET', KEYS[2], ARGV[3 + i])
  if owner and owner ~= flowId then return {-1, ARGV[3 + i], owner} end
end
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i + 1] == flowId then redis.call('HDEL', KEYS[2], all[i]) end
end
for i = 1, n do redis.call('HSET', KEYS[2], ARGV[3 + i], flowId) end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], flowId)
else
  redis.call('HSET', KEYS[1], flowId, ARGV[2])
end
local gen = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', KEYS[4], gen)
return {1, tostring(gen), ''}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    fbSaveFlow(flows: string, versions: string, id: string, json: string, expected: number, keep: number): Result<[number, number], Context>;
    fbDeployFlow(deployed: string, sources: string, generation: string, channel: string, flowId: string, compiled: string, n: number, ...sourceIds: string[]): Result<[number, string, string], Context>;
  }
}

/** Lower-case slug of a name, with a random suffix, usable as a flow id. */
export function newFlowId(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'flow';
  return `${slug}-${randomBytes(3).toString('hex')}`;
}

const VERSIONS_KEPT = 100;

/** Flows and their deployments, in Redis. */
export class FlowStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    redis.defineCommand('fbSaveFlow', { numberOfKeys: 2, lua: SAVE_SCRIPT });
    redis.defineCommand('fbDeployFlow', { numberOfKeys: 4, lua: DEPLOY_SCRIPT });
  }

  async list(): Promise<FlowSummary[]> {
    const [flows, deployed] = await Promise.all([this.redis.hgetall(this.keys.flows), this.redis.hgetall(this.keys.deployed)]);
    return Object.values(flows)
      .map((json) => JSON.parse(json) as StoredFlow)
      .map((f) => ({
        id: f.id,
        name: f.doc.name,
        version: f.version,
        deployedVersion: deployed[f.id] ? (JSON.parse(deployed[f.id]!) as CompiledFlow).version : undefined,
        updatedAt: f.updatedAt,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<StoredFlow | undefined> {
    const json = await this.redis.hget(this.keys.flows, id);
    return json ? (JSON.parse(json) as StoredFlow) : undefined;
  }

  /** Saves a new flow (version 1). Fails with ERR_CONFLICT when the id exists. */
  async create(doc: FlowDocument): Promise<StoredFlow> {
    const id = doc.id ?? newFlowId(doc.name);
    const now = new Date().toISOString();
    const stored: StoredFlow = { id, version: 1, createdAt: now, updatedAt: now, doc: { ...doc, id, version: 1 } };
    const [status] = await this.redis.fbSaveFlow(this.keys.flows, this.keys.flowVersions(id), id, JSON.stringify(stored), 0, VERSIONS_KEPT);
    if (status === -1) throw new FlowbridgeError('ERR_CONFLICT', `A flow with id "${id}" already exists`);
    return stored;
  }

  /** Saves a new version; `expectedVersion` must be the stored one (else ERR_FLOW_VERSION_CONFLICT). */
  async update(id: string, doc: FlowDocument, expectedVersion: number): Promise<StoredFlow> {
    const current = await this.get(id);
    if (!current) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
    const version = expectedVersion + 1;
    const stored: StoredFlow = { id, version, createdAt: current.createdAt, updatedAt: new Date().toISOString(), doc: { ...doc, id, version } };
    const [status, actual] = await this.redis.fbSaveFlow(this.keys.flows, this.keys.flowVersions(id), id, JSON.stringify(stored), expectedVersion, VERSIONS_KEPT);
    if (status === -2) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
    if (status === -3) {
      throw new FlowbridgeError('ERR_FLOW_VERSION_CONFLICT', `The flow is at version ${actual}, but this change was made to version ${expectedVersion}; reload it and apply your change again`, [{ currentVersion: actual }]);
    }
    return stored;
  }

  /** Saved versions, newest first. */
  async versions(id: string): Promise<StoredFlow[]> {
    const rows = await this.redis.lrange(this.keys.flowVersions(id), 0, -1);
    return rows.map((r) => JSON.parse(r) as StoredFlow).reverse();
  }

  /** Rewrites the stored latest document and saved versions in place (same version numbers); for re-sealing secrets. */
  async rewrite(id: string, map: (flow: StoredFlow) => StoredFlow): Promise<void> {
    const current = await this.get(id);
    if (current) await this.redis.hset(this.keys.flows, id, JSON.stringify(map(current)));
    const rows = await this.redis.lrange(this.keys.flowVersions(id), 0, -1);
    const multi = this.redis.multi();
    rows.forEach((row, i) => multi.lset(this.keys.flowVersions(id), i, JSON.stringify(map(JSON.parse(row) as StoredFlow))));
    await multi.exec();
  }

  async remove(id: string): Promise<boolean> {
    await this.setDeployment(id, undefined);
    const removed = await this.redis.hdel(this.keys.flows, id);
    await this.redis.del(this.keys.flowVersions(id));
    return removed > 0;
  }

  async deployment(id: string): Promise<CompiledFlow | undefined> {
    const json = await this.redis.hget(this.keys.deployed, id);
    return json ? (JSON.parse(json) as CompiledFlow) : undefined;
  }

  async deployments(): Promise<CompiledFlow[]> {
    const all = await this.redis.hgetall(this.keys.deployed);
    return Object.values(all).map((j) => JSON.parse(j) as CompiledFlow);
  }

  /** Activates a compiled flow (or, with undefined, deactivates it); returns the new deploy generation. */
  async setDeployment(flowId: string, compiled: CompiledFlow | undefined): Promise<number> {
    const sourceIds = compiled?.webhookSources.map((s) => s.sourceId) ?? [];
    const [status, a, b] = await this.redis.fbDeployFlow(
      this.keys.deployed, this.keys.webhookSources, this.keys.deployGeneration, this.keys.deployChannel,
      flowId, compiled ? JSON.stringify(compiled) : '', sourceIds.length, ...sourceIds,
    );
    if (status === -1) {
      throw new FlowbridgeError('ERR_FLOW_SOURCE_ID_TAKEN', `Webhook source id "${a}" is already used by the deployed flow "${b}"`, [{ sourceId: a, flowId: b }]);
    }
    return Number(a);
  }
}
