/**
 * Local interactive queries: read-only views of a store over every task of this instance that holds it
 * (Kafka Streams' `CompositeReadOnlyKeyValueStore` and friends), and live updates of keys as Observables.
 *
 * A view resolves the tasks on every call, so it follows rebalances: it throws
 * {@link InvalidStateStoreError} while a task holding the store is restoring, or when no task of this
 * instance holds it any more (it moved away with its task). Ranges concatenate the tasks' results (each
 * task's part in the store's byte order; no global order across tasks, as in Kafka Streams).
 *
 * Live updates come from the store's write path: while someone watches a store, the typed write
 * methods of each task's store instance (`put`, `putIfAbsent`, `putAll`, `delete`; window `put`;
 * session `put`, `remove`) are wrapped on that instance to report each write after it happened; the
 * last unsubscribe removes the wrappers. Nothing is added to the per-record path of a store nobody
 * watches, and no rxjs runs per record unless someone subscribed.
 */
import { Observable, Subject } from 'rxjs';
import { filter, map } from 'rxjs/operators';
import type { StateStore } from '../processor/state-store.ts';
import { InvalidStateStoreError } from '../errors/streams-errors.ts';
import type { StreamTask } from './stream-task.ts';

/**
 * Which kind of store a view reads. `keyValue` over a timestamped store (every KTable's) answers plain
 * values, as Kafka Streams' `keyValueStore()` type does; `timestampedKeyValue` answers
 * `{ value, timestamp }`.
 */
export type QueryableStoreType = 'keyValue' | 'timestampedKeyValue' | 'window' | 'session';

/** A typed entry of a range or scan (the stores' `KeyValue`). */
export interface QueryEntry<K, V> {
  readonly key: K;
  readonly value: V;
}

/** One write to a watched store. */
export interface StoreUpdate<K, V> {
  readonly store: string;
  /** The task whose store instance was written (`0_1`). */
  readonly taskId: string;
  /** The key written: for a window store the record key (see `windowStart`), for a session store the windowed key. */
  readonly key: K;
  /** The new value; null for a delete. */
  readonly value: V | null;
  /** Window stores: the start of the window written. */
  readonly windowStart?: number;
}

/** Which keys a watch reports: every key, one key, or an inclusive range (JavaScript comparison). */
export type KeySelector<K> = { readonly key: K } | { readonly from?: K; readonly to?: K } | undefined;

/** Read-only view of a key-value (or timestamped key-value) store across the local tasks. */
export interface ReadOnlyKeyValueView<K, V> {
  /** The value of `key` from the task holding it, or undefined. */
  get(key: K): V | undefined;
  /** Entries with `from <= key <= to` (null: open bound), task by task. */
  range(from: K | null, to: K | null): Iterable<QueryEntry<K, V>>;
  /** Every entry, task by task. */
  all(): Iterable<QueryEntry<K, V>>;
  /** The sum of the tasks' estimates. */
  approximateNumEntries(): number;
  /** Live updates of the selected keys. */
  watch(selector?: KeySelector<K>): Observable<StoreUpdate<K, V>>;
}

/** Read-only view of a window store across the local tasks. */
export interface ReadOnlyWindowView<K, V> {
  /** The value of one window of `key`, or undefined. */
  fetch(key: K, windowStart: number): V | undefined;
  /** The windows of `key` starting in `[timeFrom, timeTo]`. */
  fetchRange(key: K, timeFrom: number, timeTo: number, backward?: boolean): Iterable<{ windowStart: number; value: V }>;
  /** Every window starting in `[timeFrom, timeTo]`, task by task. */
  fetchAll(timeFrom: number, timeTo: number): Iterable<{ key: { key: K; window: { start: number; end: number } }; value: V }>;
  /** Every window, task by task. */
  all(): Iterable<{ key: { key: K; window: { start: number; end: number } }; value: V }>;
  /** Live updates of the selected record keys. */
  watch(selector?: KeySelector<K>): Observable<StoreUpdate<K, V>>;
}

