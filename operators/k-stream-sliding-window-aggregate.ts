/**
 * Sliding-window aggregation (`windowedBy(SlidingWindows)`), Kafka Streams' (2.7+) algorithm: windows
 * `[start, start + diff]` (both ends inclusive) exist only where records make them distinct. A record at
 * `t` is added to every existing window of its key that contains it, creates its left window
 * `[t - diff, t]` (seeded with the aggregate of the records already within `diff` before it), creates
 * its right window `[t + 1, t + 1 + diff]` when a later record already exists within reach, and creates
 * the right window of the previous record when that window now holds this record. Records earlier than
 * `diff` since the epoch share the window `[0, diff]`. A window (end inclusive) is closed when
 * `end < stream time - grace`; a record is late when even its right window would be closed
 * (`t + 1 + diff <= stream time - grace`); closed windows are not updated (the record is counted late).
 * With `onWindowClose`, closed windows are also emitted on a stream-time punctuation (idle-aware
 * closing) and the emit progress survives restarts, as in `KStreamWindowAggregate`.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext, Punctuator } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import { StreamsError } from '../core/errors/streams-errors.ts';
import { Change } from './change.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import type { WindowAggregateSettings } from './k-stream-window-aggregate.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import { LateRecords } from './late-records.ts';
import type { SlidingWindows } from './sliding-windows.ts';
import type { ValueAndTimestamp, WindowStoreView, Windowed } from './store-views.ts';
import { closeCheckInterval } from './window-close-punctuation.ts';
import { WindowEmitProgress } from './window-emit-progress.ts';

/**
 * The sliding-window aggregate processor.
 *
 * @example
 * kStreamSlidingWindowAggregate(SlidingWindows.ofTimeDifferenceWithNoGrace('10s'), () => 0, (_k, _v, n) => n + 1, settings);
 */
