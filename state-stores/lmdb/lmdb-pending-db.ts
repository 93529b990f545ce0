/**
 * One LMDB named database with an in-memory overlay of pending writes: reads see the pending writes
 * (read-your-writes), ranges merge overlay and database in byte order, and {@link LmdbPendingDb.writePending}
 * moves the pending writes into the database inside the caller's write transaction. The unit under the
 * LMDB key-value store and under each segment of the LMDB window and session stores.
 * LMDB does not allow zero-length keys; the empty key lives in the env's reserved `__empty_key` database.
 * The pending writes are packed in a byte arena ({@link PendingWrites}): what they hold is what
 * `pendingBytes` counts.
 */
import type { KeyValueBytesEntry } from '../key-value-bytes-store.ts';
import { PendingWrites } from './pending-writes.ts';
import { mergeOverlay } from '../merge-sorted.ts';
import { EMPTY_BYTES, prefixUpperBound } from '../bytes.ts';
import type { BytesDatabase, LmdbEnv } from './lmdb-env.ts';

export class LmdbPendingDb {
  private readonly pending = new PendingWrites();
  /** Iterators not yet finished: pending writes must not move into LMDB under them. */
  openIterators = 0;
  private readonly db: BytesDatabase;

  constructor(
    readonly env: LmdbEnv,
    readonly dbName: string,
  ) {
    this.db = env.openBytesDb(dbName);
  }

  /** Number of pending writes. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Bytes held by pending writes (records in the arena, superseded ones until compaction, and the index). */
  get pendingBytes(): number {
    return this.pending.bytes;
  }

  get(key: Buffer): Buffer | undefined {
    if (this.pending.size > 0) {
      const p = this.pending.get(key);
      if (p !== undefined) return p === null ? undefined : p;
    }
    if (key.length === 0) return this.env.getEmptyKey(this.dbName);
    return this.db.getBinary(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.pending.put(key, value);
  }

  /** Writes straight into the database; call inside a write transaction (restore). */
  writeDirect(key: Buffer, value: Buffer | null): void {
    if (this.pending.size > 0) this.pending.delete(key);
    if (key.length === 0) this.env.putEmptyKey(this.dbName, value);
    else if (value === null) this.db.removeSync(key);
    else this.db.putSync(key, value);
  }

  /** Moves every pending write into the database; call inside a write transaction. */
  writePending(): void {
    if (this.pending.size === 0) return;
    this.pending.forEachSorted(this.writeOne);
    this.pending.clear();
  }

  /** Writes one pending write (views into the pending arena: LMDB copies them). */
  private readonly writeOne = (key: Buffer, value: Buffer | null): void => {
    if (key.length === 0) this.env.putEmptyKey(this.dbName, value === null ? null : Buffer.from(value));
    else if (value === null) this.db.removeSync(key);
    else this.db.putSync(key, value);
  };

  /** Forgets pending writes (a close without checkpoint). */
  discardPending(): void {
    this.pending.clear();
  }

  /** Empties the database and the pending writes; call inside a write transaction. */
  clear(): void {
    this.discardPending();
    this.db.clearSync();
    this.env.putEmptyKey(this.dbName, null);
  }

  /** Deletes the database itself; call inside a write transaction. */
  drop(): void {
    this.discardPending();
    this.env.putEmptyKey(this.dbName, null);
    this.db.dropSync();
  }

  /** Entries in the database (committed) plus pending writes: an estimate. */
  approximateCount(): number {
    return (this.db.getStats() as { entryCount: number }).entryCount + this.pending.size;
  }

  /** Entries with `from <= key <= to` (`to` exclusive when `toExclusive`), pending writes merged in. */
  *range(from: Buffer | null, to: Buffer | null, reverse = false, toExclusive = false): Generator<KeyValueBytesEntry> {
    this.openIterators++;
    try {
      const base = this.dbRange(from, to, reverse, toExclusive);
      if (this.pending.size === 0) {
        yield* base;
        return;
      }
      let overlay: Iterable<readonly [Buffer, Buffer | null]> = this.pending.range(from, to, reverse);
      if (toExclusive && to !== null) overlay = withoutKey(overlay, to);
      yield* mergeOverlay(overlay, base, reverse);
    } finally {
      this.openIterators--;
    }
  }

  /**
   * Appends the entries with `from <= key <= to` (both non-empty) to `out` in ascending key order,
   * pending writes merged in, at most `limit` of them: the eager form of {@link LmdbPendingDb.range}
   * for short ranges, without generators (one LMDB range read, one merge loop). `readDb` false: the
   * caller knows the database holds nothing it wants (only the pending writes are read).
   * @returns false when the range holds more than `limit` entries (`out` is then incomplete: use `range`)
   */
  rangeInto(from: Buffer, to: Buffer, out: KeyValueBytesEntry[], limit: number, readDb = true): boolean {
    let overlay: [Buffer, Buffer | null][] | null = null;
    if (this.pending.size > 0) {
      overlay = [];
      if (!this.pending.collectRange(from, to, overlay, limit)) return false;
    }
    let o = 0;
    const on = overlay === null ? 0 : overlay.length;
    const start = out.length;
    if (readDb) for (const { key, value } of this.db.getRange({ start: from, end: to, inclusiveEnd: true })) {
      // Overlay entries before this key, then this key unless the overlay replaces it.
      let replaced = false;
      while (o < on) {
        const cmp = Buffer.compare(overlay![o]![0], key);
        if (cmp > 0) break;
        const [k, v] = overlay![o++]!;
        if (v !== null) out.push([k, v]);
        if (cmp === 0) {
          replaced = true;
          break;
        }
      }
      if (!replaced) out.push([key, value]);
      if (out.length - start > limit) return false;
    }
    while (o < on) {
      const [k, v] = overlay![o++]!;
      if (v !== null) out.push([k, v]);
    }
    return out.length - start <= limit;
  }

  /** Entries whose key starts with `prefix`. */
  prefixScan(prefix: Buffer): Generator<KeyValueBytesEntry> {
    if (prefix.length === 0) return this.range(null, null, false);
    return this.range(prefix, prefixUpperBound(prefix), false, true);
  }

  private *dbRange(from: Buffer | null, to: Buffer | null, reverse: boolean, toExclusive: boolean): Generator<KeyValueBytesEntry> {
    const includesEmpty = from === null || from.length === 0;
    if (to !== null && to.length === 0) {
      // Only the empty key can be <= the empty key.
      if (!toExclusive) {
        const v = this.env.getEmptyKey(this.dbName);
        if (v !== undefined) yield [EMPTY_BYTES, v];
      }
      return;
    }
    const start = from === null || from.length === 0 ? undefined : from;
    const end = to ?? undefined;
    if (!reverse && includesEmpty) {
      const v = this.env.getEmptyKey(this.dbName);
      if (v !== undefined) yield [Buffer.alloc(0), v];
    }
    const options = reverse
      ? { start: end, end: start, reverse: true, inclusiveEnd: true, exclusiveStart: toExclusive && end !== undefined }
      : { start, end, inclusiveEnd: !toExclusive };
    for (const { key, value } of this.db.getRange(options)) yield [key, value];
    if (reverse && includesEmpty) {
      const v = this.env.getEmptyKey(this.dbName);
      if (v !== undefined) yield [Buffer.alloc(0), v];
    }
  }
}

function* withoutKey(entries: Iterable<readonly [Buffer, Buffer | null]>, exclude: Buffer): Generator<readonly [Buffer, Buffer | null]> {
  for (const e of entries) if (!e[0].equals(exclude)) yield e;
}
