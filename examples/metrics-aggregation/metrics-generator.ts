/**
 * A deterministic generator of service metrics events: a few services with their endpoints, each with
 * its own latency profile (log-normal-ish around a typical latency, with a slow tail) and error rate.
 * Events advance in event time by a fixed rate with a little disorder (some arrive up to `jitterMs`
 * late), so windows close while later events arrive, and the grace period matters.
 */
import type { MetricEvent } from './metric-event.ts';

/** An endpoint's profile. */
interface EndpointProfile {
  readonly service: string;
  readonly endpoint: string;
  readonly typicalMs: number;
  readonly errorRate: number;
}

const PROFILES: readonly EndpointProfile[] = [
  { service: 'checkout', endpoint: 'POST /orders', typicalMs: 120, errorRate: 0.02 },
  { service: 'checkout', endpoint: 'GET /cart', typicalMs: 25, errorRate: 0.005 },
  { service: 'search', endpoint: 'GET /search', typicalMs: 60, errorRate: 0.01 },
  { service: 'search', endpoint: 'GET /suggest', typicalMs: 8, errorRate: 0.001 },
  { service: 'auth', endpoint: 'POST /login', typicalMs: 200, errorRate: 0.03 },
  { service: 'auth', endpoint: 'POST /token', typicalMs: 15, errorRate: 0.002 },
  { service: 'payments', endpoint: 'POST /charge', typicalMs: 350, errorRate: 0.04 },
  { service: 'payments', endpoint: 'GET /status', typicalMs: 12, errorRate: 0.001 },
];

/**
 * A start time for generated events: the whole hour two hours ago. Recent, so topics with the default
 * retention (7 days) keep the events (older ones would be deleted by retention as soon as a log opens
 * them); whole-hour aligned, so windows line up; the same for every call within the same hour.
 */
export function recentStart(now: number = Date.now()): number {
  return Math.floor(now / 3_600_000) * 3_600_000 - 7_200_000;
}

/** Options of {@link generateMetricEvents}. */
export interface MetricsGeneratorOptions {
  /** Event time of the first event. Default 2026-01-01T00:00:00Z. */
  readonly startMs?: number;
  /** Events per second of event time. Default 1000. */
  readonly eventsPerSecond?: number;
  /** Maximum disorder: an event's time may lag the clock by up to this. Default 2000. */
  readonly jitterMs?: number;
  readonly seed?: number;
}

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` events, in production order.
 * @example
 * for (const e of generateMetricEvents(1000)) producer.send(...)
 */
export function* generateMetricEvents(count: number, options: MetricsGeneratorOptions = {}): Generator<MetricEvent> {
  const start = options.startMs ?? recentStart();
  const step = 1000 / (options.eventsPerSecond ?? 1000);
  const jitter = options.jitterMs ?? 2000;
  const random = prng(options.seed ?? 42);
  for (let i = 0; i < count; i++) {
    const p = PROFILES[Math.floor(random() * PROFILES.length)]!;
    // log-normal-ish: typical * e^(N(0, 0.5)), plus a 1% slow tail at 5-10x
    const gauss = (random() + random() + random() + random() - 2) * 0.87;
    let latency = p.typicalMs * Math.exp(gauss * 0.5);
    if (random() < 0.01) latency *= 5 + random() * 5;
    const late = random() < 0.05 ? Math.floor(random() * jitter) : 0;
    yield {
      service: p.service,
      endpoint: p.endpoint,
      latencyMs: Math.round(latency * 10) / 10,
      status: random() < p.errorRate ? 503 : 200,
      timestamp: Math.max(start, Math.floor(start + i * step) - late),
    };
  }
}