/** Read-only view of a session store across the local tasks. */
export interface ReadOnlySessionView<K, V> {
  /** Every session of `key`. */
  fetch(key: K): Iterable<{ key: { key: K; window: { start: number; end: number } }; value: V }>;
  /** Sessions of `key` ending at or after `earliestSessionEnd` and starting at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): Iterable<{ key: { key: K; window: { start: number; end: number } }; value: V }>;
  /** Live updates of sessions of the selected record keys. */
  watch(selector?: KeySelector<K>): Observable<StoreUpdate<{ key: K; window: { start: number; end: number } }, V>>;
}

/** The view type of each queryable store type. */
export interface QueryableViews<K, V> {
  keyValue: ReadOnlyKeyValueView<K, V>;
  timestampedKeyValue: ReadOnlyKeyValueView<K, { value: V; timestamp: number }>;
  window: ReadOnlyWindowView<K, V>;
  session: ReadOnlySessionView<K, V>;
}

/** What the views need from the application. */
export interface QueryHost {
  readonly applicationId: string;
  /** Whether the store exists in the topology. */
  hasStore(name: string): boolean;
  /** Whether the store keeps values with timestamps (its builder's `timestamped` flag). */
  isTimestamped(name: string): boolean;
  /** The active tasks of this instance (restoring or running). */
  activeTasks(): readonly StreamTask[];
  /** A global store (a full copy on every instance), or undefined. */
  globalStore?(name: string): StateStore | undefined;
  /** Whether the instance can answer queries at all (running or rebalancing). */
  isQueryable(): boolean;
}

const REQUIRED: { readonly [T in QueryableStoreType]: string } = { keyValue: 'get', timestampedKeyValue: 'get', window: 'fetch', session: 'findSessions' };

type AnyStore = StateStore & { [method: string]: any };

/**
 * The views and the live updates of one application instance.
 *
 * @example
 * const queries = new InteractiveQueries(host);
 * const counts = queries.store<string, number>('counts', 'keyValue');
 * counts.get('kafka');
 */
export class InteractiveQueries {
  private readonly watched = new Map<string, { subject: Subject<StoreUpdate<unknown, unknown>>; count: number }>();
  private readonly wrapped = new Map<AnyStore, { name: string; originals: Map<string, unknown> }>();

  constructor(private readonly host: QueryHost) {}

  /**
   * A read-only view of a store over the local tasks.
   * @throws InvalidStateStoreError for a store the topology does not have
   */
  store<K, V, T extends QueryableStoreType = 'keyValue'>(name: string, type: T = 'keyValue' as T): QueryableViews<K, V>[T] {
    if (!this.host.hasStore(name)) throw new InvalidStateStoreError(`Application "${this.host.applicationId}" has no state store "${name}"`);
    const stores = (): AnyStore[] => this.resolve(name, type);
    const watch = (selector?: KeySelector<unknown>): Observable<StoreUpdate<any, any>> => this.updates(name, selector, type === 'session');
    if (type === 'window') {
      const view: ReadOnlyWindowView<K, V> = {
        fetch: (key, windowStart) => firstDefined(stores(), (s) => s.fetch(key, windowStart)),
        fetchRange: (key, timeFrom, timeTo, backward) => concat(stores(), (s) => s.fetchRange(key, timeFrom, timeTo, backward)),
        fetchAll: (timeFrom, timeTo) => concat(stores(), (s) => s.fetchAll(timeFrom, timeTo)),
        all: () => concat(stores(), (s) => s.all()),
        watch,
      };
      return view as QueryableViews<K, V>[T];
    }
    if (type === 'session') {
      const view: ReadOnlySessionView<K, V> = {
        fetch: (key) => concat(stores(), (s) => s.fetch(key)),
        findSessions: (key, earliestEnd, latestStart) => concat(stores(), (s) => s.findSessions(key, earliestEnd, latestStart)),
        watch,
      };
      return view as QueryableViews<K, V>[T];
    }
    if (type === 'keyValue' && this.host.isTimestamped(name)) {
      const unwrapEntry = (e: QueryEntry<K, { value: V }>): QueryEntry<K, V> => ({ key: e.key, value: e.value.value });
      const unwrapped: ReadOnlyKeyValueView<K, V> = {
        get: (key) => (firstDefined(stores(), (s) => s.get(key)) as { value: V } | undefined)?.value,
        range: (from, to) => mapIterable(concat<QueryEntry<K, { value: V }>>(stores(), (s) => s.range(from, to)), unwrapEntry),
        all: () => mapIterable(concat<QueryEntry<K, { value: V }>>(stores(), (s) => s.all()), unwrapEntry),
        approximateNumEntries: () => stores().reduce((n, s) => n + Number(s.approximateNumEntries()), 0),
        watch: (selector) =>
          watch(selector).pipe(map((u: StoreUpdate<K, { value: V } | null>) => ({ ...u, value: u.value === null ? null : u.value.value }))),
      };
      return unwrapped as QueryableViews<K, V>[T];
    }
    const view: ReadOnlyKeyValueView<K, V> = {
      get: (key) => firstDefined(stores(), (s) => s.get(key)),
      range: (from, to) => concat(stores(), (s) => s.range(from, to)),
      all: () => concat(stores(), (s) => s.all()),
      approximateNumEntries: () => stores().reduce((n, s) => n + Number(s.approximateNumEntries()), 0),
      watch,
    };
    return view as QueryableViews<K, V>[T];
  }

