/**
 * The buffer of `KTable.suppress` (Kafka Streams' `InMemoryTimeOrderedKeyValueBuffer`): the latest
 * change of each buffered key, in the order of its buffer time (window end, or the time of the key's
 * first buffered update), in memory and backed by a compacted changelog so it survives restarts. A key
 * updated while buffered keeps its place (non-resetting) and the old value of its first update (so
 * downstream sees the change from what it last received). Writes are logged once per key at flush
 * (commit), like a cache.
 *
 * Changelog value: `[buffer time 8][record timestamp 8][flags 1][new length 4][new][old]`; null deletes.
 */
import type { StateStore, StateStoreContext, StoreBuilder, RestoreRecord } from '../core/processor/state-store.ts';

/** One buffered key. */
export class BufferedEntry {
  constructor(
    readonly key: Buffer,
    readonly time: number,
    readonly seq: number,
    public newValue: Buffer | null,
    public oldValue: Buffer | null,
    public recordTimestamp: number,
  ) {}

  get size(): number {
    return this.key.length + (this.newValue?.length ?? 0) + (this.oldValue?.length ?? 0) + 33;
  }
}

function before(a: BufferedEntry, b: BufferedEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * The suppression buffer store.
 *
 * @example
 * const buffer = new InMemoryTimeOrderedKeyValueBuffer('suppress-store', true);
 * buffer.put(windowEnd, keyBytes, newBytes, oldBytes, record.timestamp);
 * buffer.evictWhile(() => buffer.minTime() <= expiry, (e) => emit(e));
 */
export class InMemoryTimeOrderedKeyValueBuffer implements StateStore {
  readonly persistent = false;
  private readonly index = new Map<string, BufferedEntry>();
  private readonly heap: BufferedEntry[] = [];
  private readonly dirty = new Set<string>();
  private context: StateStoreContext | null = null;
  private open = false;
  private seq = 0;
  private bytes = 0;

  constructor(
    readonly name: string,
    private readonly loggingEnabled: boolean,
  ) {}

  init(context: StateStoreContext, root: StateStore): void {
    this.context = context;
    if (this.loggingEnabled && context.changelogTopic !== null) context.register(root, (records) => this.restore(records));
    this.open = true;
  }

  /** Buffered keys. */
  get numRecords(): number {
    return this.index.size;
  }

  /** Bytes of the buffered keys and values (plus a fixed overhead per entry). */
  get bufferSize(): number {
    return this.bytes;
  }

  /** The smallest buffer time (Infinity when empty). */
  minTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.time;
  }

  /** Buffers the change of `key`; a key already buffered keeps its time and first old value. */
  put(time: number, key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, recordTimestamp: number): void {
    const id = key.toString('latin1');
    const existing = this.index.get(id);
    if (existing !== undefined) {
      this.bytes -= existing.size;
      existing.newValue = newValue;
      existing.recordTimestamp = recordTimestamp;
      this.bytes += existing.size;
    } else {
      const entry = new BufferedEntry(key, time, this.seq++, newValue, oldValue, recordTimestamp);
      this.index.set(id, entry);
      this.push(entry);
      this.bytes += entry.size;
    }
    if (this.loggingEnabled) this.dirty.add(id);
  }

  /** Removes and hands out the entry with the smallest buffer time while `condition` holds. */
  evictWhile(condition: () => boolean, callback: (entry: BufferedEntry) => void): void {
    while (this.heap.length > 0 && condition()) {
      const entry = this.pop();
      const id = entry.key.toString('latin1');
      this.index.delete(id);
      this.bytes -= entry.size;
      if (this.loggingEnabled) this.dirty.add(id);
      callback(entry);
    }
  }

  /** Logs the latest state of every key changed since the last flush. */
  flush(): void {
    const context = this.context;
    if (context === null || this.dirty.size === 0) return;
    for (const id of this.dirty) {
      const entry = this.index.get(id);
      const key = Buffer.from(id, 'latin1');
      if (entry === undefined) context.logChange(this.name, key, null, 0);
      else context.logChange(this.name, key, encodeEntry(entry), entry.recordTimestamp);
    }
    this.dirty.clear();
  }

  wipe(): void {
    this.index.clear();
    this.heap.length = 0;
    this.dirty.clear();
    this.bytes = 0;
  }

  close(): void {
    this.open = false;
  }

  isOpen(): boolean {
    return this.open;
  }

  private restore(records: readonly RestoreRecord[]): void {
    for (const r of records) {
      const id = r.key.toString('latin1');
      const existing = this.index.get(id);
      if (existing !== undefined) this.removeEntry(existing);
      if (r.value === null) continue;
      const { time, recordTimestamp, newValue, oldValue } = decodeEntry(r.value);
      const entry = new BufferedEntry(Buffer.from(r.key), time, this.seq++, newValue, oldValue, recordTimestamp);
      this.index.set(id, entry);
      this.push(entry);
      this.bytes += entry.size;
    }
  }

  private removeEntry(entry: BufferedEntry): void {
    const i = this.heap.indexOf(entry);
    if (i >= 0) {
      const last = this.heap.pop()!;
      if (i < this.heap.length) {
        this.heap[i] = last;
        this.siftDown(i);
        this.siftUp(i);
      }
    }
    this.index.delete(entry.key.toString('latin1'));
    this.bytes -= entry.size;
  }

  private push(entry: BufferedEntry): void {
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
  }

  private pop(): BufferedEntry {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function writeTime(out: Buffer, value: number, offset: number): void {
  const v = value < 0 ? 0 : value;
  out.writeUInt32BE(Math.floor(v / 0x1_0000_0000) >>> 0, offset);
  out.writeUInt32BE(v >>> 0, offset + 4);
}

function readTime(data: Buffer, offset: number): number {
  return data.readUInt32BE(offset) * 0x1_0000_0000 + data.readUInt32BE(offset + 4);
}

function encodeEntry(e: BufferedEntry): Buffer {
  const nLen = e.newValue?.length ?? 0;
  const out = Buffer.allocUnsafe(21 + nLen + (e.oldValue?.length ?? 0));
  writeTime(out, e.time, 0);
  writeTime(out, e.recordTimestamp, 8);
  out[16] = (e.newValue === null ? 0 : 1) | (e.oldValue === null ? 0 : 2);
  out.writeUInt32BE(nLen, 17);
  if (e.newValue !== null) e.newValue.copy(out, 21);
  if (e.oldValue !== null) e.oldValue.copy(out, 21 + nLen);
  return out;
}

function decodeEntry(data: Buffer): { time: number; recordTimestamp: number; newValue: Buffer | null; oldValue: Buffer | null } {
  const flags = data[16]!;
  const nLen = data.readUInt32BE(17);
  return {
    time: readTime(data, 0),
    recordTimestamp: readTime(data, 8),
    newValue: (flags & 1) === 0 ? null : Buffer.from(data.subarray(21, 21 + nLen)),
    oldValue: (flags & 2) === 0 ? null : Buffer.from(data.subarray(21 + nLen)),
  };
}

/**
 * The builder of a suppression buffer (compacted changelog `<applicationId>-<name>-changelog`).
 *
 * @example
 * topology.addStateStore(suppressionBufferBuilder('final-counts-store'), 'final-counts');
 */
export function suppressionBufferBuilder(name: string, loggingEnabled = true): StoreBuilder<InMemoryTimeOrderedKeyValueBuffer> {
  return {
    name,
    loggingEnabled,
    logConfig: { 'cleanup.policy': 'compact' },
    build: () => new InMemoryTimeOrderedKeyValueBuffer(name, loggingEnabled),
  };
}
