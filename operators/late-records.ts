/**
 * Late records: records that arrive for a window that already closed (stream time >= window end +
 * grace). Windowed aggregations drop them and count them in their {@link DroppedRecords}; a
 * `lateRecordHandler` option also sees them: a function, or `{ deadLetterTopic }` to write them
 * (original key, value, timestamp and headers) to a topic. The dead-letter path is a child of the
 * aggregation: `<name>-late-records` (a router that passes only late records) -> `<name>-late-records-sink`.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext, RecordMetadata } from '../core/processor/processor-context.ts';
import type { Headers, Record } from '../core/processor/record.ts';
import type { DroppedRecords } from './dropped-records.ts';

/** What a late-record handler is told. */
export interface LateRecordContext<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
  /** The task's stream time when the record arrived. */
  readonly streamTime: number;
  /** Stream time minus grace: windows ending at or before it (before it, for sessions) are closed. */
  readonly windowCloseTime: number;
  /** Where the record was read from (null when a punctuation produced it). */
  readonly metadata: RecordMetadata | null;
}

/** A function called per late record, or a dead-letter topic the late records are written to. */
export type LateRecordHandler<K, V> = ((context: LateRecordContext<K, V>) => void) | { readonly deadLetterTopic: string };

/** The value a windowed aggregation forwards to its late-record router (never reaches other children). */
export class LateRecord<V> {
  constructor(readonly value: V) {}
}

/** The name of the late-record router child of the aggregation `name`. */
export function lateRecordRouterName(name: string): string {
  return `${name}-late-records`;
}

/**
 * Per processor: counts a late record and hands it to the handler.
 *
 * @example
 * this.late = new LateRecords(options.dropped, options.lateRecordHandler, routerName);
 * this.late.drop(context, record, closeTime);
 */
export class LateRecords<K, V> {
  private readonly fn: ((context: LateRecordContext<K, V>) => void) | null;
  private readonly router: string | null;

  constructor(
    private readonly dropped: DroppedRecords,
    handler: LateRecordHandler<K, V> | undefined,
    routerName: string,
  ) {
    this.fn = typeof handler === 'function' ? handler : null;
    this.router = handler !== undefined && typeof handler !== 'function' ? routerName : null;
  }

  /** Counts the record and passes it to the handler or the dead-letter router. */
  drop(context: ProcessorContext<unknown, unknown>, record: Record<K, V>, windowCloseTime: number): void {
    this.dropped.late++;
    if (this.fn !== null) {
      this.fn({
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        headers: record.headers,
        streamTime: context.currentStreamTimeMs(),
        windowCloseTime,
        metadata: context.recordMetadata(),
      });
    } else if (this.router !== null) {
      context.forward(record.withValue(new LateRecord(record.value)), this.router);
    }
  }
}

/**
 * Passes on only {@link LateRecord}s (unwrapped), ignoring the aggregation's regular output.
 *
 * @example
 * topology.addProcessor('counts-late-records', kLateRecordRouter(), 'counts');
 */
export class KLateRecordRouter<K, V> implements Processor<K, unknown, K, V> {
  private context!: ProcessorContext<K, V>;

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, unknown>): void {
    if (record.value instanceof LateRecord) this.context.forward(record.withValue((record.value as LateRecord<V>).value));
  }
}

/** A supplier of {@link KLateRecordRouter}. */
export function kLateRecordRouter<K, V>(): () => KLateRecordRouter<K, V> {
  return () => new KLateRecordRouter<K, V>();
}