  /**
   * Live updates of a store (optionally of one key or a key range), from every local task's instance.
   * @throws InvalidStateStoreError for a store the topology does not have
   */
  updates<K, V>(name: string, selector?: KeySelector<K>, sessionKeys = false): Observable<StoreUpdate<K, V>> {
    if (!this.host.hasStore(name)) throw new InvalidStateStoreError(`Application "${this.host.applicationId}" has no state store "${name}"`);
    const matches = keyMatcher(selector, sessionKeys);
    return new Observable<StoreUpdate<K, V>>((subscriber) => {
      let entry = this.watched.get(name);
      if (entry === undefined) {
        entry = { subject: new Subject(), count: 0 };
        this.watched.set(name, entry);
      }
      entry.count++;
      this.attach();
      const sub = (matches === null ? entry.subject : entry.subject.pipe(filter((u) => matches(u.key)))).subscribe(
        subscriber as unknown as (u: StoreUpdate<unknown, unknown>) => void,
      );
      return () => {
        sub.unsubscribe();
        const e = this.watched.get(name);
        if (e !== undefined && --e.count === 0) {
          this.watched.delete(name);
          this.detach(name);
        }
      };
    });
  }

  /** Wraps the write methods of watched stores of the active tasks (call after tasks are created). */
  attach(): void {
    if (this.watched.size === 0) return;
    for (const task of this.host.activeTasks()) {
      for (const name of this.watched.keys()) {
        const store = task.store(name) as AnyStore | undefined;
        if (store === undefined || this.wrapped.has(store)) continue;
        this.wrap(store, name, task.name);
      }
    }
  }

  private detach(name: string): void {
    for (const [store, w] of this.wrapped) {
      if (w.name !== name) continue;
      for (const [m, original] of w.originals) {
        if (original === null) delete store[m];
        else store[m] = original;
      }
      this.wrapped.delete(store);
    }
  }

