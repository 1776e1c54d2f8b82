// Date formatting for the Handlebars `formatDate` helper: a small, dependency-free subset
// of the usual (Unicode/Java-style) pattern letters, in UTC or an IANA time zone. Names of
// months and weekdays are English; messages to humans rarely need more from a transform.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest tokens first so `yyyy` wins over `yy`, `MMMM` over `MM`.
const TOKEN = /'([^']*)'|yyyy|yy|MMMM|MMM|MM|M|dd|d|EEEE|EEE|HH|H|hh|h|mm|ss|SSS|a|XXX/g;

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Sunday
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

/** A date-format failure the caller turns into a render error. */
export class DateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateFormatError';
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new DateFormatError(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    if (zoneFormats.size < 500) zoneFormats.set(timeZone, format);
  }
  return format;
}

function toWallClock(date: Date, timeZone: string | undefined): WallClock {
  if (!timeZone || timeZone === 'UTC') {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      weekday: date.getUTCDay(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      millisecond: date.getUTCMilliseconds(),
      offsetMinutes: 0,
    };
  }
  const fields: Record<string, number> = {};
  for (const part of zoneFormat(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 0;
  const month = fields.month ?? 1;
  const day = fields.day ?? 1;
  const hour = fields.hour ?? 0;
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  const millisecond = date.getUTCMilliseconds();
  // The zone's offset is how far its wall clock, read as UTC, is from the instant.
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return {
    year,
    month,
    day,
    weekday: new Date(asUtc).getUTCDay(),
    hour,
    minute,
    second,
    millisecond,
    offsetMinutes: Math.round((asUtc - date.getTime()) / 60_000),
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** Reads a Date, epoch milliseconds or an ISO 8601 / RFC 3339 string; throws DateFormatError otherwise. */
export function parseDateValue(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new DateFormatError(`${JSON.stringify(value) ?? String(value)} is not a date`);
  return date;
}

/**
 * Formats `value` with `pattern` (yyyy yy MMMM MMM MM M dd d EEEE EEE HH H hh h mm ss SSS a XXX,
 * 'quoted literal') in `timeZone` (IANA, default UTC); with no pattern, ISO 8601.
 */
export function formatDate(value: unknown, pattern?: string, timeZone?: string): string {
  const date = parseDateValue(value);
  if (!pattern && !timeZone) return date.toISOString();
  const t = toWallClock(date, timeZone);
  return (pattern || "yyyy-MM-dd'T'HH:mm:ss.SSSXXX").replace(TOKEN, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal === '' ? "'" : literal;
    switch (token) {
      case 'yyyy': return pad(t.year, 4);
      case 'yy': return pad(t.year % 100, 2);
      case 'MMMM': return MONTHS[t.month - 1] ?? '';
      case 'MMM': return (MONTHS[t.month - 1] ?? '').slice(0, 3);
      case 'MM': return pad(t.month, 2);
      case 'M': return String(t.month);
      case 'dd': return pad(t.day, 2);
      case 'd': return String(t.day);
      case 'EEEE': return WEEKDAYS[t.weekday] ?? '';
      case 'EEE': return (WEEKDAYS[t.weekday] ?? '').slice(0, 3);
      case 'HH': return pad(t.hour, 2);
      case 'H': return String(t.hour);
      case 'hh': return pad(t.hour % 12 || 12, 2);
      case 'h': return String(t.hour % 12 || 12);
      case 'mm': return pad(t.minute, 2);
      case 'ss': return pad(t.second, 2);
      case 'SSS': return pad(t.millisecond, 3);
      case 'a': return t.hour < 12 ? 'AM' : 'PM';
      default: return formatOffset(t.offsetMinutes); // XXX
    }
  });
}
