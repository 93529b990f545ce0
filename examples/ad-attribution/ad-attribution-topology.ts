/**
 * Ad attribution: clicks joined to the impressions of the same ad shown to the same user in the 10
 * minutes before the click, a stream-stream LEFT join. Both inputs arrive keyed by user; the topology
 * re-keys both by `<user>/<ad>`, so the join repartitions both sides automatically
 * (`<applicationId>-attribution-left-repartition` / `-right-repartition`). A click is credited to every
 * such impression; a click that found none is emitted as unattributed, but only once its window has
 * closed (no impression can still arrive for it), never eagerly.
 */
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { JoinWindows } from '../../operators/join-windows.ts';
import { StreamsBuilder } from '../../operators/streams-builder.ts';

/** Input: ad impressions keyed by user id. */
export const IMPRESSIONS_TOPIC = 'ad-impressions';
/** Input: ad clicks keyed by user id. */
export const CLICKS_TOPIC = 'ad-clicks';
/** Output: one record per credited impression, or one unattributed record per click, keyed by `<user>/<ad>`. */
export const ATTRIBUTIONS_TOPIC = 'ad-attributions';

/** An ad shown to a user. */
export interface Impression {
  readonly impressionId: string;
  readonly userId: string;
  readonly adId: string;
  readonly campaign: string;
}

/** A user clicked an ad. */
export interface Click {
  readonly clickId: string;
  readonly userId: string;
  readonly adId: string;
}

/** A click and the impression it is credited to (null: unattributed). */
export interface Attribution {
  readonly clickId: string;
  readonly userId: string;
  readonly adId: string;
  readonly impressionId: string | null;
  readonly campaign: string | null;
}

/**
 * Clicks look back 10 minutes for impressions (none after the click), with 2 minutes of grace for the
 * disorder the re-keying brings (each side's records reach the join from several upstream tasks). As in
 * Kafka Streams, an unattributed click comes out once stream time passes it by 2 minutes; one that
 * reaches the join behind stream time with no impression yet comes out at once (and is still credited
 * if its impression follows); each side's store keeps 12 minutes (see `JoinWindows`).
 */
export const ATTRIBUTION_WINDOW = JoinWindows.ofTimeDifferenceAndGrace('10m', '2m').after(0);

/** The join key: the same user and the same ad. */
export function attributionKey(userId: string, adId: string): string {
  return `${userId}/${adId}`;
}

/** The value joiner: a click and one matching impression (null when there was none). */
export function attribute(click: Click, impression: Impression | null): Attribution {
  return {
    clickId: click.clickId,
    userId: click.userId,
    adId: click.adId,
    impressionId: impression?.impressionId ?? null,
    campaign: impression?.campaign ?? null,
  };
}

/**
 * The topology.
 * @example
 * const app = new TributaryStreams(adAttributionTopology(), { applicationId: 'ads', log: { embedded: { dir: './data' } } });
 */
export function adAttributionTopology(options: { kind?: 'lmdb' | 'memory' } = {}): PhysicalTopology {
  const str = Serdes.string();
  const clickSerde = Serdes.json<Click>();
  const impressionSerde = Serdes.json<Impression>();
  const builder = new StreamsBuilder();
  const impressions = builder
    .stream<string, Impression>(IMPRESSIONS_TOPIC, { keySerde: str, valueSerde: impressionSerde })
    .selectKey((_user, i) => attributionKey(i.userId, i.adId));
  builder
    .stream<string, Click>(CLICKS_TOPIC, { keySerde: str, valueSerde: clickSerde })
    .selectKey((_user, c) => attributionKey(c.userId, c.adId))
    .leftJoin(impressions, attribute, ATTRIBUTION_WINDOW, {
      name: 'attribution',
      keySerde: str,
      valueSerde: clickSerde,
      otherValueSerde: impressionSerde,
      kind: options.kind ?? 'lmdb',
    })
    .to(ATTRIBUTIONS_TOPIC, { keySerde: str, valueSerde: Serdes.json<Attribution>() });
  return builder.build();
}
