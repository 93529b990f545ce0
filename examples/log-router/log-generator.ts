/**
 * Generates a realistic mix of raw log lines (JSON, logfmt, access log and plain text, from several
 * services, mostly info with some warnings and errors) and a share of malformed ones, deterministically
 * from a seed so tests can count what should land where.
 */
import { parseLogLine } from './log-line-parser.ts';
import type { LogLevel } from './log-event.ts';

const SERVICES = ['checkout', 'auth', 'payments', 'search', 'inventory'] as const;
const PATHS = ['/api/cart', '/api/login', '/api/search?q=boots', '/api/orders/17', '/healthz'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const MALFORMED = [
  '{"ts":"2026-11-24T23:00:00Z","level":"info","service":"checkout","msg":"truncated',
  'ts=2026-11-24T23:00:00Z level=loud service=auth msg="unknown level"',
  '\u0000\u0001\u0002 binary garbage',
  '',
  '2026-11-24T23:00:00Z INFO no service bracket here',
  '{"level":"warn","service":"search","msg":"no timestamp"}',
  'java.lang.NullPointerException: at com.example.Foo.bar(Foo.java:42)',
] as const;

/** A tiny deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Options of {@link generateLogLines}. */
export interface LogGeneratorOptions {
  readonly count: number;
  readonly seed?: number;
  /** Share of malformed lines, 0..1. Default 0.03. */
  readonly malformedRate?: number;
  /** Timestamp of the first line. Default: the whole hour two hours ago (recent, so retention keeps it). */
  readonly start?: number;
}

/** Yields `count` raw lines; the n-th line is about 10 ms after the previous one. */
export function* generateLogLines(options: LogGeneratorOptions): Generator<string> {
  const rnd = random(options.seed ?? 42);
  const malformedRate = options.malformedRate ?? 0.03;
  let t = options.start ?? Math.floor(Date.now() / 3_600_000) * 3_600_000 - 7_200_000;
  for (let i = 0; i < options.count; i++) {
    t += Math.floor(rnd() * 20);
    if (rnd() < malformedRate) {
      yield pick(rnd, MALFORMED);
      continue;
    }
    const r = rnd();
    const level = r < 0.1 ? 'debug' : r < 0.8 ? 'info' : r < 0.93 ? 'warn' : r < 0.99 ? 'error' : 'fatal';
    const service = pick(rnd, SERVICES);
    const iso = new Date(t).toISOString();
    const format = rnd();
    if (format < 0.35) {
      yield JSON.stringify({ ts: iso, level, service, msg: `request ${i} handled`, latency_ms: Math.floor(rnd() * 900), user: Math.floor(rnd() * 1000) });
    } else if (format < 0.65) {
      yield `ts=${iso} level=${level} service=${service} msg="step ${i} done" attempt=${1 + Math.floor(rnd() * 3)}`;
    } else if (format < 0.85) {
      const d = new Date(t);
      const status = level === 'error' || level === 'fatal' ? 503 : level === 'warn' ? 404 : 200;
      yield `10.0.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)} - - [${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000] "GET ${pick(rnd, PATHS)} HTTP/1.1" ${status} ${Math.floor(rnd() * 4000)} "-" "curl/8.5"`;
    } else {
      yield `${iso} ${level.toUpperCase()} [${service}] job ${i} finished code=${Math.floor(rnd() * 100)}`;
    }
  }
}

/** What a correct router must produce for these lines: counts per output topic and of malformed lines. */
export function expectedRouting(lines: Iterable<string>, levelTopicOf: (level: LogLevel) => string): { perTopic: Map<string, number>; malformed: number; services: Map<string, number> } {
  const perTopic = new Map<string, number>();
  const services = new Map<string, number>();
  let malformed = 0;
  for (const line of lines) {
    let event;
    try {
      event = parseLogLine(line);
    } catch {
      malformed++;
      continue;
    }
    const topic = levelTopicOf(event.level);
    perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
    services.set(event.service, (services.get(event.service) ?? 0) + 1);
  }
  return { perTopic, malformed, services };
}
