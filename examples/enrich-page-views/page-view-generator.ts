/**
 * Deterministic test data for the page-view enrichment: profiles for most users (every tenth user has
 * none), then page views by random sessions of random users, timestamped after the profiles.
 */
import type { PageView, UserProfile } from './enrich-page-views-topology.ts';

const REGIONS = ['eu-west', 'us-east', 'ap-south', 'sa-east'] as const;
const PAGES = ['/home', '/search', '/product/17', '/product/42', '/cart', '/checkout'] as const;
const NAMES = ['ann', 'bob', 'cyd', 'dee', 'eli', 'fay', 'gus', 'hal'] as const;

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

/**
 * The default start of generated time: midnight UTC of yesterday, recent enough for the log's 7-day
 * retention and the same all day long.
 */
export function defaultStart(): number {
  return Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
}

/** A keyed, timestamped record. */
export interface Keyed<V> {
  readonly key: string;
  readonly value: V;
  readonly timestamp: number;
}

/** The id of user `i`. */
export function userId(i: number): string {
  return `user-${String(i).padStart(4, '0')}`;
}

/** Profiles of `users` users, one per user except every tenth, at `start`, `start + 1`, ... */
export function generateProfiles(users: number, start = defaultStart()): Keyed<UserProfile>[] {
  const out: Keyed<UserProfile>[] = [];
  for (let i = 0; i < users; i++) {
    if (i % 10 === 9) continue;
    out.push({
      key: userId(i),
      value: { name: `${NAMES[i % NAMES.length]}-${i}`, region: REGIONS[i % REGIONS.length]!, tier: i % 3 === 0 ? 'pro' : 'free' },
      timestamp: start + i,
    });
  }
  return out;
}

/** `count` page views keyed by session, by random users, a few ms apart, starting one minute after `start`. */
export function generatePageViews(count: number, users: number, seed = 7, start = defaultStart()): Keyed<PageView>[] {
  const rnd = random(seed);
  const out: Keyed<PageView>[] = [];
  let t = start + 60_000;
  for (let i = 0; i < count; i++) {
    t += Math.floor(rnd() * 10);
    const user = Math.floor(rnd() * users);
    out.push({
      key: `session-${user}-${Math.floor(rnd() * 3)}`,
      value: { userId: userId(user), page: PAGES[Math.floor(rnd() * PAGES.length)]!, durationMs: Math.floor(rnd() * 30_000) },
      timestamp: t,
    });
  }
  return out;
}
