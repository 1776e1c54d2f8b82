// Starts a real flowbridge (API, router, workers) in the test process, on the test Redis,
// under its own key prefix, with private targets allowed (the fakes live on 127.0.0.1).
import type { Connector } from '../../connectors/spi/connector.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logging.ts';
import { startRuntime, type Roles, type Runtime } from '../../server/runtime/runtime.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from './redis.ts';

export const TEST_TOKEN = 'test-admin-token';
/** A fixed key for sealing secrets in tests (never a real one). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestFlowbridge {
  url: string;
  prefix: string;
  runtime: Runtime;
  /** Calls the management API with the admin token; returns status and parsed JSON. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  /** POSTs raw content to an ingest path (`/webhooks/x`, `/events/default`). */
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestFlowbridge(options: { env?: Record<string, string>; roles?: Roles; prefix?: string; connectors?: readonly Connector<never>[] } = {}): Promise<TestFlowbridge> {
  const prefix = options.prefix ?? uniquePrefix('fb');
  const config = loadConfig({ port: '0', host: '127.0.0.1', 'redis-url': testRedisUrl() }, {
    FLOWBRIDGE_ADMIN_TOKEN: TEST_TOKEN,
    FLOWBRIDGE_REDIS_PREFIX: prefix,
    FLOWBRIDGE_ALLOW_PRIVATE_TARGETS: '127.0.0.0/8',
    FLOWBRIDGE_SECRET_KEY: TEST_SECRET_KEY,
    // In-process deliveries, so tests can give connectors in code; the process tests run threads.
    FLOWBRIDGE_DELIVERY_THREADS: '0',
    FLOWBRIDGE_LOG_LEVEL: process.env.FLOWBRIDGE_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const runtime = await startRuntime({ config, roles: options.roles ?? { api: true, router: true, worker: true }, logger: createLogger(config.logLevel), shutdownGraceMs: 2000, ...(options.connectors ? { connectors: options.connectors } : {}) });
  const url = runtime.url!;
  return {
    url,
    prefix,
    runtime,
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async post(path, body, headers = { 'content-type': 'application/json' }) {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = { raw: text };
      }
      return { status: res.status, json, headers: res.headers };
    },
    async stop() {
      await runtime.stop();
      if (!options.prefix) await deletePrefix(prefix);
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
