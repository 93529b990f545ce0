/**
 * The windowed stream-stream join, with the decisions of Kafka Streams' `KStreamKStreamJoin` (3.1+, as
 * in trunk): one processor per side of the join and task. A record is joined with every record of the
 * other side's window store that has the same key and a timestamp in
 * `[max(0, t - joinBefore), max(0, t + joinAfter)]` (the left side looks `before` back and `after`
 * ahead, the right side the other way round); each result carries the larger of the two timestamps and
 * this record's headers. The record is then put into this side's window store (which retains
 * duplicates; its retention, window size + grace, bounds how late a partner can still be found).
 *
 * Left and outer joins (Kafka's spurious-result fix, KAFKA-10847 / KAFKA-15417):
 * - a record of an outer side that found no partner waits in the outer join shared store, keyed
 *   `[timestamp][side][key]`; if its window already ended (`max(0, t + joinAfter) < stream time`: an
 *   out-of-order record) it is emitted with a null side at once instead;
 * - a match removes the other side's waiting records of that key and timestamp from the store
 *   (Kafka's `putIfAbsent(otherKey, null)` on the list-value store: a delete if present);
 * - each record whose timestamp equals the join's stream time first emits, in store order, the waiting
 *   records whose window closed: a left record at `t` once stream time `> t + after + grace`, a right
 *   one once `> t + before + grace` (`windowsAfterMs` / `windowsBeforeMs`); the scan skips open
 *   entries and stops once it has seen an open entry of both sides. It runs only when
 *   `minTime + joinAfter + grace < stream time`, where `minTime` is the timestamp of the last entry the
 *   previous scan looked at, lowered by every record put since (`sharedTimeTracker`, both sides of a
 *   task share it; not persisted, like Kafka's). Emitted records carry their own timestamp and the
 *   triggering record's headers, and are deleted from the store.
 *
 * Not done: Kafka throttles the scan to once per `emit.interval.ms.kstreams.outer.join.spurious.results.fix`
 * (1 s of wall-clock time, a performance knob); Tributary scans whenever the rule above says so (Kafka
 * with that interval at 0, as its own tests run).
 *
 * Nulls (Kafka 3.7+, KIP-962): a record with a null value is dropped and counted on both sides; a record
 * with a null key (and a value) is dropped and counted on an inner side, and on an outer side (the left
 * of `leftJoin`, both of `outerJoin`) emitted at once with a null side and its own timestamp, never
 * stored. Either way it first advances the join's stream time, as in Kafka.
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import type { DroppedRecords } from './dropped-records.ts';
import type { JoinWindows } from './join-windows.ts';
import type { OuterJoinStoreView, TimestampedKeyAndJoinSide } from './outer-join-store.ts';
import type { WindowStoreView } from './store-views.ts';
import type { ValueJoiner } from './value-joiner.ts';

/** Kafka's `Long.MAX_VALUE` minimum time: nothing known to wait in the outer join store. */
const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

/** Kafka's `KStreamImplJoin.TimeTracker`: the stream time of one join in one task, shared by its two processors. */
export class JoinTimeTracker {
  /** The largest timestamp either side has seen; -1 before the first record. */
  streamTime = -1;
  /** The scan shortcut's minimum time (see {@link KStreamKStreamJoin}); `Number.MAX_SAFE_INTEGER` for Kafka's `Long.MAX_VALUE`. */
  minTime = NO_MIN_TIME;
}

/** What both processors of one join share (one object per DSL join, for every task). */
export interface StreamStreamJoinSettings<K> {
  readonly windows: JoinWindows;
  /** The user's joiner, left value first; the missing side of an outer result is null. */
  readonly joiner: ValueJoiner<K, unknown, unknown, unknown>;
  readonly leftOuter: boolean;
  readonly rightOuter: boolean;
  readonly leftStoreName: string;
  readonly rightStoreName: string;
  /** The outer join shared store; null for inner joins. */
  readonly outerStoreName: string | null;
  readonly dropped: DroppedRecords;
  /** Per-task trackers, keyed by the task's left window store. */
  readonly trackers: WeakMap<object, JoinTimeTracker>;
}

/**
 * One side of a stream-stream join.
 *
 * @example
 * topology.addProcessor('j-this-join', kStreamKStreamJoin(true, settings), 'clicks');
 */
export class KStreamKStreamJoin<K, V, VO> implements Processor<K, V, K, unknown> {
  private context!: ProcessorContext<K, unknown>;
  private thisStore!: WindowStoreView<K, V>;
  private otherStore!: WindowStoreView<K, VO>;
  private outerStore: OuterJoinStoreView<K> | null = null;
  private tracker!: JoinTimeTracker;
  /** This side's look at the other side: partners lie in `[t - joinBeforeMs, t + joinAfterMs]`. */
  private readonly joinBeforeMs: number;
  private readonly joinAfterMs: number;
  private readonly graceMs: number;
  /** How long after its timestamp a waiting left (`after`) or right (`before`) record's window stays open. */
  private readonly leftLookBackMs: number;
  private readonly rightLookBackMs: number;
  private readonly outer: boolean;
  private readonly joiner: ValueJoiner<K, unknown, unknown, unknown>;

  constructor(
    private readonly isLeftSide: boolean,
    private readonly settings: StreamStreamJoinSettings<K>,
  ) {
    const w = settings.windows;
    this.joinBeforeMs = isLeftSide ? w.beforeMs : w.afterMs;
    this.joinAfterMs = isLeftSide ? w.afterMs : w.beforeMs;
    this.graceMs = w.graceMs;
    this.leftLookBackMs = w.afterMs;
    this.rightLookBackMs = w.beforeMs;
    this.outer = isLeftSide ? settings.leftOuter : settings.rightOuter;
    this.joiner = settings.joiner;
  }

