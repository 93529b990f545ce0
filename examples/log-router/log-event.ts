/** A parsed log line: what the log router writes to its output topics (as JSON). */
export interface LogEvent {
  /** Milliseconds since the epoch, from the line itself. */
  readonly timestamp: number;
  readonly level: LogLevel;
  readonly service: string;
  readonly message: string;
  /** Which format the line was written in. */
  readonly format: LogFormat;
  /** Extra key/value fields the line carried (request path, status, user id, ...). */
  readonly fields: Readonly<Record<string, string | number>>;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'logfmt' | 'access' | 'plain';

/** The output topic for a level: `logs.debug`, `logs.info`, `logs.warn`, `logs.error` (trace with debug, fatal with error). */
export function levelTopic(level: LogLevel): string {
  if (level === 'trace') return 'logs.debug';
  if (level === 'fatal') return 'logs.error';
  return `logs.${level}`;
}

export const LEVEL_TOPICS = ['logs.debug', 'logs.info', 'logs.warn', 'logs.error'] as const;
