/**
 * The graph of the foreign-key `KTable.join` / `leftJoin` (Kafka Streams' KIP-213 design). The left
 * table's value names the key of a right-table row (`foreignKeyExtractor`); the two tables need not be
 * co-partitioned:
 *
 * ```
 * left table -> <name>-subscription-send --(key fk)--> <app>-<name>-subscription-registration-topic
 *   -> <name>-subscription-receive (subscription store <name>-subscription-store: fk+pk -> hash)
 * right table -> <name>-foreign-subscription (prefix scan of the subscription store by fk)
 *   both --(key pk)--> <app>-<name>-subscription-response-topic
 *   -> <name>-subscription-response-receive (joins only if the hash matches the current left value)
 *   -> <name> (the result node; materialized when the options ask)
 * ```
 *
 * Null keys and values: left rows whose foreign key is null (or undefined) have no partner (`leftJoin`:
 * `joiner(left, null)`; `join`: no result); a deleted left row deletes its result; a deleted right row
 * turns the results of its subscribers into tombstones (`join`) or `joiner(left, null)` (`leftJoin`).
 *
 * Partition counts: the runtime gives the subscription topic the right table's count (it is
 * co-partitioned with the right table) and the response topic the left table's, so the two tables'
 * topics may have different partition counts.
 */
import { TopologyError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Stores } from '../state-stores/stores.ts';
import { CombinedKeySerde } from './combined-key.ts';
import { foreignJoinSubscriptionProcessor } from './foreign-join-subscription-processor.ts';
import { DeferredProcessorNode } from './graph/deferred-processor-node.ts';
import type { WriteContext } from './graph/graph-node.ts';
import { InternalTopicNode } from './graph/internal-topic-node.ts';
import type { StoreFactory } from './graph/stateful-processor-node.ts';
import type { InternalStreamsBuilder } from './internal-streams-builder.ts';
import type { Materialized } from './materialized.ts';
import { subscriptionReceiveProcessor } from './subscription-receive-processor.ts';
import { subscriptionResponseReceiveProcessor } from './subscription-response-receive-processor.ts';
import { responsePartitioner, SubscriptionResponseWrapperSerde } from './subscription-response-wrapper.ts';
import { subscriptionSendProcessor } from './subscription-send-processor.ts';
import { SubscriptionWrapperSerde } from './subscription-wrapper.ts';
import { joinSide, requireJoinable, type JoinableTable, type JoinResult } from './table-join-side.ts';
import { joinResultNode, type TableJoinOptions } from './table-table-join.ts';

/**
 * Options of a foreign-key join: those of {@link TableJoinOptions} (name, the result's `Materialized`
 * options), the foreign key's serde (default: the right table's key serde), and the kind and logging of
 * the subscription store.
 */
export interface ForeignKeyJoinOptions<K, VR, KO> extends TableJoinOptions<K, VR> {
  foreignKeySerde?: Serde<KO>;
  /** The subscription store `<name>-subscription-store` (default: LMDB, changelogged, never cached). */
  subscriptionStore?: Pick<Materialized<unknown, unknown>, 'kind' | 'logging'>;
}

/**
 * Adds a foreign-key join to the graph and returns its result node.
 *
 * @throws TopologyError when `right` is not a table of the same builder (naming both), or the extractor
 *   or joiner is not a function
 */
