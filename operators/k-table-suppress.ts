/**
 * `KTable.suppress`: buffers table updates (serialized, in an {@link InMemoryTimeOrderedKeyValueBuffer})
 * and forwards a key's latest change once its buffer time has expired against stream time:
 * `bufferTime <= streamTime - suppressDuration`, where for `untilWindowCloses` the buffer time is the
 * window end and the duration the windows' grace (so a window is emitted when stream time >= end +
 * grace), and for `untilTimeLimit` the buffer time is the key's first buffered update and the duration
 * the time to wait. Stream time is the largest timestamp this processor has seen. Over its bounds the
 * buffer emits its oldest entries early or fails with a StreamsError, by policy. A stream-time
 * punctuation also evicts what expired (idle-aware closing: when the runtime advances an idle task's
 * stream time, final results come out without a new record; see `window-close-punctuation.ts`).
 */
import type { Processor } from '../core/processor/processor.ts';
import type { ProcessorContext, Punctuator } from '../core/processor/processor-context.ts';
import { Record } from '../core/processor/record.ts';
import { StreamsError } from '../core/errors/streams-errors.ts';
import type { Serde } from '../core/serde/serde.ts';
import { Change } from './change.ts';
import type { BufferedEntry, InMemoryTimeOrderedKeyValueBuffer } from './in-memory-time-ordered-key-value-buffer.ts';
import type { Windowed } from './store-views.ts';
import type { Suppression } from './suppressed.ts';
import { closeCheckInterval } from './window-close-punctuation.ts';

/** How the processor reads a record's buffer time and which serdes it buffers with. */
export interface SuppressSettings<K, V> {
  readonly storeName: string;
  readonly suppression: Suppression;
  /** `untilWindowCloses`: the grace of the windows upstream. */
  readonly graceMs: number;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** The topic name given to the serdes (the buffer's changelog topic name, unprefixed). */
  readonly serdeTopic: string;
}

/**
 * The suppress processor.
 *
 * @example
 * topology.addProcessor('final', kTableSuppress(settings), 'windowed-counts');
 */
export class KTableSuppress<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private context!: ProcessorContext<K, Change<V>>;
  private buffer!: InMemoryTimeOrderedKeyValueBuffer;
  private observedStreamTime = -1;
  private readonly finalResults: boolean;
  private readonly duration: number;
  private readonly emit: (entry: BufferedEntry) => void;
  private expiryTime = -1;
  private readonly expired: () => boolean;
  private readonly overCapacity: () => boolean;
  private readonly onStreamTime: Punctuator;

  constructor(private readonly settings: SuppressSettings<K, V>) {
    this.finalResults = settings.suppression.kind === 'untilWindowCloses';
    this.duration = this.finalResults ? settings.graceMs : settings.suppression.timeToWaitMs;
    this.emit = (entry) => this.forward(entry);
    this.expired = () => this.buffer.minTime() <= this.expiryTime;
    const { maxRecords, maxBytes } = settings.suppression;
    this.overCapacity = () => this.buffer.numRecords > maxRecords || this.buffer.bufferSize > maxBytes;
    this.onStreamTime = (time) => {
      // The task flushed its other stores' caches before this punctuation (StreamTask), so updates
      // still held upstream reached the buffer before windows close.
      if (time <= this.observedStreamTime) return;
      this.observedStreamTime = time;
      this.enforceConstraints();
    };
  }

  init(context: ProcessorContext<K, Change<V>>): void {
    this.context = context;
    this.buffer = context.getStateStore<InMemoryTimeOrderedKeyValueBuffer>(this.settings.storeName);
    context.schedule(closeCheckInterval(this.finalResults ? Infinity : this.duration), 'stream-time', this.onStreamTime);
  }

  process(record: Record<K, Change<V>>): void {
    if (record.timestamp > this.observedStreamTime) this.observedStreamTime = record.timestamp;
    const s = this.settings;
    const time = this.finalResults ? (record.key as Windowed<unknown>).window.end : record.timestamp;
    const key = s.keySerde.serialize(s.serdeTopic, record.key);
    if (key === null) return;
    const change = record.value;
    const newValue = change.newValue === null ? null : s.valueSerde.serialize(s.serdeTopic, change.newValue);
    const oldValue = change.oldValue === null ? null : s.valueSerde.serialize(s.serdeTopic, change.oldValue);
    this.buffer.put(time, key, newValue, oldValue, record.timestamp);
    this.enforceConstraints();
  }

  private enforceConstraints(): void {
    this.expiryTime = this.observedStreamTime - this.duration;
    this.buffer.evictWhile(this.expired, this.emit);
    if (!this.overCapacity()) return;
    if (this.settings.suppression.policy === 'emitEarly') {
      this.buffer.evictWhile(this.overCapacity, this.emit);
      return;
    }
    const { maxRecords, maxBytes } = this.settings.suppression;
    throw new StreamsError(
      `Suppression buffer "${this.settings.storeName}" is full (${this.buffer.numRecords} records, ${this.buffer.bufferSize} bytes; ` +
        `bounds ${maxRecords} records, ${maxBytes} bytes) and its policy is shutDown: raise maxRecords/maxBytes or use emitEarly`,
    );
  }

  private forward(entry: BufferedEntry): void {
    if (entry.newValue === null && this.finalResults) return; // a window's tombstone: safe to drop for final results
    const s = this.settings;
    const key = s.keySerde.deserialize(s.serdeTopic, entry.key) as K;
    const newValue = entry.newValue === null ? null : s.valueSerde.deserialize(s.serdeTopic, entry.newValue);
    const oldValue = entry.oldValue === null ? null : s.valueSerde.deserialize(s.serdeTopic, entry.oldValue);
    this.context.forward(new Record(key, new Change(newValue, oldValue), entry.recordTimestamp));
  }
}

/** A supplier of {@link KTableSuppress}. */
export function kTableSuppress<K, V>(settings: SuppressSettings<K, V>): () => KTableSuppress<K, V> {
  return () => new KTableSuppress(settings);
}
