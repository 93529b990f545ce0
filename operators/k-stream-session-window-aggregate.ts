/**
 * Session-window aggregation (`windowedBy(SessionWindows)`): a record at `t` looks up the sessions of
 * its key within the inactivity gap (`[t - gap, t + gap]`); it joins them all (a record that bridges
 * two sessions merges them, their aggregates combined with the merger) or starts the session `[t, t]`.
 * When sessions merge, each old session is removed and forwarded as a tombstone (`Change(null, old)`)
 * before the merged session's new aggregate. Stream time is the largest timestamp this processor has
 * seen; as in Kafka Streams 3.x, the close time is `stream time - grace - gap` (a later record within the
 * gap could still extend a session): a record whose (merged) session ends before it is late: dropped,
 * counted and handed to the late-record handler. Results are keyed by `Windowed<K>` with inclusive start
 * and end. With `onWindowClose` (Kafka's `EmitStrategy.onWindowClose`), a session is final once the
 * close time passes its end; it is then forwarded once, in end order, with its aggregate read from the
 * session store (the changelogged source of truth) and the session end as timestamp. Which sessions are
 * still to emit is an index of the open sessions' keys, rebuilt from the store when the task starts: the
 * store's sessions ending at or after the close time of the last emission (`lastEmitCloseTime`; Kafka's
 * `findSessions(earliestEnd, latestEnd)` scan). That close time is kept in the processor's emit-time
 * store (`<store>-emit-time`, see `window-emit-progress.ts`), so a restarted, moved or rebuilt task emits
 * the sessions that were open at shutdown once they close and does not emit closed ones again (at least
 * once: a crash after forwarding and before the commit re-emits, as in Kafka Streams). Also checked on a
 * stream-time punctuation (idle-aware closing, see `window-close-punctuation.ts`).
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
import { WindowEmitProgress } from './window-emit-progress.ts';

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
  /** `onWindowClose`: every session ending before this close time was emitted; -1: none yet. */
  private lastEmitCloseTime = -1;
  private savedEmitCloseTime = -1;
  /** `onWindowClose`: the sessions not yet emitted (keys only; the store holds the aggregates). */
  private readonly open: OpenSessions<K> | null;
  private readonly progress: WindowEmitProgress;
  private readonly onStreamTime: Punctuator;

  constructor(
    private readonly windows: SessionWindows,
    private readonly initializer: Initializer<VA>,
    private readonly aggregator: Aggregator<K, V, VA>,
    private readonly merger: Merger<K, VA>,
    private readonly settings: WindowAggregateSettings<K, V>,
  ) {
    this.late = new LateRecords(settings.dropped, settings.lateRecordHandler, settings.lateRouterName);
    this.onClose = settings.emitStrategy === 'onWindowClose';
    this.open = this.onClose ? new OpenSessions<K>() : null;
    this.progress = new WindowEmitProgress(settings.emitTimeStoreName, settings.storeName);
    this.onStreamTime = (time) => this.punctuate(time);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.context = context;
    this.store = context.getStateStore<SessionStoreView<K, VA>>(this.settings.storeName);
    this.forwarder = new KTableForwarder<Windowed<K>, VA>(this.onClose ? null : this.store, context, false);
    if (this.open === null) return;
    this.lastEmitCloseTime = this.savedEmitCloseTime = this.progress.load(context as ProcessorContext<unknown, unknown>);
    // Sessions up to that close time were final: stream time was at least close time + grace + gap.
    if (this.lastEmitCloseTime >= 0) {
      this.observedStreamTime = Math.max(this.observedStreamTime, this.lastEmitCloseTime + this.windows.graceMs + this.windows.inactivityGapMs);
    }
    // The sessions a restarted (or moved, or rebuilt) task has still to emit are in its restored store.
    this.open.clear();
    for (const session of this.store.findSessionsByEndTime(Math.max(0, this.lastEmitCloseTime), Number.MAX_SAFE_INTEGER)) this.open.put(session.key);
    context.schedule(closeCheckInterval(this.windows.inactivityGapMs), 'stream-time', this.onStreamTime);
  }

  /** The close check on stream time (idle-aware closing): stream time follows the task's. */
  private punctuate(time: number): void {
    if (time > this.observedStreamTime) this.observedStreamTime = time;
    this.emitClosed(this.observedStreamTime - this.windows.graceMs - this.windows.inactivityGapMs);
    if (this.lastEmitCloseTime > this.savedEmitCloseTime) this.save();
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined || record.value === null || record.value === undefined) {
      this.settings.dropped.nullKeyOrValue++;
      return;
    }
    const ts = record.timestamp;
    if (ts > this.observedStreamTime) this.observedStreamTime = ts;
    const gap = this.windows.inactivityGapMs;
    const closeTime = this.observedStreamTime - this.windows.graceMs - gap;
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
        if (this.open !== null) this.open.remove(session.key);
        else this.forwarder.maybeForward(new Record(session.key, new Change<VA>(null, session.value), ts, record.headers));
      }
    }
    agg = this.aggregator(key, record.value, agg);
    const sessionKey: Windowed<K> = { key, window: { start, end } };
    if (this.open !== null) {
      // Closed sessions go out before the put: the put moves the store's stream time, which may expire them.
      // The merged sessions are already removed and the new one is open (end >= close time), as in Kafka.
      this.emitClosed(closeTime);
      this.store.put(sessionKey, agg);
      this.open.put(sessionKey);
    } else {
      this.store.put(sessionKey, agg);
      this.forwarder.maybeForward(new Record(sessionKey, new Change<VA>(agg, null), ts, record.headers));
    }
  }

  /** Forwards every session that closed since the last emission (end in `[lastEmitCloseTime, closeTime)`). */
  private emitClosed(closeTime: number): void {
    if (closeTime <= this.lastEmitCloseTime) return;
    const closed = this.open!.takeClosed(closeTime);
    this.lastEmitCloseTime = closeTime;
    if (closed === null) return;
    for (const key of closed) {
      const value = this.store.fetchSession(key.key, key.window.start, key.window.end);
      if (value === undefined) continue;
      this.context.forward(new Record(key, new Change<VA>(value, null), key.window.end));
    }
    this.save();
  }

  private save(): void {
    this.savedEmitCloseTime = this.lastEmitCloseTime;
    this.progress.save(this.lastEmitCloseTime);
  }
}

