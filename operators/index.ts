/**
 * The DSL: StreamsBuilder, KStream and its operators, options and processors.
 */

// Builder and streams
export { StreamsBuilder, type BuildConfig } from './streams-builder.ts';
export {
  KStream,
  type Keying,
  type MergedKeying,
  type PartitionedKStream,
  type RekeyedKStream,
  type CopartitionOptions,
} from './k-stream.ts';
export { BranchedKStream } from './branched-k-stream.ts';
export { type TableOptions, type GlobalTableOptions } from './streams-builder.ts';
export { GlobalKTable } from './global-k-table.ts';
export { GlobalTableStoreBuilder } from './global-table-store-builder.ts';

// Tables, grouping and windowing
export { KTable, type TableOperationOptions, type WindowedKTable } from './k-table.ts';
export { KGroupedStream, type AggregateOptions } from './k-grouped-stream.ts';
export { KGroupedTable, type GroupedTableAggregateOptions } from './k-grouped-table.ts';
export { TimeWindowedKStream, type WindowedByOptions, type WindowedAggregateOptions } from './time-windowed-k-stream.ts';
export { SessionWindowedKStream } from './session-windowed-k-stream.ts';
export { TimeWindows, type TimeWindowsOptions } from './time-windows.ts';
export { SlidingWindows } from './sliding-windows.ts';
export { SessionWindows } from './session-windows.ts';
export type { EmitStrategy } from './emit-strategy.ts';
export { Suppressed, type Suppression, type BufferConfig, type BufferFullPolicy } from './suppressed.ts';
export { Change } from './change.ts';
export { ChangeSerde } from './change-serde.ts';
export { WindowedSerdes } from './windowed-serdes.ts';
export type { Windowed, WindowBounds, ValueAndTimestamp } from './store-views.ts';
export { DroppedRecords } from './dropped-records.ts';
export { LateRecord, type LateRecordContext, type LateRecordHandler } from './late-records.ts';

// Table-table joins (primary key and foreign key)
export { type TableJoinOptions, type TableJoinKind } from './table-table-join.ts';
export { type ForeignKeyJoinOptions } from './foreign-key-join.ts';
export { KTableKTableJoin, kTableKTableJoin } from './k-table-k-table-join.ts';
export { KTableKTableLeftJoin, kTableKTableLeftJoin } from './k-table-k-table-left-join.ts';
export { KTableKTableRightJoin, kTableKTableRightJoin } from './k-table-k-table-right-join.ts';
export { KTableKTableOuterJoin, kTableKTableOuterJoin } from './k-table-k-table-outer-join.ts';
export { KTableKTableJoinMerger, kTableKTableJoinMerger } from './k-table-k-table-join-merger.ts';
export { SubscriptionSendProcessor, subscriptionSendProcessor, type SubscriptionSendSettings } from './subscription-send-processor.ts';
export { SubscriptionReceiveProcessor, subscriptionReceiveProcessor } from './subscription-receive-processor.ts';
export { ForeignJoinSubscriptionProcessor, foreignJoinSubscriptionProcessor } from './foreign-join-subscription-processor.ts';
export {
  SubscriptionResponseReceiveProcessor,
  subscriptionResponseReceiveProcessor,
  type SubscriptionResponseSettings,
} from './subscription-response-receive-processor.ts';
export { SubscriptionWrapper, SubscriptionWrapperSerde, SubscriptionInstruction } from './subscription-wrapper.ts';
export { SubscriptionResponseWrapper, SubscriptionResponseWrapperSerde } from './subscription-response-wrapper.ts';
export { CombinedKey, CombinedKeySerde } from './combined-key.ts';
export { murmur3Hash128 } from './murmur3.ts';

