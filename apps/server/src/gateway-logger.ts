import { pino } from 'pino';

/** Options of {@link createGatewayLogger}. */
export interface GatewayLoggerOptions {
  /** pino level (`logging.level`). */
  readonly level: string;
  /** Human lines when true, JSON lines when false. @default whether stderr is a TTY */
  readonly tty?: boolean;
  /** Where lines go. @default process.stderr */
  readonly write?: (line: string) => void;
  /** The `name` field of every line. @default 'graphiti-server' */
  readonly name?: string;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'event']);

function scalar(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** One pino JSON line as a human line: `12:00:01 WARN  llm_failover: message key=value …`. */
export function humanLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time =
    typeof record.time === 'string' ? record.time.slice(11, 19) : new Date().toISOString().slice(11, 19);
  const level = (LEVELS[Number(record.level)] ?? String(record.level)).padEnd(5);
  const event = typeof record.event === 'string' ? record.event : '';
  const message = typeof record.msg === 'string' && record.msg !== event ? record.msg : '';
  const head = [event, message].filter((part) => part !== '').join(': ');
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${scalar(value)}`)
    .join(' ');
  return `${time} ${level} ${head}${fields === '' ? '' : ` ${fields}`}\n`;
}

/**
 * The gateway's logger, the same for `node dist/main.js` and `graphiti serve`: pino at `level`, human lines
 * on a TTY and JSON lines off one, credentials redacted by field name (values are scrubbed where they are
 * produced).
 */
export function createGatewayLogger(options: GatewayLoggerOptions): pino.Logger {
  const tty = options.tty ?? process.stderr.isTTY === true;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return pino(
    {
      level: options.level,
      base: { name: options.name ?? 'graphiti-server', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', '*.authorization', 'headers.authorization', 'token', 'api_key', 'password'],
        censor: '[redacted]',
      },
    },
    { write: (line: string) => write(tty ? humanLine(line) : line) },
  );
}