/**
 * The keys of the sessions not yet emitted, with the smallest end among them (a lower bound), so a close
 * check costs nothing until a session can have closed.
 */
class OpenSessions<K> {
  private readonly sessions = new Map<string, Windowed<K>>();
  private minEnd = Infinity;

  private static id(key: Windowed<unknown>): string {
    return `${key.window.start}:${key.window.end}:${typeof key.key === 'string' ? key.key : JSON.stringify(key.key)}`;
  }

  put(key: Windowed<K>): void {
    this.sessions.set(OpenSessions.id(key), key);
    if (key.window.end < this.minEnd) this.minEnd = key.window.end;
  }

  remove(key: Windowed<K>): void {
    this.sessions.delete(OpenSessions.id(key));
  }

  clear(): void {
    this.sessions.clear();
    this.minEnd = Infinity;
  }

  /** Removes and returns the sessions ending before `closeTime`, in end order, or null when there are none. */
  takeClosed(closeTime: number): Windowed<K>[] | null {
    if (closeTime <= this.minEnd) return null;
    let closed: Windowed<K>[] | null = null;
    let minEnd = Infinity;
    for (const [id, key] of this.sessions) {
      const end = key.window.end;
      if (end >= closeTime) {
        if (end < minEnd) minEnd = end;
        continue;
      }
      (closed ??= []).push(key);
      this.sessions.delete(id);
    }
    this.minEnd = minEnd;
    if (closed !== null) closed.sort((a, b) => a.window.end - b.window.end || a.window.start - b.window.start);
    return closed;
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