  init(context: ProcessorContext<K, unknown>): void {
    const s = this.settings;
    this.context = context;
    this.thisStore = context.getStateStore<WindowStoreView<K, V>>(this.isLeftSide ? s.leftStoreName : s.rightStoreName);
    this.otherStore = context.getStateStore<WindowStoreView<K, VO>>(this.isLeftSide ? s.rightStoreName : s.leftStoreName);
    if (s.outerStoreName !== null) this.outerStore = context.getStateStore<OuterJoinStoreView<K>>(s.outerStoreName);
    const leftStore = this.isLeftSide ? this.thisStore : this.otherStore;
    let tracker = s.trackers.get(leftStore);
    if (tracker === undefined) s.trackers.set(leftStore, (tracker = new JoinTimeTracker()));
    this.tracker = tracker;
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    const value = record.value;
    const ts = record.timestamp;
    const tracker = this.tracker;
    if (ts > tracker.streamTime) tracker.streamTime = ts;
    if (key === null || key === undefined || value === null || value === undefined) {
      // KIP-962 (Kafka 3.7+): an outer side's null-key record can never match; it is emitted at once with a null side.
      if (this.outer && value !== null && value !== undefined) {
        this.context.forward(new Record(key, this.isLeftSide ? this.joiner(value, null, key) : this.joiner(null, value, key), ts, record.headers));
      } else this.settings.dropped.nullKeyOrValue++;
      return;
    }
    const outerStore = this.outerStore;
    if (outerStore !== null && ts === tracker.streamTime) this.emitNonJoined(record);
    const from = ts - this.joinBeforeMs;
    const to = ts + this.joinAfterMs;
    const timeTo = to < 0 ? 0 : to;
    let matched = false;
    for (const other of this.otherStore.fetchRange(key, from < 0 ? 0 : from, timeTo)) {
      matched = true;
      const otherTs = other.windowStart;
      if (outerStore !== null) this.removeWaiting(outerStore, key, otherTs);
      const result = this.isLeftSide ? this.joiner(value, other.value, key) : this.joiner(other.value, value, key);
      this.context.forward(new Record(key, result, ts > otherTs ? ts : otherTs, record.headers));
    }
    if (!matched && this.outer) {
      if (outerStore === null || timeTo < tracker.streamTime) {
        this.context.forward(new Record(key, this.isLeftSide ? this.joiner(value, null, key) : this.joiner(null, value, key), ts, record.headers));
      } else {
        if (ts < tracker.minTime) tracker.minTime = ts;
        this.addWaiting(outerStore, key, value, ts);
      }
    }
    // Kafka's KStreamJoinWindow forwards to the join first, then puts into this side's window store.
    this.thisStore.put(key, value, ts);
  }

  /** A partner arrived for the other side's waiting records of `key` at `otherTs`: all of them leave the store. */
  private removeWaiting(store: OuterJoinStoreView<K>, key: K, otherTs: number): void {
    const k: TimestampedKeyAndJoinSide<K> = { timestamp: otherTs, leftSide: !this.isLeftSide, key };
    if (store.get(k) !== undefined) store.put(k, null);
  }

  private addWaiting(store: OuterJoinStoreView<K>, key: K, value: V, ts: number): void {
    const k: TimestampedKeyAndJoinSide<K> = { timestamp: ts, leftSide: this.isLeftSide, key };
    const existing = store.get(k);
    if (existing === undefined) store.put(k, { leftSide: this.isLeftSide, values: [value] });
    else {
      existing.values.push(value);
      store.put(k, existing);
    }
  }

  /** Whether a waiting record's window is still open: `t + look-back + grace >= stream time`. */
  private isOpen(entry: TimestampedKeyAndJoinSide<K>, streamTime: number): boolean {
    return entry.timestamp + (entry.leftSide ? this.leftLookBackMs : this.rightLookBackMs) + this.graceMs >= streamTime;
  }

  /** Kafka's `emitNonJoinedOuterRecords`: emits and deletes the waiting records whose window closed. */
  private emitNonJoined(record: Record<K, V>): void {
    const tracker = this.tracker;
    const streamTime = tracker.streamTime;
    if (tracker.minTime === NO_MIN_TIME) {
      // Kafka computes Long.MAX_VALUE + joinAfter + grace, which wraps negative (and so scans) only when positive.
      if (this.joinAfterMs + this.graceMs <= 0) return;
    } else if (tracker.minTime + this.joinAfterMs + this.graceMs >= streamTime) return;
    tracker.minTime = NO_MIN_TIME;
    const store = this.outerStore!;
    let leftOpen = false;
    let rightOpen = false;
    const emitted: TimestampedKeyAndJoinSide<K>[] = [];
    for (const { key, value } of store.all()) {
      tracker.minTime = key.timestamp;
      if (leftOpen && rightOpen) break;
      if (this.isOpen(key, streamTime)) {
        if (key.leftSide) leftOpen = true;
        else rightOpen = true;
        continue;
      }
      for (const v of value.values) {
        const result = key.leftSide ? this.joiner(v, null, key.key) : this.joiner(null, v, key.key);
        this.context.forward(new Record(key.key, result, key.timestamp, record.headers));
      }
      emitted.push(key);
    }
    for (const key of emitted) store.put(key, null);
  }
}

/** A supplier of one side of a {@link KStreamKStreamJoin}. */
export function kStreamKStreamJoin<K, V, VO>(isLeftSide: boolean, settings: StreamStreamJoinSettings<K>): () => KStreamKStreamJoin<K, V, VO> {
  return () => new KStreamKStreamJoin<K, V, VO>(isLeftSide, settings);
}
