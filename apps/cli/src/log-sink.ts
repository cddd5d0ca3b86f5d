/** A parsed pino record (one JSON log line). */
export type LogRecord = Readonly<Record<string, unknown>> & { readonly level: number; readonly msg?: string };

/** pino's numeric levels. */
export const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
} as const satisfies Readonly<Record<string, number>>;

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every line carries, left out of the human form. */
const NOISE = new Set(['level', 'time', 'name', 'pid', 'hostname', 'msg', 'event', 'v']);

function scalar(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * One human line for a log record: `warn  llm_failover: The message. from_provider=cloud reason=rate_limit`.
 * The event name leads; the message follows when it says more than the name; then the other fields.
 */
export function humanLogLine(record: LogRecord): string {
  const level = (LEVEL_NAMES[record.level] ?? String(record.level)).padEnd(5);
  const event = typeof record.event === 'string' ? record.event : undefined;
  const message = typeof record.msg === 'string' && record.msg !== event ? record.msg : undefined;
  const head = [event, message].filter(Boolean).join(': ');
  const fields = Object.entries(record)
    .filter(([key, value]) => !NOISE.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${scalar(value)}`)
    .join(' ');
  return `${level} ${[head, fields].filter((part) => part !== '').join(' ')}\n`;
}

/** Parses one line pino wrote; undefined for anything that is not a JSON object with a numeric level. */
export function parseLogLine(line: string): LogRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as LogRecord).level === 'number') {
      return value as LogRecord;
    }
  } catch {
    // not JSON: handled by the caller
  }
  return undefined;
}
