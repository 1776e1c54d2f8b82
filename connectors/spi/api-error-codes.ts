import { authOptionsOf, requestAuthorized } from './connection-auth.ts';
import type { Connection } from './connection.ts';
import type { ConnectionCheck } from './connector.ts';
import type { FailureInfo, FailureKind } from './failure.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';

// Chat and SaaS APIs often answer HTTP 200 with an error code in the body (Slack's
// `{"ok": false, "error": …}`, DingTalk's and WeCom's `errcode`, Feishu's `code`). A
// connector lists which codes mean what; everything not listed is permanent.

/** The codes of one service that are not permanent failures. */
export interface ErrorCodeTable {
  auth?: readonly (number | string)[];
  rate_limited?: readonly (number | string)[];
  retryable?: readonly (number | string)[];
}

/** The body as JSON, or undefined when it is not JSON. */
export function readJsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

/** The failure a service's error code means by the table: auth, rate_limited, retryable, else permanent. */
export function classifyErrorCode(service: string, code: number | string, message: string, table: ErrorCodeTable): FailureInfo {
  const kinds: Exclude<FailureKind, 'permanent' | 'config'>[] = ['auth', 'rate_limited', 'retryable'];
  const kind = kinds.find((k) => table[k]?.includes(code)) ?? 'permanent';
  return { kind, reason: `${service} error ${code}${message ? `: ${message}` : ''}` };
}

/**
 * testConnection for chat webhooks that cannot be called without posting a message:
 * posts `probe` (an empty, invalid message), which the service refuses after checking
 * the token and signature. An auth or rate-limit refusal is a failed check; any other
 * answer proves the webhook and its credentials. Never throws.
 */
export async function probeWithInvalidMessage(
  url: string,
  probe: { body: string; headers?: Record<string, string> },
  ctx: { http: HttpClient; connection: Connection | undefined; signal: AbortSignal; timeoutMs: number },
  refine: (res: HttpResponse) => FailureInfo | undefined,
): Promise<ConnectionCheck> {
  try {
    const res = await requestAuthorized({ method: 'POST', url, headers: { 'content-type': 'application/json', ...probe.headers }, body: probe.body, timeoutMs: Math.min(ctx.timeoutMs, 10_000), signal: ctx.signal }, authOptionsOf(ctx));
    const failure = refine(res) ?? (res.status === 401 || res.status === 403 ? { kind: 'auth', reason: `HTTP ${res.status}` } : res.status === 429 || res.status >= 500 ? { kind: 'retryable', reason: `HTTP ${res.status}` } : undefined);
    if (failure && failure.kind !== 'permanent') return { ok: false, message: `the webhook refused the check: ${failure.reason}` };
    return { ok: true, message: `the webhook accepted the credentials (a probe message was refused as intended: ${res.excerpt.slice(0, 120) || res.status})` };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
