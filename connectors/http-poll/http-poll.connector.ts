import crypto from 'node:crypto';
import { JSONPath } from 'jsonpath-plus';
import { CONNECTION_KINDS } from '../spi/connection.ts';
import { authOptionsOf, sendAuthorized } from '../spi/connection-auth.ts';
import type { ConfigProblem, Connector, PollContext, SourceEvent } from '../spi/connector.ts';
import { DeliveryError } from '../spi/failure.ts';

export type PollCursorSetting =
  | { type: 'none' }
  | { type: 'since'; param: string; itemTimePath: string; initial?: string }
  | { type: 'page-token'; param: string; tokenPath: string };

export interface HttpPollConfig {
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  intervalSeconds?: number;
  itemsPath?: string;
  idPath?: string;
  timePath?: string;
  eventType?: string;
  cursor?: PollCursorSetting;
  maxPages?: number;
  dedupeWindow?: number;
}

export interface HttpPollCursor {
  /** Since-timestamp mode: the newest item time seen. */
  since?: string;
  /** Page-token mode: the token of the page to fetch next. */
  pageToken?: string;
  /** Dedupe keys of the most recent items, newest last. */
  seen: string[];
}

function query(path: string, json: unknown): unknown[] {
  return JSONPath({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
}

function first(path: string, json: unknown): unknown {
  return query(path, json)[0];
}

function asTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function checkPath(path: string | undefined, at: string): ConfigProblem[] {
  if (path === undefined) return [];
  try {
    JSONPath.toPathArray(path);
    if (!path.startsWith('$')) throw new Error('a JSONPath starts with $');
    query(path, {});
    return [];
  } catch (err) {
    return [{ path: at, code: 'ERR_CONNECTOR_JSONPATH', message: err instanceof Error ? err.message : String(err) }];
  }
}

async function fetchPage(ctx: PollContext<HttpPollConfig>, params: Record<string, string>): Promise<unknown> {
  const url = new URL(ctx.config.url);
  for (const [k, v] of Object.entries({ ...ctx.config.query, ...params })) url.searchParams.set(k, v);
  const res = await sendAuthorized({ method: 'GET', url: url.toString(), headers: { accept: 'application/json', ...ctx.config.headers }, timeoutMs: ctx.timeoutMs, signal: ctx.signal }, authOptionsOf(ctx));
  try {
    return JSON.parse(res.body);
  } catch {
    throw new DeliveryError('the polled API did not answer JSON', { kind: 'permanent', reason: 'response is not JSON', status: res.status, responseExcerpt: res.excerpt });
  }
}

/** Emits the new items of one page and updates the cursor in place. */
function collect(page: unknown, config: HttpPollConfig, state: HttpPollCursor, seen: Set<string>, out: SourceEvent[]): void {
  const setting = config.cursor ?? { type: 'none' };
  for (const item of query(config.itemsPath ?? '$[*]', page)) {
    const rawId = first(config.idPath ?? '$.id', item);
    // An item without an id is still deduplicated, by its content.
    const id = rawId === undefined || rawId === null || typeof rawId === 'object' ? `sha256:${crypto.createHash('sha256').update(JSON.stringify(item)).digest('hex').slice(0, 32)}` : String(rawId);
    const itemTime = setting.type === 'since' ? asTime(first(setting.itemTimePath, item)) : undefined;
    // In since mode a changed item comes back with a newer time: that is a new event.
    const key = itemTime ? `${id}@${itemTime}` : id;
    if (itemTime && (!state.since || itemTime > state.since)) state.since = itemTime;
    if (seen.has(key)) continue;
    seen.add(key);
    state.seen.push(key);
    const time = asTime(config.timePath ? first(config.timePath, item) : undefined) ?? itemTime;
    out.push({ id: key, type: config.eventType ?? 'flowbridge.http-poll.item', subject: id, ...(time ? { time } : {}), data: item });
  }
}

/**
 * Calls an API on an interval and emits one event per new item: items found by JSONPath,
 * a cursor (since-timestamp or next-page token) carried between polls, and the ids of
 * recent items remembered so an item is emitted once.
 */
export const httpPollConnector: Connector<HttpPollConfig, HttpPollCursor> = {
  id: 'http-poll',
  version: '1.0.0',
  title: 'HTTP poll',
  summary: 'Calls an API on an interval, extracts items by JSONPath, keeps a cursor and emits one event per new item.',
  category: 'source',
  icon: '🔄',
  connectionKinds: CONNECTION_KINDS,
  configSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', title: 'URL', description: 'The API to GET.', pattern: '^https?://', maxLength: 2048, examples: ['https://erp.example.com/api/employees'] },
      headers: { type: 'object', title: 'Headers', propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 }, additionalProperties: { type: 'string', maxLength: 8192 }, default: {} },
      query: { type: 'object', title: 'Query parameters', description: 'Fixed parameters of every call.', additionalProperties: { type: 'string', maxLength: 2048 }, default: {}, examples: [{ status: 'active' }] },
      intervalSeconds: { type: 'integer', title: 'Interval (seconds)', minimum: 5, maximum: 86400, default: 60 },
      itemsPath: { type: 'string', title: 'Items (JSONPath)', description: 'Where the items are in the response.', default: '$[*]', maxLength: 512, examples: ['$.items[*]', '$.data.records[*]'] },
      idPath: { type: 'string', title: 'Item id (JSONPath)', description: 'The id of an item, relative to the item; items are emitted once per id.', default: '$.id', maxLength: 512, examples: ['$.personnelNumber'] },
      timePath: { type: 'string', title: 'Item time (JSONPath)', description: 'The event time, relative to the item.', maxLength: 512, examples: ['$.updatedAt'] },
      eventType: { type: 'string', title: 'Event type', default: 'flowbridge.http-poll.item', minLength: 1, maxLength: 256, examples: ['erp.employee.changed'] },
      cursor: {
        title: 'Cursor',
        description: '`none`: every poll reads the same resource and new ids are emitted; `since`: the newest item time is sent as a parameter; `page-token`: the next-page token is followed and kept.',
        default: { type: 'none' },
        oneOf: [
          { type: 'object', title: 'None', required: ['type'], additionalProperties: false, properties: { type: { const: 'none' } } },
          {
            type: 'object',
            title: 'Since timestamp',
            required: ['type', 'param', 'itemTimePath'],
            additionalProperties: false,
            properties: {
              type: { const: 'since' },
              param: { type: 'string', title: 'Parameter', minLength: 1, maxLength: 128, examples: ['updated_since'] },
              itemTimePath: { type: 'string', title: 'Item time (JSONPath)', maxLength: 512, examples: ['$.updatedAt'] },
              initial: { type: 'string', title: 'Start from', description: 'RFC 3339 time for the first poll; without it the first poll sends no parameter.', maxLength: 64, examples: ['2026-01-01T00:00:00Z'] },
            },
          },
          {
            type: 'object',
            title: 'Next-page token',
            required: ['type', 'param', 'tokenPath'],
            additionalProperties: false,
            properties: {
              type: { const: 'page-token' },
              param: { type: 'string', title: 'Parameter', minLength: 1, maxLength: 128, examples: ['page_token'] },
              tokenPath: { type: 'string', title: 'Next token (JSONPath)', maxLength: 512, examples: ['$.next_page_token'] },
            },
          },
        ],
      },
      maxPages: { type: 'integer', title: 'Pages per poll', description: 'Page-token mode: follow at most this many pages per poll; the rest is fetched right after.', minimum: 1, maximum: 100, default: 10 },
      dedupeWindow: { type: 'integer', title: 'Remembered ids', description: 'How many recent item ids are remembered to emit each item once.', minimum: 10, maximum: 100000, default: 1000 },
    },
    examples: [{ url: 'https://erp.example.com/api/employees', itemsPath: '$.items[*]', idPath: '$.personnelNumber', eventType: 'erp.employee.changed', intervalSeconds: 300, cursor: { type: 'since', param: 'updated_since', itemTimePath: '$.updatedAt' } }],
  },

  validateConfig(config) {
    if (typeof config !== 'object' || config === null) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must be an object' }];
    const c = config.cursor;
    return [
      ...checkPath(config.itemsPath, '/itemsPath'),
      ...checkPath(config.idPath, '/idPath'),
      ...checkPath(config.timePath, '/timePath'),
      ...(c?.type === 'since' ? checkPath(c.itemTimePath, '/cursor/itemTimePath') : []),
      ...(c?.type === 'page-token' ? checkPath(c.tokenPath, '/cursor/tokenPath') : []),
    ];
  },

  async poll(ctx, cursor) {
    const config = ctx.config;
    const setting = config.cursor ?? { type: 'none' };
    const state: HttpPollCursor = { since: cursor?.since ?? (setting.type === 'since' ? setting.initial : undefined), pageToken: cursor?.pageToken, seen: [...(cursor?.seen ?? [])] };
    const seen = new Set(state.seen);
    const events: SourceEvent[] = [];
    const intervalMs = (config.intervalSeconds ?? 60) * 1000;
    let morePages = false;
    for (let page = 0; page < (setting.type === 'page-token' ? (config.maxPages ?? 10) : 1); page++) {
      const params: Record<string, string> = {};
      if (setting.type === 'since' && state.since) params[setting.param] = state.since;
      if (setting.type === 'page-token' && state.pageToken) params[setting.param] = state.pageToken;
      const body = await fetchPage(ctx, params);
      collect(body, config, state, seen, events);
      if (setting.type !== 'page-token') break;
      const next = first(setting.tokenPath, body);
      // No next token: the last page; keep its token and read it again next time (new items appear there).
      if (typeof next !== 'string' || !next || next === state.pageToken) {
        morePages = false;
        break;
      }
      state.pageToken = next;
      morePages = true;
    }
    state.seen = state.seen.slice(-(config.dedupeWindow ?? 1000));
    const nextPollAt = new Date(ctx.now.getTime() + (morePages ? 0 : intervalMs)).toISOString();
    return { events, cursor: state, nextPollAt };
  },

  async testConnection(ctx) {
    try {
      const c = ctx.config as Partial<HttpPollConfig> | null;
      if (!c || typeof c.url !== 'string') return { ok: false, message: 'the config has no URL' };
      const pollCtx: PollContext<HttpPollConfig> = { ...ctx, config: { ...c, url: c.url, cursor: c.cursor?.type === 'page-token' ? c.cursor : { type: 'none' } }, now: new Date() };
      const body = await fetchPage(pollCtx, {});
      const items = query(c.itemsPath ?? '$[*]', body);
      return { ok: true, message: `the API answered with ${items.length} item(s) at ${c.itemsPath ?? '$[*]'}` };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};
