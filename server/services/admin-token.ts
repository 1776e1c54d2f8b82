import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.ts';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Makes sure an admin token exists. With FLOWBRIDGE_ADMIN_TOKEN set, that token is used
 * (its hash stored). Otherwise a token is created on the first start and returned once
 * so it can be printed; later starts return undefined. Only the SHA-256 is stored.
 */
export async function ensureAdminToken(redis: Redis, keys: Keys, configured: string | undefined): Promise<string | undefined> {
  if (configured) {
    await redis.set(keys.adminTokenHash, sha256(configured).toString('hex'));
    return undefined;
  }
  const token = `fbt_${randomBytes(24).toString('base64url')}`;
  const created = await redis.set(keys.adminTokenHash, sha256(token).toString('hex'), 'NX');
  return created === 'OK' ? token : undefined;
}

/** Checks bearer tokens against the stored hash (cached for a few seconds). */
export class AdminTokenChecker {
  private cached: { hash: Buffer; at: number } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async check(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    if (!this.cached || Date.now() - this.cached.at > 5000) {
      const hex = await this.redis.get(this.keys.adminTokenHash);
      if (!hex) return false;
      this.cached = { hash: Buffer.from(hex, 'hex'), at: Date.now() };
    }
    const given = sha256(token);
    return given.length === this.cached.hash.length && timingSafeEqual(given, this.cached.hash);
  }
}
