/**
 * Page views enriched with user profiles: a stream-table join. Page views arrive keyed by session; the
 * topology re-keys them by user (so the join repartitions them automatically through
 * `<applicationId>-enrich-repartition`) and left-joins each view with the user's current profile from
 * the `user-profiles` table. Views of users without a profile still come out, as region `unknown`.
 * Profile updates alone emit nothing; they change how later views are enriched.
 */
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

/** Input: page views keyed by session id. */
export const PAGE_VIEWS_TOPIC = 'page-views';
/** Input: user profiles keyed by user id (compacted in real deployments). */
export const PROFILES_TOPIC = 'user-profiles';
/** Output: enriched views keyed by user id. */
export const ENRICHED_TOPIC = 'page-views-enriched';
/** The profiles table's store (queryable). */
export const PROFILES_STORE = 'user-profiles';

/** A user's profile. */
export interface UserProfile {
  readonly name: string;
  readonly region: string;
  readonly tier: 'free' | 'pro';
}

/** One page view. */
export interface PageView {
  readonly userId: string;
  readonly page: string;
  readonly durationMs: number;
}

/** A page view with what the profile says about its user. */
export interface EnrichedPageView extends PageView {
  readonly name: string | null;
  readonly region: string;
  readonly tier: string;
}

/** The join's value joiner: a view and its user's profile (null when the user has none). */
export function enrich(view: PageView, profile: UserProfile | null): EnrichedPageView {
  return {
    ...view,
    name: profile?.name ?? null,
    region: profile?.region ?? 'unknown',
    tier: profile?.tier ?? 'unknown',
  };
}

/**
 * The topology.
 * @example
 * const app = new TributaryStreams(enrichPageViewsTopology(), { applicationId: 'enrich', log: { embedded: { dir: './data' } } });
 */
export function enrichPageViewsTopology(options: { kind?: 'lmdb' | 'memory' } = {}): PhysicalTopology {
  const str = Serdes.string();
  const builder = new StreamsBuilder();
  const profiles = builder.table<string, UserProfile>(PROFILES_TOPIC, {
    keySerde: str,
    valueSerde: Serdes.json<UserProfile>(),
    storeName: PROFILES_STORE,
    kind: options.kind ?? 'lmdb',
  });
  builder
    .stream<string, PageView>(PAGE_VIEWS_TOPIC, { keySerde: str, valueSerde: Serdes.json<PageView>() })
    .selectKey((_session, view) => view.userId)
    .leftJoin(profiles, enrich, { name: 'enrich', keySerde: str, valueSerde: Serdes.json<PageView>() })
    .to(ENRICHED_TOPIC, { keySerde: str, valueSerde: Serdes.json<EnrichedPageView>() });
  return builder.build();
}
