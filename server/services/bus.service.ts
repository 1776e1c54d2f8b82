import type { Redis } from 'ioredis';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { Keys } from '../redis/keys.ts';
import { ensureRouterGroup } from '../router/router.ts';

export interface BusSettings {
  name: string;
  createdAt: string;
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
