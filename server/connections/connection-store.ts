import type { Redis } from 'ioredis';
import type { SealedConnection } from '../../connectors/spi/connection-crypto.ts';
import type { Keys } from '../redis/keys.ts';

/** A connection as stored: metadata and a masked copy in clear, the credentials sealed. */
export interface StoredConnection extends SealedConnection {
  id: string;
  name: string;
  description?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The last test or delivery verdict on these credentials. */
  health?: { status: 'ok' | 'unhealthy'; message: string; at: string };
}

/** Connections in one Redis hash (id → JSON). */
export class ConnectionStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  static forKeys(redis: Redis, keys: Keys): ConnectionStore {
    return new ConnectionStore(redis, keys.connections);
  }

  async list(): Promise<StoredConnection[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((j) => JSON.parse(j) as StoredConnection).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<StoredConnection | undefined> {
    const json = await this.redis.hget(this.key, id);
    return json ? (JSON.parse(json) as StoredConnection) : undefined;
  }

  /** Writes a connection; with `onlyIfNew`, fails (returns false) when the id exists. */
  async put(record: StoredConnection, onlyIfNew = false): Promise<boolean> {
    const json = JSON.stringify(record);
    if (onlyIfNew) return (await this.redis.hsetnx(this.key, record.id, json)) === 1;
    await this.redis.hset(this.key, record.id, json);
    return true;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) > 0;
  }
}
