/**
 * Parses raw log lines of four common shapes into {@link LogEvent}s:
 *
 *   json    {"ts":"2026-11-24T23:00:00.123Z","level":"info","service":"checkout","msg":"order placed","order":17}
 *   logfmt  ts=2026-11-24T23:00:00.123Z level=warn service=auth msg="token near expiry" user=42
 *   access  10.0.0.7 - - [24/Nov/2026:23:00:00 +0000] "GET /api/cart HTTP/1.1" 503 512 "-" "curl/8.5"
 *   plain   2026-11-24T23:00:00.123Z ERROR [payments] card declined code=51
 *
 * Anything else, or a line missing its timestamp, level or service, is malformed: {@link parseLogLine}
 * throws a {@link LogLineError} saying why.
 */
import { LOG_LEVELS, type LogEvent, type LogLevel } from './log-event.ts';

/** A line that is not a log line this router understands. */
export class LogLineError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'LogLineError';
  }
}

const LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'trace', debug: 'debug', info: 'info', information: 'info', warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', fatal: 'fatal', critical: 'fatal', crit: 'fatal',
};

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};

function level(raw: unknown): LogLevel {
  const l = typeof raw === 'string' ? LEVEL_ALIASES[raw.toLowerCase()] : undefined;
  if (l === undefined) throw new LogLineError(`unknown level ${JSON.stringify(raw)} (expected one of ${LOG_LEVELS.join(', ')})`);
  return l;
}

function time(raw: unknown): number {
  const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(t)) throw new LogLineError(`bad timestamp ${JSON.stringify(raw)}`);
  return t;
}

function service(raw: unknown): string {
  if (typeof raw !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(raw)) throw new LogLineError(`bad service ${JSON.stringify(raw)}`);
  return raw;
}

function scalar(v: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(v) && v.length < 16 ? Number(v) : v;
}

function parseJson(line: string): LogEvent {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    throw new LogLineError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new LogLineError('JSON line is not an object');
  const { ts, level: lv, service: svc, msg, ...rest } = obj as Record<string, unknown>;
  const fields: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(rest)) if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
  return { timestamp: time(ts), level: level(lv), service: service(svc), message: typeof msg === 'string' ? msg : '', format: 'json', fields };
}

const LOGFMT_PAIR = /([a-zA-Z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;

function parseLogfmt(line: string): LogEvent {
  const pairs: Record<string, string> = {};
  for (const m of line.matchAll(LOGFMT_PAIR)) {
    const v = m[2]!;
    pairs[m[1]!] = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  }
  const { ts, level: lv, service: svc, msg, ...rest } = pairs;
  if (ts === undefined || lv === undefined || svc === undefined) throw new LogLineError('logfmt line needs ts, level and service');
  const fields: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(rest)) fields[k] = scalar(v);
  return { timestamp: time(ts), level: level(lv), service: service(svc), message: msg ?? '', format: 'logfmt', fields };
}

const ACCESS = /^(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})\] "(\w+) (\S+) [^"]*" (\d{3}) (\d+|-)/;

function parseAccess(line: string): LogEvent {
  const m = ACCESS.exec(line);
  if (m === null) throw new LogLineError('not a combined access log line');
  const month = MONTHS[m[3]!];
  if (month === undefined) throw new LogLineError(`bad month ${m[3]}`);
  const status = Number(m[10]);
  return {
    timestamp: time(`${m[4]}-${month}-${m[2]}T${m[5]}${m[6]}:${m[7]}`),
    level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
    service: 'edge',
    message: `${m[8]} ${m[9]} ${status}`,
    format: 'access',
    fields: { client: m[1]!, method: m[8]!, path: m[9]!, status, bytes: m[11] === '-' ? 0 : Number(m[11]) },
  };
}

const PLAIN = /^(\d{4}-\d{2}-\d{2}T\S+)\s+([A-Za-z]+)\s+\[([^\]]+)\]\s*(.*)$/;

function parsePlain(line: string): LogEvent {
  const m = PLAIN.exec(line);
  if (m === null) throw new LogLineError('unrecognised line format');
  const fields: Record<string, string | number> = {};
  for (const f of m[4]!.matchAll(LOGFMT_PAIR)) fields[f[1]!] = scalar(f[2]!);
  return { timestamp: time(m[1]), level: level(m[2]), service: service(m[3]), message: m[4]!, format: 'plain', fields };
}

/**
 * Parses one raw line.
 * @throws LogLineError naming what is wrong with the line.
 */
export function parseLogLine(line: string): LogEvent {
  const trimmed = line.trim();
  if (trimmed.length === 0) throw new LogLineError('empty line');
  if (trimmed.startsWith('{')) return parseJson(trimmed);
  if (/^\d{1,3}(\.\d{1,3}){3} /.test(trimmed)) return parseAccess(trimmed);
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return parsePlain(trimmed);
  if (trimmed.includes('=')) return parseLogfmt(trimmed);
  throw new LogLineError('unrecognised line format');
}
