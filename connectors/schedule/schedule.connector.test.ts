import { describe, expect, it } from 'vitest';
import { describeConnectorContract } from '../spi/contract-kit.ts';
import type { PollContext } from '../spi/connector.ts';
import { createHttpClient } from '../spi/http-client.ts';
import { computeScheduleTicks, scheduleConnector, type ScheduleConfig } from './schedule.connector.ts';

const http = createHttpClient();
const ctx = (config: ScheduleConfig, now: string): PollContext<ScheduleConfig> => ({ config, connection: undefined, now: new Date(now), signal: new AbortController().signal, timeoutMs: 1000, http });
const quarterHourly: ScheduleConfig = { cron: '*/15 * * * *', eventType: 'reports.due', data: { report: 'attendance' } };

describeConnectorContract(
  'schedule',
  () => ({
    connector: scheduleConnector as never,
    http,
    async arrange() {
      return { config: quarterHourly, cursor: { lastTick: '2026-03-01T08:40:00.000Z' } };
    },
  }),
  { classifies: [] },
);

describe('the schedule source', () => {
  it('starts without firing past ticks and says when the next one is due', async () => {
    const r = await scheduleConnector.poll!(ctx(quarterHourly, '2026-03-01T09:07:00Z'), undefined);
    expect(r).toEqual({ events: [], cursor: { lastTick: '2026-03-01T09:07:00.000Z' }, nextPollAt: '2026-03-01T09:15:00.000Z' });
  });

  it('emits one event per due tick, with the tick as id and time', async () => {
    const r = await scheduleConnector.poll!(ctx(quarterHourly, '2026-03-01T09:15:00.250Z'), { lastTick: '2026-03-01T09:07:00.000Z' });
    expect(r.events).toEqual([{ id: 'tick-2026-03-01T09:15:00.000Z', type: 'reports.due', time: '2026-03-01T09:15:00.000Z', data: { report: 'attendance', scheduledTime: '2026-03-01T09:15:00.000Z' } }]);
    expect(r.cursor).toEqual({ lastTick: '2026-03-01T09:15:00.000Z' });
    expect(r.nextPollAt).toBe('2026-03-01T09:30:00.000Z');
  });

  it('catches up at most maxCatchUp missed ticks after downtime, the newest ones', async () => {
    const r = await scheduleConnector.poll!(ctx({ ...quarterHourly, maxCatchUp: 2 }, '2026-03-01T12:05:00Z'), { lastTick: '2026-03-01T09:15:00.000Z' });
    expect(r.events.map((e) => e.time)).toEqual(['2026-03-01T11:45:00.000Z', '2026-03-01T12:00:00.000Z']);
    expect(r.cursor).toEqual({ lastTick: '2026-03-01T12:00:00.000Z' });
  });

  it('drops missed ticks when maxCatchUp is 0 but still moves the cursor', async () => {
    const r = await scheduleConnector.poll!(ctx({ ...quarterHourly, maxCatchUp: 0 }, '2026-03-01T12:05:00Z'), { lastTick: '2026-03-01T09:15:00.000Z' });
    expect(r.events).toEqual([]);
    expect(r.cursor).toEqual({ lastTick: '2026-03-01T12:00:00.000Z' });
  });

  it('emits nothing when polled again before the next tick', async () => {
    const r = await scheduleConnector.poll!(ctx(quarterHourly, '2026-03-01T09:20:00Z'), { lastTick: '2026-03-01T09:15:00.000Z' });
    expect(r.events).toEqual([]);
    expect(r.cursor).toEqual({ lastTick: '2026-03-01T09:15:00.000Z' });
  });

  it.each([
    ['0 9 * * 1-5', 'Europe/Berlin', '2026-03-27T12:00:00Z', ['2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']],
    ['0 9 * * 1-5', 'Europe/Berlin', '2026-03-20T12:00:00Z', ['2026-03-23T08:00:00.000Z', '2026-03-24T08:00:00.000Z']],
    ['30 8 1 * *', 'Asia/Shanghai', '2026-01-15T00:00:00Z', ['2026-02-01T00:30:00.000Z', '2026-03-01T00:30:00.000Z']],
    ['*/20 * * * * *', 'UTC', '2026-01-01T00:00:05Z', ['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']],
  ])('computes the ticks of %s in %s after %s (daylight saving time honoured)', (cron, timeZone, after, expected) => {
    expect(computeScheduleTicks({ cron, timeZone }, new Date(after), 2).map((d) => d.toISOString())).toEqual(expected);
  });

  it.each([
    [{ cron: '61 * * * *' }, '/cron', 'ERR_CONNECTOR_CRON'],
    [{ cron: '* * *' }, '/cron', 'ERR_CONNECTOR_CRON'],
    [{ cron: '* * * * *', timeZone: 'Mars/Olympus' }, '/timeZone', 'ERR_CONNECTOR_TIMEZONE'],
  ])('rejects %j at deploy time', (config, path, code) => {
    expect(scheduleConnector.validateConfig!(config as ScheduleConfig)).toEqual([expect.objectContaining({ path, code })]);
  });
});