  private wrap(store: AnyStore, name: string, taskId: string): void {
    const emit = (key: unknown, value: unknown, windowStart?: number): void => {
      const entry = this.watched.get(name);
      if (entry === undefined) return;
      entry.subject.next(windowStart === undefined ? { store: name, taskId, key, value: value ?? null } : { store: name, taskId, key, value: value ?? null, windowStart });
    };
    const isWindow = typeof store.fetchAll === 'function' && typeof store.findSessions !== 'function';
    const originals = new Map<string, unknown>();
    const take = (m: string): ((...args: any[]) => any) | null => {
      const fn = store[m];
      if (typeof fn !== 'function') return null;
      originals.set(m, Object.prototype.hasOwnProperty.call(store, m) ? fn : null);
      return fn as (...args: any[]) => any;
    };
    const put = take('put');
    if (put !== null) {
      store.put = isWindow
        ? (key: unknown, value: unknown, windowStart: number) => {
            const result = put.call(store, key, value, windowStart);
            emit(key, value, windowStart);
            return result;
          }
        : (key: unknown, value: unknown) => {
            const result = put.call(store, key, value);
            emit(key, value);
            return result;
          };
    }
    const putIfAbsent = take('putIfAbsent');
    if (putIfAbsent !== null) {
      store.putIfAbsent = (key: unknown, value: unknown) => {
        const existing = putIfAbsent.call(store, key, value);
        if (existing === undefined) emit(key, value);
        return existing;
      };
    }
    const putAll = take('putAll');
    if (putAll !== null) {
      store.putAll = (entries: Iterable<QueryEntry<unknown, unknown>>) => {
        const list = [...entries];
        const result = putAll.call(store, list);
        for (const e of list) emit(e.key, e.value);
        return result;
      };
    }
    for (const m of ['delete', 'remove'] as const) {
      const del = take(m);
      if (del === null) continue;
      store[m] = (key: unknown) => {
        const result = del.call(store, key);
        emit(key, null);
        return result;
      };
    }
    this.wrapped.set(store, { name, originals });
  }

  private resolve(name: string, type: QueryableStoreType): AnyStore[] {
    const app = this.host.applicationId;
    if (!this.host.isQueryable()) throw new InvalidStateStoreError(`Store "${name}" of application "${app}" cannot be queried: the application is not running`);
    const global = this.host.globalStore?.(name) as AnyStore | undefined;
    if (global !== undefined) {
      if (!global.isOpen()) throw new InvalidStateStoreError(`Global store "${name}" of application "${app}" is closed`);
      if (typeof global[REQUIRED[type]] !== 'function') throw new InvalidStateStoreError(`Store "${name}" is not a ${type} store (it has no ${REQUIRED[type]}())`);
      return [global];
    }
    const out: AnyStore[] = [];
    for (const task of this.host.activeTasks()) {
      const store = task.store(name) as AnyStore | undefined;
      if (store === undefined) continue;
      if (task.state !== 'running') {
        throw new InvalidStateStoreError(`Store "${name}" of application "${app}" is not queryable: task ${task.name} is ${task.state}`);
      }
      if (!store.isOpen()) throw new InvalidStateStoreError(`Store "${name}" of task ${task.name} is closed; it may have moved to another instance`);
      if (typeof store[REQUIRED[type]] !== 'function') {
        throw new InvalidStateStoreError(`Store "${name}" is not a ${type} store (it has no ${REQUIRED[type]}())`);
      }
      out.push(store);
    }
    if (out.length === 0) throw new InvalidStateStoreError(`No task of this instance of "${app}" holds store "${name}": it moved to another instance or is not assigned yet`);
    return out;
  }
}

function firstDefined<R>(stores: readonly AnyStore[], read: (s: AnyStore) => R | undefined): R | undefined {
  for (const s of stores) {
    const v = read(s);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

function concat<R>(stores: readonly AnyStore[], read: (s: AnyStore) => Iterable<R>): Iterable<R> {
  return {
    *[Symbol.iterator]() {
      for (const s of stores) yield* read(s);
    },
  };
}

function mapIterable<A, B>(source: Iterable<A>, fn: (a: A) => B): Iterable<B> {
  return {
    *[Symbol.iterator]() {
      for (const a of source) yield fn(a);
    },
  };
}

function keyMatcher<K>(selector: KeySelector<K>, sessionKeys: boolean): ((key: unknown) => boolean) | null {
  if (selector === undefined) return null;
  const keyOf = sessionKeys ? (k: unknown) => (k as { key: unknown }).key : (k: unknown) => k;
  if ('key' in selector) {
    const wanted = selector.key;
    return (k) => sameKey(keyOf(k), wanted);
  }
  const { from, to } = selector as { from?: K; to?: K };
  return (k) => {
    const key = keyOf(k) as any;
    return (from === undefined || key >= (from as any)) && (to === undefined || key <= (to as any));
  };
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
