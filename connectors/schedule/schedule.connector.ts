import type { ConfigProblem, Connector, SourceEvent } from '../spi/connector.ts';
import { DeliveryError } from '../spi/failure.ts';
import { computeDueTicks, computeNextTicks, explainCronProblem } from './cron.ts';

export interface ScheduleConfig {
  cron: string;
  timeZone?: string;
  eventType?: string;
  subject?: string;
  data?: Record<string, unknown>;
  maxCatchUp?: number;
}

export interface ScheduleCursor {
  /** The latest tick already emitted (or deliberately skipped), RFC 3339. */
  lastTick: string;
}

function checked(config: ScheduleConfig): { cron: string; timeZone: string } {
  const timeZone = config.timeZone ?? 'UTC';
  const problem = explainCronProblem(config.cron, timeZone);
  if (problem) throw new DeliveryError(`schedule ${problem.field}: ${problem.message}`, { kind: 'config', reason: 'the schedule cannot be computed' });
  return { cron: config.cron, timeZone };
}

/** The next `count` ticks of a schedule after `after` (for the editor's preview and the runner's timer). */
export function computeScheduleTicks(config: ScheduleConfig, after: Date, count: number): Date[] {
  const { cron, timeZone } = checked(config);
  return computeNextTicks(cron, timeZone, after, count);
}

/** The event of one tick; its id is the tick time, so a tick polled twice is one event after ingest dedupe. */
export function tickEvent(config: ScheduleConfig, tick: Date): SourceEvent {
  const time = tick.toISOString();
  return { id: `tick-${time}`, type: config.eventType ?? 'flowbridge.schedule.tick', time, ...(config.subject ? { subject: config.subject } : {}), data: { ...(config.data ?? {}), scheduledTime: time } };
}

/**
 * A cron schedule in a time zone: one event per tick. The server drives it by calling
 * `poll` at (or after) each `nextPollAt`; ticks missed while nothing polled are emitted on
 * the next poll, at most `maxCatchUp` of them (the newest).
 */
export const scheduleConnector: Connector<ScheduleConfig, ScheduleCursor> = {
  id: 'schedule',
  version: '1.0.0',
  title: 'Schedule',
  summary: 'Emits an event on every tick of a cron expression in a time zone.',
  category: 'source',
  icon: '⏰',
  connectionKinds: [],
  configSchema: {
    type: 'object',
    required: ['cron'],
    additionalProperties: false,
    properties: {
      cron: { type: 'string', title: 'Cron expression', description: 'Five fields (minute hour day-of-month month day-of-week), or six with seconds first.', minLength: 9, maxLength: 256, examples: ['0 9 * * 1-5', '*/15 * * * *'] },
      timeZone: { type: 'string', title: 'Time zone', description: 'IANA time zone the expression is read in; daylight saving time is honoured.', default: 'UTC', maxLength: 64, examples: ['Europe/Berlin', 'Asia/Shanghai'] },
      eventType: { type: 'string', title: 'Event type', default: 'flowbridge.schedule.tick', minLength: 1, maxLength: 256 },
      subject: { type: 'string', title: 'Subject', maxLength: 256, examples: ['daily-report'] },
      data: { type: 'object', title: 'Event data', description: 'Fixed data of every tick\'s event; `scheduledTime` is added.', default: {}, examples: [{ report: 'attendance' }] },
      maxCatchUp: { type: 'integer', title: 'Missed ticks to catch up', description: 'After downtime, emit at most this many of the missed ticks (the newest); 0 drops them.', minimum: 0, maximum: 1000, default: 1 },
    },
    examples: [{ cron: '0 9 * * 1-5', timeZone: 'Europe/Berlin', eventType: 'reports.daily.due', data: { report: 'attendance' } }],
  },

  validateConfig(config) {
    const problems: ConfigProblem[] = [];
    const problem = explainCronProblem((config as Partial<ScheduleConfig> | null)?.cron, (config as Partial<ScheduleConfig> | null)?.timeZone ?? 'UTC');
    if (problem) problems.push({ path: `/${problem.field}`, code: problem.field === 'cron' ? 'ERR_CONNECTOR_CRON' : 'ERR_CONNECTOR_TIMEZONE', message: problem.message });
    return problems;
  },

  async poll(ctx, cursor) {
    const { cron, timeZone } = checked(ctx.config);
    const now = ctx.now;
    const next = computeNextTicks(cron, timeZone, now, 1)[0]!;
    // The first poll starts the schedule: no tick before the source existed fires.
    const after = new Date(cursor?.lastTick ?? Number.NaN);
    if (Number.isNaN(after.getTime())) return { events: [], cursor: { lastTick: now.toISOString() }, nextPollAt: next.toISOString() };
    const limit = ctx.config.maxCatchUp ?? 1;
    const due = limit > 0 ? computeDueTicks(cron, timeZone, after, now, limit) : [];
    const newest = due.at(-1) ?? computeDueTicks(cron, timeZone, after, now, 1).at(-1);
    return { events: due.map((t) => tickEvent(ctx.config, t)), cursor: { lastTick: (newest ?? after).toISOString() }, nextPollAt: next.toISOString() };
  },

  async testConnection(ctx) {
    try {
      const ticks = computeScheduleTicks(ctx.config, new Date(), 3);
      return { ok: true, message: `next ticks: ${ticks.map((t) => t.toISOString()).join(', ')}` };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};