export class KStreamSlidingWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: WindowStoreView<K, ValueAndTimestamp<VA>>;
  private forwarder!: KTableForwarder<Windowed<K>, VA>;
  private readonly late: LateRecords<K, V>;
  private readonly onClose: boolean;
  private readonly diff: number;
  private observedStreamTime = -1;
  private lastEmitCloseTime = -1;
  private savedEmitCloseTime = -1;
  private readonly progress: WindowEmitProgress;
  private readonly onStreamTime: Punctuator;
  /** The record being processed (its headers go with the updates it causes). */
  private current!: Record<K, V>;
  /** Whether the record being processed met a closed window. */
  private lateSeen = false;

  constructor(
    private readonly windows: SlidingWindows,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly settings: WindowAggregateSettings<K, V>,
  ) {
    this.late = new LateRecords(settings.dropped, settings.lateRecordHandler, settings.lateRouterName);
    this.onClose = settings.emitStrategy === 'onWindowClose';
    this.diff = windows.timeDifferenceMs;
    this.progress = new WindowEmitProgress(settings.emitTimeStoreName, settings.storeName);
    this.onStreamTime = (time) => this.punctuate(time);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<WindowStoreView<K, ValueAndTimestamp<VA>>>(this.settings.storeName);
    this.forwarder = new KTableForwarder<Windowed<K>, VA>(this.onClose ? null : this.store, context, true);
    if (!this.onClose) return;
    this.lastEmitCloseTime = this.savedEmitCloseTime = this.progress.load(context as ProcessorContext<unknown, unknown>);
    if (this.lastEmitCloseTime >= 0) this.observedStreamTime = Math.max(this.observedStreamTime, this.lastEmitCloseTime + this.windows.graceMs);
    context.schedule(closeCheckInterval(this.diff), 'stream-time', this.onStreamTime);
  }

  /** The close check on stream time (idle-aware closing): stream time follows the task's. */
  private punctuate(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    if (closeTime > this.lastEmitCloseTime) this.emitClosed(closeTime);
    if (this.lastEmitCloseTime > this.savedEmitCloseTime) this.save();
  }

  private save(): void {
    this.savedEmitCloseTime = this.lastEmitCloseTime;
    this.progress.save(this.lastEmitCloseTime);
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.settings.dropped.nullKeyOrValue++;
      return;
    }
    const ts = record.timestamp;
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    if (ts + 1 + this.diff <= closeTime) {
      this.late.drop(this.context as ProcessorContext<unknown, unknown>, record, closeTime);
      return;
    }
    // Closed windows go out before this record's puts (a put moves the store's stream time, which may expire them).
    if (this.onClose && closeTime > this.lastEmitCloseTime) this.emitClosed(closeTime);
    this.current = record;
    this.lateSeen = false;
    if (ts < this.diff) this.processEarly(record.key, ts, closeTime);
    else this.processInOrder(record.key, ts, closeTime);
    if (this.lateSeen) this.late.drop(this.context as ProcessorContext<unknown, unknown>, record, closeTime);
  }

  private processInOrder(key: K, ts: number, closeTime: number): void {
    const diff = this.diff;
    const starts = new Set<number>();
    let leftWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let leftWinAlreadyCreated = false;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;
    for (const { windowStart: start, value } of this.store.fetchRange(key, Math.max(0, ts - 2 * diff), ts + 1)) {
      starts.add(start);
      const end = start + diff;
      if (end < ts) {
        leftWinAgg = value;
        previousRecordTimestamp = value.timestamp;
      } else if (end === ts) {
        leftWinAlreadyCreated = true;
        if (value.timestamp < ts) previousRecordTimestamp = value.timestamp;
        this.updateWindowAndForward(key, start, value, ts, closeTime);
      } else if (start <= ts) {
        rightWinAgg = value;
        this.updateWindowAndForward(key, start, value, ts, closeTime);
      } else if (start === ts + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw new StreamsError(`Sliding window aggregation: unexpected window starting at ${start} for a record at ${ts}`);
      }
    }
    // The previous record's right window, when it does not exist yet and now holds this record.
    if (previousRecordTimestamp !== null) {
      const previousRightStart = previousRecordTimestamp + 1;
      if (!starts.has(previousRightStart) && previousRightStart + diff >= ts) {
        this.updateWindowAndForward(key, previousRightStart, { value: this.initializer(), timestamp: ts }, ts, closeTime);
      }
    }
    // This record's left window.
    if (!leftWinAlreadyCreated) {
      const seed =
        previousRecordTimestamp !== null && leftWinAgg !== null && ts - diff <= previousRecordTimestamp
          ? { value: leftWinAgg.value, timestamp: ts }
          : { value: this.initializer(), timestamp: ts };
      this.updateWindowAndForward(key, ts - diff, seed, ts, closeTime);
    }
    // This record's right window, when a later record exists within reach.
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > ts) this.createRightWindow(key, ts, rightWinAgg);
  }

  /** Records before `diff` since the epoch: their left windows would start before 0, so they share `[0, diff]`. */
  private processEarly(key: K, ts: number, closeTime: number): void {
    const starts = new Set<number>();
    let combined: { start: number; value: ValueAndTimestamp<VA> } | null = null;
    let rightWinAgg: ValueAndTimestamp<VA> | null = null;
    let rightWinAlreadyCreated = false;
    let previousRecordTimestamp: number | null = null;
    for (const { windowStart: start, value } of this.store.fetchRange(key, 0, ts + 1)) {
      starts.add(start);
      if (start === 0) {
        combined = { start, value };
        if (value.timestamp < ts) previousRecordTimestamp = value.timestamp;
      } else if (start <= ts) {
        rightWinAgg = value;
        this.updateWindowAndForward(key, start, value, ts, closeTime);
      } else if (start === ts + 1) {
        rightWinAlreadyCreated = true;
      } else {
        throw new StreamsError(`Sliding window aggregation: unexpected window starting at ${start} for an early record at ${ts}`);
      }
    }
    if (rightWinAgg === null && combined !== null && combined.value.timestamp > ts) rightWinAgg = combined.value;
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > ts) this.createRightWindow(key, ts, rightWinAgg);
    if (previousRecordTimestamp !== null && !starts.has(previousRecordTimestamp + 1)) {
      this.updateWindowAndForward(key, previousRecordTimestamp + 1, { value: this.initializer(), timestamp: ts }, ts, closeTime);
    }
    if (combined === null) this.updateWindowAndForward(key, 0, { value: this.initializer(), timestamp: ts }, ts, closeTime);
    else this.updateWindowAndForward(key, 0, combined.value, ts, closeTime);
  }

  private createRightWindow(key: K, ts: number, rightWinAgg: ValueAndTimestamp<VA>): void {
    const start = ts + 1;
    this.store.put(key, { value: rightWinAgg.value, timestamp: rightWinAgg.timestamp }, start);
    if (!this.onClose) {
      const windowed: Windowed<K> = { key, window: { start, end: start + this.diff } };
      this.forwarder.maybeForward(new Record(windowed, new Change<VA>(rightWinAgg.value, null), rightWinAgg.timestamp, this.current.headers));
    }
  }

  private updateWindowAndForward(key: K, start: number, current: ValueAndTimestamp<VA>, ts: number, closeTime: number): void {
    const end = start + this.diff;
    if (end < closeTime) {
      this.lateSeen = true; // an inclusive end: the window is closed once stream time - grace passes it
      return;
    }
    const oldAgg = current.value;
    const newAgg = this.aggregator(key, this.current.value, oldAgg);
    const timestamp = ts > current.timestamp ? ts : current.timestamp;
    this.store.put(key, { value: newAgg, timestamp }, start);
    if (!this.onClose) {
      this.forwarder.maybeForward(new Record({ key, window: { start, end } }, new Change(newAgg, oldAgg), timestamp, this.current.headers));
    }
  }

  private emitClosed(closeTime: number): void {
    const diff = this.diff;
    const from = this.lastEmitCloseTime < 0 ? 0 : this.lastEmitCloseTime - diff;
    const to = closeTime - diff - 1;
    this.lastEmitCloseTime = closeTime;
    if (to < from || to < 0) return;
    let emitted = false;
    for (const { key, value } of this.store.fetchAll(Math.max(0, from), to)) {
      const windowed: Windowed<K> = { key: key.key, window: { start: key.window.start, end: key.window.start + diff } };
      this.context.forward(new Record(windowed, new Change(value.value, null), value.timestamp));
      emitted = true;
    }
    if (emitted) this.save();
  }
}

/** A supplier of {@link KStreamSlidingWindowAggregate}. */
export function kStreamSlidingWindowAggregate<K, V, VA>(
  windows: SlidingWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
  settings: WindowAggregateSettings<K, V>,
): () => KStreamSlidingWindowAggregate<K, V, VA> {
  return () => new KStreamSlidingWindowAggregate(windows, initializer, aggregator, settings);
}
