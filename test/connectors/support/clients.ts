import { parseCidrList } from '../../../connectors/spi/address-guard.ts';
import type { Connection } from '../../../connectors/spi/connection.ts';
import { createTokenCache } from '../../../connectors/spi/connection-auth.ts';
import type { ConnectorContext, SendInput } from '../../../connectors/spi/connector.ts';
import { createHttpClient, type HttpClient } from '../../../connectors/spi/http-client.ts';

/** A client that may reach fakes on 127.0.0.1 and nothing private beyond. */
export function createLocalHttpClient(): HttpClient {
  return createHttpClient({ allowPrivate: parseCidrList('127.0.0.0/8') });
}

export function contextFor<C>(http: HttpClient, config: C, extra: { connection?: Connection; idempotencyKey?: string } = {}): ConnectorContext<C> {
  return {
    config,
    connection: extra.connection,
    idempotencyKey: extra.idempotencyKey ?? `key-${Math.random().toString(36).slice(2)}`,
    attempt: 1,
    signal: new AbortController().signal,
    timeoutMs: 5000,
    http,
    tokens: createTokenCache(),
  };
}

export function eventInput(body: unknown, event: Record<string, unknown> = {}, output: 'json' | 'text' = 'json'): SendInput {
  return {
    body,
    output,
    event: { specversion: '1.0', id: 'evt-1', source: 'erp://hr', type: 'hr.employee.created', time: '2026-03-01T09:00:00Z', data: body, ...event },
  };
}