export function foreignKeyJoin<K, V, KO, VO, VR>(
  builder: InternalStreamsBuilder,
  leftJoin: boolean,
  left: JoinableTable<K, V>,
  right: JoinableTable<KO, VO>,
  foreignKeyExtractor: (value: V) => KO | null | undefined,
  joiner: (value: V, foreignValue: VO | null) => VR,
  options: ForeignKeyJoinOptions<K, VR, KO>,
): JoinResult<K, VR> {
  const op = leftJoin ? 'leftJoin' : 'join';
  requireJoinable(builder, op, left, right);
  if (typeof foreignKeyExtractor !== 'function') throw new TopologyError(`${op}: the foreign key extractor must be a function`);
  if (typeof joiner !== 'function') throw new TopologyError(`${op}: expected a joiner function, got ${joiner === null ? 'null' : typeof joiner}`);
  const name = options.name ?? left.node.nextChildName(leftJoin ? 'fkLeftJoin' : 'fkJoin');
  const l = joinSide(builder, left, name, 'left');
  const r = joinSide(builder, right, name, 'right');
  const subscriptionStore = `${name}-subscription-store`;
  const registrationBase = `${name}-subscription-registration`;
  const hashTopic = `${registrationBase}-topic`;
  const serdes = (context: WriteContext) => ({
    primaryKey: serdeFor(name, 'primary key', options.keySerde ?? left.keySerde, context.defaultKeySerde),
    value: serdeFor(name, 'left value', left.valueSerde, context.defaultValueSerde),
    foreignKey: serdeFor(name, 'foreign key', options.foreignKeySerde ?? right.keySerde, context.defaultKeySerde),
    foreignValue: serdeFor(name, 'right value', right.valueSerde, context.defaultValueSerde),
  });

  const send = new DeferredProcessorNode(`${name}-subscription-send`, [l.node], (context) => {
    const s = serdes(context);
    return subscriptionSendProcessor<K, V, KO, VO, VR>({
      foreignKeyExtractor,
      joiner,
      leftJoin,
      valueSerde: s.value,
      foreignKeySerde: s.foreignKey,
      serdeTopic: hashTopic,
      subscriptionSink: `${registrationBase}-sink`,
      resultNode: name,
    });
  });
  builder.addNode(send);
  const registration = new InternalTopicNode(
    registrationBase,
    [send],
    (context) => {
      const s = serdes(context);
      return { keySerde: s.foreignKey, valueSerde: new SubscriptionWrapperSerde(s.primaryKey) };
    },
    undefined,
  );
  builder.addNode(registration);

  const storeFactory: StoreFactory = {
    name: subscriptionStore,
    build: (context) => {
      const s = serdes(context);
      const store = options.subscriptionStore ?? {};
      return Stores.timestampedKeyValueStoreBuilder({
        name: subscriptionStore,
        keySerde: new CombinedKeySerde(s.foreignKey, s.primaryKey),
        valueSerde: new SubscriptionWrapperSerde(s.primaryKey),
        caching: false,
        ...(store.kind === undefined ? {} : { kind: store.kind }),
        ...(store.logging === undefined ? {} : { logging: store.logging }),
      });
    },
  };
  const receive = new DeferredProcessorNode(
    `${name}-subscription-receive`,
    [registration],
    () => subscriptionReceiveProcessor<KO, K, VO>(subscriptionStore, r.storeName),
    [storeFactory],
    [r.storeName],
  );
  builder.addNode(receive);
  const foreignUpdates = new DeferredProcessorNode(
    `${name}-foreign-subscription`,
    [r.node],
    (context) => {
      const s = serdes(context);
      return foreignJoinSubscriptionProcessor<KO, K, VO>(subscriptionStore, new CombinedKeySerde(s.foreignKey, s.primaryKey).prefixSerializer);
    },
    [],
    [subscriptionStore],
  );
  builder.addNode(foreignUpdates);
  const response = new InternalTopicNode(
    `${name}-subscription-response`,
    [receive, foreignUpdates],
    (context) => {
      const s = serdes(context);
      return { keySerde: s.primaryKey, valueSerde: new SubscriptionResponseWrapperSerde(s.foreignValue) };
    },
    responsePartitioner,
  );
  builder.addNode(response);
  const responseReceive = new DeferredProcessorNode(
    `${name}-subscription-response-receive`,
    [response],
    (context) =>
      subscriptionResponseReceiveProcessor<K, V, VO, VR>({
        leftStoreName: l.storeName,
        joiner,
        leftJoin,
        valueSerde: serdes(context).value,
        serdeTopic: hashTopic,
      }),
    [],
    [l.storeName],
  );
  builder.addNode(responseReceive);
  return joinResultNode(builder, name, [responseReceive, send], left.keySerde, options);
}

function serdeFor<T>(join: string, role: string, given: Serde<T> | undefined, fallback: Serde<unknown> | undefined): Serde<T> {
  const serde = given ?? (fallback as Serde<T> | undefined);
  if (serde === undefined) {
    throw new TopologyError(
      `Foreign-key join "${join}" has no ${role} serde: give the tables serdes (or ForeignKeyJoinOptions.foreignKeySerde / keySerde), or build({ defaultKeySerde, defaultValueSerde })`,
    );
  }
  return serde;
}
