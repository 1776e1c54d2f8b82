import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets must never reach a log line, whatever object someone logs.
const REDACT = [
  'authorization', '*.authorization', '*.*.authorization',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  'token', '*.token', 'secret', '*.secret', 'secrets', '*.secrets', 'password', '*.password',
  'apiKey', '*.apiKey', 'clientSecret', '*.clientSecret',
];

/** Structured JSON logs, one line per event of interest, secrets redacted. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as never,
  );
}
