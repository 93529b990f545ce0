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

// Options
export type { Named } from './named.ts';
export type { Consumed } from './consumed.ts';
export type { Produced } from './produced.ts';
export type { Repartitioned } from './repartitioned.ts';
export type { Branched, SplitOptions } from './branched.ts';
export type { PrintOptions, PrintSink } from './printed.ts';
export type { ProcessOptions } from './process-options.ts';

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

// Stable naming
export { childNodeName, sourceNodeName, repartitionTopicName } from './graph/node-naming.ts';
