/**
 * Session-window aggregation (`windowedBy(SessionWindows)`): a record at `t` looks up the sessions of
 * its key within the inactivity gap (`[t - gap, t + gap]`); it joins them all (a record that bridges
 * two sessions merges them, their aggregates combined with the merger) or starts the session `[t, t]`.
 * When sessions merge, each old session is removed and forwarded as a tombstone (`Change(null, old)`)
 * before the merged session's new aggregate. Stream time is the largest timestamp this processor has
 * seen; a record whose (merged) session ends before `stream time - grace` is late: dropped, counted and
 * handed to the late-record handler. Results are keyed by `Windowed<K>` with inclusive start and end.
 * With `onWindowClose`, closed sessions are also emitted on a stream-time punctuation (idle-aware
 * closing, see `window-close-punctuation.ts`).
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext, Punctuator } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import { Change } from './change.ts';
import type { Aggregator, Initializer } from './k-stream-aggregate.ts';
import type { WindowAggregateSettings } from './k-stream-window-aggregate.ts';
import { KTableForwarder } from './k-table-forwarder.ts';
import { LateRecords } from './late-records.ts';
import type { SessionWindows } from './session-windows.ts';
import type { SessionStoreView, Windowed } from './store-views.ts';
import { closeCheckInterval } from './window-close-punctuation.ts';

/** Combines the aggregates of two sessions that merge. */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/**
 * The session-window aggregate processor.
 *
 * @example
 * kStreamSessionWindowAggregate(SessionWindows.ofInactivityGapWithNoGrace('5m'), () => 0, (_k, _v, n) => n + 1, (_k, a, b) => a + b, settings);
 */
export class KStreamSessionWindowAggregate<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  private context!: ProcessorContext<Windowed<K>, Change<VA>>;
  private store!: SessionStoreView<K, VA>;
  private forwarder!: KTableForwarder<Windowed<K>, VA>;
  private readonly late: LateRecords<K, V>;
  private readonly onClose: boolean;
  private observedStreamTime = -1;
  /** Open sessions by close order, for `onWindowClose` (see {@link SessionCloseTracker}). */
  private readonly closing: SessionCloseTracker<K, VA> | null;

  constructor(
    private readonly windows: SessionWindows,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly merger: Merger<K, VA>,
    private readonly settings: WindowAggregateSettings<K, V>,
  ) {
    this.late = new LateRecords(settings.dropped, settings.lateRecordHandler, settings.lateRouterName);
    this.onClose = settings.emitStrategy === 'onWindowClose';
    this.closing = this.onClose ? new SessionCloseTracker<K, VA>() : null;
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<SessionStoreView<K, VA>>(this.settings.storeName);
    this.forwarder = new KTableForwarder<Windowed<K>, VA>(this.onClose ? null : this.store, context, false);
    if (this.closing !== null) context.schedule(closeCheckInterval(this.windows.inactivityGapMs), 'stream-time', this.onStreamTime);
  }

  /** The close check on stream time (idle-aware closing): stream time follows the task's. */
  private readonly onStreamTime: Punctuator = (time) => {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    this.closing!.emitClosed(this.observedStreamTime - this.windows.graceMs, this.context);
  };

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined || record.value === null || record.value === undefined) {
      this.settings.dropped.nullKeyOrValue++;
      return;
    }
    const ts = record.timestamp;
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const closeTime = this.observedStreamTime - this.windows.graceMs;
    const gap = this.windows.inactivityGapMs;
    const merged: { key: Windowed<K>; value: VA }[] = [];
    let start = ts;
    let end = ts;
    let agg = this.initializer();
    for (const session of this.store.findSessions(key, ts - gap, ts + gap)) {
      merged.push(session);
      agg = this.merger(key, agg, session.value);
      if (session.key.window.start < start) start = session.key.window.start;
      if (session.key.window.end > end) end = session.key.window.end;
    }
    if (end < closeTime) {
      this.late.drop(this.context as ProcessorContext<unknown, unknown>, record, closeTime);
      return;
    }
    if (start !== ts || end !== ts) {
      for (const session of merged) {
        this.store.remove(session.key);
        if (this.closing !== null) this.closing.remove(session.key);
        else this.forwarder.maybeForward(new Record(session.key, new Change<VA>(null, session.value), ts, record.headers));
      }
    }
    agg = this.aggregator(key, record.value, agg);
    const sessionKey: Windowed<K> = { key, window: { start, end } };
    this.store.put(sessionKey, agg);
    if (this.closing !== null) {
      this.closing.put(sessionKey, agg, ts);
      this.closing.emitClosed(closeTime, this.context);
    } else {
      this.forwarder.maybeForward(new Record(sessionKey, new Change<VA>(agg, null), ts, record.headers));
    }
  }
}

/**
 * `onWindowClose` for sessions: the sessions not yet final, ordered by end, so the ones that closed
 * (end < stream time - grace) are emitted once. Kept in memory by the processor.
 */
class SessionCloseTracker<K, VA> {
  private readonly open = new Map<string, { key: Windowed<K>; value: VA; timestamp: number }>();

  private static id(key: Windowed<unknown>): string {
    return `${key.window.start}:${key.window.end}:${typeof key.key === 'string' ? key.key : JSON.stringify(key.key)}`;
  }

  /** The smallest end among the open sessions (a lower bound): nothing closes before it. */
  private minEnd = Infinity;

  put(key: Windowed<K>, value: VA, timestamp: number): void {
    this.open.set(SessionCloseTracker.id(key), { key, value, timestamp });
    if (key.window.end < this.minEnd) this.minEnd = key.window.end;
  }

  remove(key: Windowed<K>): void {
    this.open.delete(SessionCloseTracker.id(key));
  }

  emitClosed(closeTime: number, context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    if (closeTime <= this.minEnd) return;
    let closed: { key: Windowed<K>; value: VA; timestamp: number }[] | null = null;
    let minEnd = Infinity;
    for (const [id, s] of this.open) {
      if (s.key.window.end >= closeTime) {
        if (s.key.window.end < minEnd) minEnd = s.key.window.end;
        continue;
      }
      (closed ??= []).push(s);
      this.open.delete(id);
    }
    this.minEnd = minEnd;
    if (closed === null) return;
    closed.sort((a, b) => a.key.window.end - b.key.window.end);
    for (const s of closed) context.forward(new Record(s.key, new Change<VA>(s.value, null), s.timestamp));
  }
}

/** A supplier of {@link KStreamSessionWindowAggregate}. */
export function kStreamSessionWindowAggregate<K, V, VA>(
  windows: SessionWindows,
  initializer: Initializer<VA>,
  aggregator: Aggregator<K, V, VA>,
  merger: Merger<K, VA>,
  settings: WindowAggregateSettings<K, V>,
): () => KStreamSessionWindowAggregate<K, V, VA> {
  return () => new KStreamSessionWindowAggregate(windows, initializer, aggregator, merger, settings);
}
