import { requestAuthorized, type AuthOptions } from './connection-auth.ts';
import type { Connection } from './connection.ts';
import type { ConnectionCheck } from './connector.ts';

/**
 * A `testConnection` for HTTP endpoints that must not receive a real delivery: sends
 * HEAD (with the connection applied) and reports ok for any answer that proves the host
 * is there and took the credentials (404/405 included). Never throws.
 */
export async function probeEndpoint(urlText: string, options: AuthOptions & { connection: Connection | undefined }): Promise<ConnectionCheck> {
  // Placeholders cannot be filled without an event: probe the fixed part of the URL.
  const fixed = urlText.split('{{')[0] ?? '';
  let url: URL;
  try {
    url = new URL(fixed);
  } catch {
    return { ok: false, message: `"${urlText}" is not a valid URL` };
  }
  const where = `HEAD ${url.origin}${url.pathname}`;
  try {
    const res = await requestAuthorized({ method: 'HEAD', url: url.toString(), timeoutMs: Math.min(options.timeoutMs ?? 10_000, 10_000), signal: options.signal }, options);
    if (res.status === 401 || res.status === 403) return { ok: false, message: `${where} answered ${res.status}: the credentials were rejected` };
    if (res.status === 429) return { ok: false, message: `${where} answered 429: rate limited, try again later` };
    if (res.status >= 500) return { ok: false, message: `${where} answered ${res.status}: the service is failing` };
    return { ok: true, message: `reachable: ${where} answered ${res.status}` };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
