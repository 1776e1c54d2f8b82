// Starts one real redis-server for the whole test run (or uses REDIS_URL when set).
// Each test file then works under its own key prefix (see test/support/redis.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/redis/embedded-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let redis: EmbeddedRedis | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbridge-test-redis-'));
  redis = await startEmbeddedRedis({ dataDir: dir, appendOnly: false, supervise: false });
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
