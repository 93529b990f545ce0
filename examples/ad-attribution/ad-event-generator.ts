/**
 * Deterministic ad traffic: impressions and clicks in timestamp order, some clicks following an
 * impression of the same ad to the same user within minutes, others with no impression (or one that is
 * too old); plus the attributions a correct join must produce from them.
 */
import { ATTRIBUTION_WINDOW, attribute, attributionKey, type Attribution, type Click, type Impression } from './ad-attribution-topology.ts';

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

/** One generated event. */
export type AdEvent = { readonly kind: 'impression'; readonly value: Impression; readonly timestamp: number } | { readonly kind: 'click'; readonly value: Click; readonly timestamp: number };

/**
 * `count` events, on average `gapMs` apart (at least 1 ms), from `start` (default: midnight UTC of
 * yesterday, recent enough for the log's 7-day retention).
 */
export function generateAdEvents(count: number, options: { seed?: number; users?: number; ads?: number; gapMs?: number; start?: number } = {}): AdEvent[] {
  const rnd = random(options.seed ?? 11);
  const users = options.users ?? 200;
  const ads = options.ads ?? 6;
  const gap = options.gapMs ?? 400;
  const recent: { value: Impression; timestamp: number }[] = [];
  const out: AdEvent[] = [];
  let t = options.start ?? Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
  for (let i = 0; i < count; i++) {
    t += 1 + Math.floor(rnd() * 2 * gap);
    if (rnd() < 0.7) {
      const adId = `ad-${Math.floor(rnd() * ads)}`;
      const value: Impression = { impressionId: `imp-${i}`, userId: `user-${Math.floor(rnd() * users)}`, adId, campaign: `campaign-${adId.slice(3)}` };
      out.push({ kind: 'impression', value, timestamp: t });
      recent.push({ value, timestamp: t });
      if (recent.length > 200) recent.shift();
    } else if (recent.length > 0 && rnd() < 0.6) {
      const seen = recent[Math.floor(rnd() * recent.length)]!.value; // may be older than 10 minutes
      out.push({ kind: 'click', value: { clickId: `click-${i}`, userId: seen.userId, adId: seen.adId }, timestamp: t });
    } else {
      out.push({ kind: 'click', value: { clickId: `click-${i}`, userId: `user-${Math.floor(rnd() * users)}`, adId: `ad-${Math.floor(rnd() * ads)}` }, timestamp: t });
    }
  }
  return out;
}

/** What the attribution join must emit for `events`: per click, one row per impression in its window, else one unattributed row. */
export function expectedAttributions(events: readonly AdEvent[]): { key: string; value: Attribution }[] {
  const byKey = new Map<string, { value: Impression; timestamp: number }[]>();
  for (const e of events) {
    if (e.kind !== 'impression') continue;
    const key = attributionKey(e.value.userId, e.value.adId);
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push({ value: e.value, timestamp: e.timestamp });
  }
  const out: { key: string; value: Attribution }[] = [];
  for (const e of events) {
    if (e.kind !== 'click') continue;
    const key = attributionKey(e.value.userId, e.value.adId);
    const from = e.timestamp - ATTRIBUTION_WINDOW.beforeMs;
    const to = e.timestamp + ATTRIBUTION_WINDOW.afterMs;
    const matches = (byKey.get(key) ?? []).filter((i) => i.timestamp >= from && i.timestamp <= to);
    if (matches.length === 0) out.push({ key, value: attribute(e.value, null) });
    for (const m of matches) out.push({ key, value: attribute(e.value, m.value) });
  }
  return out;
}