// Joins
export { JoinWindows } from './join-windows.ts';
export type { ValueJoiner } from './value-joiner.ts';
export type { StreamJoined } from './stream-joined.ts';
export type { Joined } from './joined.ts';
export { KStreamKStreamJoin, kStreamKStreamJoin, JoinTimeTracker, type StreamStreamJoinSettings } from './k-stream-k-stream-join.ts';
export { KStreamKTableJoin, kStreamKTableJoin } from './k-stream-k-table-join.ts';
export { KStreamGlobalKTableJoin, kStreamGlobalKTableJoin } from './k-stream-global-k-table-join.ts';
export type { GlobalKeySelector } from './stream-global-table-join.ts';
export {
  TimestampedKeyAndJoinSideSerde,
  LeftOrRightValuesSerde,
  type TimestampedKeyAndJoinSide,
  type LeftOrRightValues,
} from './outer-join-store.ts';

// Options
export type { Named } from './named.ts';
export type { Consumed } from './consumed.ts';
export type { Produced } from './produced.ts';
export type { Repartitioned } from './repartitioned.ts';
export type { Branched, SplitOptions } from './branched.ts';
export type { PrintOptions, PrintSink } from './printed.ts';
export type { ProcessOptions } from './process-options.ts';
export type { Materialized, NamedOperation } from './materialized.ts';
export type { Grouped } from './grouped.ts';

// Processors
export { KStreamMap, kStreamMap, type KeyValue } from './k-stream-map.ts';
export { KStreamMapValues, kStreamMapValues } from './k-stream-map-values.ts';
export { KStreamFlatMap, kStreamFlatMap } from './k-stream-flat-map.ts';
export { KStreamFlatMapValues, kStreamFlatMapValues } from './k-stream-flat-map-values.ts';
export { KStreamFilter, kStreamFilter } from './k-stream-filter.ts';
export { KStreamSelectKey, kStreamSelectKey } from './k-stream-select-key.ts';
export { KStreamPeek, kStreamPeek } from './k-stream-peek.ts';
export { KStreamPassThrough, kStreamPassThrough } from './k-stream-pass-through.ts';
export { KStreamBranch, kStreamBranch } from './k-stream-branch.ts';
export { KStreamPrint, kStreamPrint, defaultPrintMapper } from './k-stream-print.ts';
export { KStreamObservableSink, kStreamObservableSink, type StreamRecord } from './k-stream-observable-sink.ts';

export { KStreamAggregate, kStreamAggregate, type Initializer, type Aggregator } from './k-stream-aggregate.ts';
export { KStreamReduce, kStreamReduce, type Reducer } from './k-stream-reduce.ts';
export { KStreamWindowAggregate, kStreamWindowAggregate, type WindowAggregateSettings } from './k-stream-window-aggregate.ts';
export { KStreamSlidingWindowAggregate, kStreamSlidingWindowAggregate } from './k-stream-sliding-window-aggregate.ts';
export { KStreamSessionWindowAggregate, kStreamSessionWindowAggregate, type Merger } from './k-stream-session-window-aggregate.ts';
export { KTableSource, kTableSource } from './k-table-source.ts';
export { KTableFilter, kTableFilter } from './k-table-filter.ts';
export { KTableMapValues, kTableMapValues } from './k-table-map-values.ts';
export { KTableToStream, kTableToStream } from './k-table-to-stream.ts';
export { KTableRepartitionMap, kTableRepartitionMap } from './k-table-repartition-map.ts';
export { KTableAggregate, kTableAggregate } from './k-table-aggregate.ts';
export { KTableReduce, kTableReduce } from './k-table-reduce.ts';
export { KTableSuppress, kTableSuppress, type SuppressSettings } from './k-table-suppress.ts';
export { KTableForwarder } from './k-table-forwarder.ts';
export { InMemoryTimeOrderedKeyValueBuffer, suppressionBufferBuilder } from './in-memory-time-ordered-key-value-buffer.ts';

// Stable naming
export { childNodeName, sourceNodeName, repartitionTopicName } from './graph/node-naming.ts';
