import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { Keys } from '../redis/keys.ts';
import { ensureRouterGroup } from '../router/router.ts';

export interface BusSettings {
  name: string;
  createdAt: string;
  /** A repeated (source, id) within this window is a duplicate; default FLOWBRIDGE_DEDUPE_WINDOW_SECONDS. 0 turns deduplication off. */
  dedupeWindowSeconds?: number;
  /** Origins allowed by the CloudEvents webhook handshake (OPTIONS); default any. */
  allowedOrigins?: string[];
  /** Requests per minute announced in WebHook-Allowed-Rate; default "*". */
  allowedRate?: number;
}

export const BUS_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    dedupeWindowSeconds: { type: 'integer', minimum: 0, maximum: 30 * 86_400 },
    allowedOrigins: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 255 } },
    allowedRate: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

/** Changes the settings of an existing bus (only the fields given). */
export async function updateBus(redis: Redis, keys: Keys, name: string, changes: Partial<Omit<BusSettings, 'name' | 'createdAt'>>): Promise<BusSettings> {
  const json = await redis.hget(keys.buses, name);
  if (!json) throw new FlowbridgeError('ERR_NOT_FOUND', `No bus is named "${name}"`);
  const next: BusSettings = { ...(JSON.parse(json) as BusSettings), ...changes, name };
  await redis.hset(keys.buses, name, JSON.stringify(next));
  return next;
}

/** One bus's settings, or undefined. */
export async function getBus(redis: Redis, keys: Keys, name: string): Promise<BusSettings | undefined> {
  const json = await redis.hget(keys.buses, name);
  return json ? (JSON.parse(json) as BusSettings) : undefined;
}

const BUS_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Creates a bus (its log and the router's consumer group) when missing; returns its settings. */
export async function ensureBus(redis: Redis, keys: Keys, name: string): Promise<BusSettings> {
  if (!BUS_NAME.test(name)) throw new FlowbridgeError('ERR_VALIDATION', 'A bus name is 1–64 lower-case letters, digits, "-" or "_"', [{ path: 'name' }]);
  const settings: BusSettings = { name, createdAt: new Date().toISOString() };
  // The group first: once the bus is listed, ingest may append, and the group must see it from the start.
  await ensureRouterGroup(redis, keys, name);
  await redis.hsetnx(keys.buses, name, JSON.stringify(settings));
  return JSON.parse((await redis.hget(keys.buses, name))!) as BusSettings;
}

export async function listBuses(redis: Redis, keys: Keys): Promise<(BusSettings & { length: number })[]> {
  const all = await redis.hgetall(keys.buses);
  const out: (BusSettings & { length: number })[] = [];
  for (const json of Object.values(all)) {
    const s = JSON.parse(json) as BusSettings;
    out.push({ ...s, length: await redis.xlen(keys.busLog(s.name)) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function busExists(redis: Redis, keys: Keys, name: string): Promise<boolean> {
  return (await redis.hexists(keys.buses, name)) === 1;
}
