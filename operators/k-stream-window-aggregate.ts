/**
 * Time-windowed aggregation (`windowedBy(TimeWindows)` + `aggregate` / `count` / `reduce`): folds each
 * record into the aggregate of every window that contains it (one for tumbling windows, `size / advance`
 * for hopping ones), in a window store of timestamped aggregates. Stream time is the largest timestamp
 * this processor has seen; a window is closed when stream time >= window end + grace, and a record
 * that falls only in closed windows (or in some closed ones) is late for those: not aggregated there,
 * counted, and handed to the late-record handler. Results are `Change`s keyed by `Windowed<K>` (end
 * exclusive), forwarded per update (`onWindowUpdate`) or once when the window closes (`onWindowClose`).
 * With `onWindowClose` a stream-time punctuation also checks for closed windows (so idle-aware closing
 * emits quiet keys' final results, see `window-close-punctuation.ts`), and how far it emitted is kept in
 * the processor's emit-time store, so a restarted task does not emit a window twice.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext, Punctuator } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { EmitStrategy } from './emit-strategy.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import { LateRecords, type LateRecordHandler } from './late-records.ts';
import type { ValueAndTimestamp, WindowStoreView, Windowed } from './store-views.ts';
import type { TimeWindows } from './time-windows.ts';
import { closeCheckInterval } from './window-close-punctuation.ts';
import { WindowEmitProgress } from './window-emit-progress.ts';

/** Settings shared by the windowed aggregation processors. */
export interface WindowAggregateSettings<K, V> {
  readonly storeName: string;
  readonly emitStrategy: EmitStrategy;
  readonly dropped: DroppedRecords;
  readonly lateRecordHandler: LateRecordHandler<K, V> | undefined;
  /** The late-record router child (used with a dead-letter topic). */
  readonly lateRouterName: string;
  /** `onWindowClose`: the key-value store keeping how far the processor emitted (absent: in memory only). */
  readonly emitTimeStoreName?: string;
}

/**
 * The time-window aggregate processor.
 *
 * @example
 * kStreamWindowAggregate(TimeWindows.ofSizeWithNoGrace('5m'), () => 0, (_k, _v, n) => n + 1, settings);
 */
export class KStreamWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStoreView<K, ValueAndTimestamp<VA>>;
  private forwarder!: KTableForwarder<Windowed<K>, VA>;
  private readonly late: LateRecords<K, V>;
  private readonly onClose: boolean;
  private observedStreamTime = -1;
  /** Close time up to which final results were emitted (`onWindowClose`); -1: none yet. */
  private lastEmitCloseTime = -1;
  private savedEmitCloseTime = -1;
  /** The first window end after `lastEmitCloseTime`: nothing can close before close time reaches it. */
  private nextWindowEnd = 0;
  private readonly progress: WindowEmitProgress;
  private readonly onStreamTime: Punctuator;

  constructor(
    private readonly windows: TimeWindows,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly settings: WindowAggregateSettings<K, V>,
  ) {
    this.late = new LateRecords(settings.dropped, settings.lateRecordHandler, settings.lateRouterName);
    this.onClose = settings.emitStrategy === 'onWindowClose';
    this.progress = new WindowEmitProgress(settings.emitTimeStoreName, settings.storeName);
    this.onStreamTime = (time) => this.punctuate(time);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<WindowStoreView<K, ValueAndTimestamp<VA>>>(this.settings.storeName);
    this.forwarder = new KTableForwarder<Windowed<K>, VA>(this.onClose ? null : this.store, context, true);
    if (!this.onClose) return;
    this.lastEmitCloseTime = this.savedEmitCloseTime = this.progress.load(context as ProcessorContext<unknown, unknown>);
    // Windows up to that close time were final: stream time was at least close time + grace.
    if (this.lastEmitCloseTime >= 0) this.observedStreamTime = Math.max(this.observedStreamTime, this.lastEmitCloseTime + this.windows.graceMs);
    this.nextWindowEnd = this.windowEndAfter(this.lastEmitCloseTime);
    context.schedule(closeCheckInterval(this.windows.advanceMs), 'stream-time', this.onStreamTime);
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined || record.value === null || record.value === undefined) {
      this.settings.dropped.nullKeyOrValue++;
      return;
    }
    const ts = record.timestamp;
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    // Closed windows go out before this record's puts: a put moves the store's stream time, which may expire
    // a window that closes at the same time (retention size + grace). The record's own windows are open or late.
    if (this.onClose && closeTime >= this.nextWindowEnd) this.emitClosed(closeTime);
    const size = this.windows.sizeMs;
    let late = false;
    for (let start = this.windows.firstWindowStart(ts); start <= ts; start += this.windows.advanceMs) {
      const end = start + size;
      if (end <= closeTime) {
        late = true;
        continue;
      }
      const old = this.store.fetch(key, start);
      const oldAgg = old === undefined ? null : old.value;
      const newAgg = this.aggregator(key, record.value, oldAgg === null ? this.initializer() : oldAgg);
      const timestamp = old === undefined || ts > old.timestamp ? ts : old.timestamp;
      this.store.put(key, { value: newAgg, timestamp }, start);
      if (!this.onClose && !this.forwarder.cachingEnabled) {
        this.forwarder.maybeForward(new Record({ key, window: { start, end } }, new Change(newAgg, oldAgg), timestamp, record.headers));
      }
    }
    if (late) this.late.drop(this.context as ProcessorContext<unknown, unknown>, record, closeTime);
  }

  /** The close check on stream time (idle-aware closing): stream time follows the task's. */
  private punctuate(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    if (closeTime >= this.nextWindowEnd) this.emitClosed(closeTime);
    if (this.lastEmitCloseTime > this.savedEmitCloseTime) this.save();
  }

  /** The smallest window end (`k * advance + size`, k >= 0) after `time`. */
  private windowEndAfter(time: number): number {
    const { sizeMs, advanceMs } = this.windows;
    return Math.max(0, Math.floor((time - sizeMs) / advanceMs) + 1) * advanceMs + sizeMs;
  }

  /** Forwards every window that closed since the last emission (end in `(lastEmitCloseTime, closeTime]`). */
  private emitClosed(closeTime: number): void {
    const size = this.windows.sizeMs;
    const from = this.lastEmitCloseTime < 0 ? 0 : this.lastEmitCloseTime - size + 1;
    const to = closeTime - size;
    this.lastEmitCloseTime = closeTime;
    this.nextWindowEnd = this.windowEndAfter(closeTime);
    if (to < from || to < 0) return;
    let emitted = false;
    for (const { key, value } of this.store.fetchAll(Math.max(0, from), to)) {
      const windowed: Windowed<K> = { key: key.key, window: { start: key.window.start, end: key.window.start + size } };
      this.context.forward(new Record(windowed, new Change(value.value, null), value.timestamp));
      emitted = true;
    }
    if (emitted) this.save();
  }

  private save(): void {
    this.savedEmitCloseTime = this.lastEmitCloseTime;
    this.progress.save(this.lastEmitCloseTime);
  }
}

/** A supplier of {@link KStreamWindowAggregate}. */
export function kStreamWindowAggregate<K, V, VA>(
  windows: TimeWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
  settings: WindowAggregateSettings<K, V>,
): () => KStreamWindowAggregate<K, V, VA> {
  return () => new KStreamWindowAggregate(windows, initializer, aggregator, settings);
}
