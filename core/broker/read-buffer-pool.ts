/**
 * Buffers for the segment reads of Fetch responses, reused once the response is written. A Fetch response
 * is mostly stored batches read from segments (about 1 MiB per partition for librdkafka); reading each into
 * a new buffer made the broker allocate as much memory as it served, and that external memory drove V8 into
 * a full garbage collection every few dozen megabytes, plus page faults on every fresh buffer.
 *
 * Buffers come in power-of-two sizes from 64 KiB to 16 MiB; smaller and larger reads get plain buffers.
 * A {@link ReadLease} collects what one request took and gives it all back at once.
 */

/** The smallest pooled size (2^16 bytes). */
const MIN_SHIFT = 16;
/** The largest pooled size (2^24 bytes). */
const MAX_SHIFT = 24;
/** Free bytes a pool keeps by default. */
export const DEFAULT_READ_POOL_BYTES = 32 * 1024 * 1024;

/**
 * Free buffers by size class, up to a byte budget.
 *
 * @example
 * const pool = new ReadBufferPool();
 * const buf = pool.take(900_000); // 1 MiB, pooled
 * pool.give(buf);
 */
export class ReadBufferPool {
  private readonly free: Buffer[][] = [];
  private readonly maxFreeBytes: number;
  private freeBytes = 0;

  /** @param maxFreeBytes the most bytes kept in free buffers (default 32 MiB) */
  constructor(maxFreeBytes = DEFAULT_READ_POOL_BYTES) {
    this.maxFreeBytes = maxFreeBytes;
    for (let shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++) this.free.push([]);
  }

  /** Bytes held in free buffers. */
  get idleBytes(): number {
    return this.freeBytes;
  }

  /** A whole buffer of at least `size` bytes: a pooled one (power-of-two length) when `size` is in range. */
  take(size: number): Buffer {
    if (size > 1 << MAX_SHIFT || size <= 1 << (MIN_SHIFT - 1)) return Buffer.allocUnsafe(size);
    const shift = Math.max(MIN_SHIFT, 32 - Math.clz32(size - 1));
    const list = this.free[shift - MIN_SHIFT]!;
    const buf = list.pop();
    if (buf === undefined) return Buffer.allocUnsafeSlow(1 << shift);
    this.freeBytes -= buf.length;
    return buf;
  }

  /** Takes back a buffer {@link take} returned, once nothing references its memory; others are ignored. */
  give(buf: Buffer): void {
    const length = buf.length;
    if (length < 1 << MIN_SHIFT || length > 1 << MAX_SHIFT || (length & (length - 1)) !== 0) return;
    if (buf.byteOffset !== 0 || buf.buffer.byteLength !== length) return;
    if (this.freeBytes + length > this.maxFreeBytes) return;
    this.free[31 - Math.clz32(length) - MIN_SHIFT]!.push(buf);
    this.freeBytes += length;
  }
}

/**
 * The buffers one request took from a pool; `allocate` is a ReadOptions.allocate.
 *
 * @example
 * const lease = new ReadLease(pool);
 * const { records } = log.read(offset, 1 << 20, { allocate: lease.allocate });
 * socket.write(records, () => lease.release());
 */
export class ReadLease {
  private readonly pool: ReadBufferPool;
  private taken: Buffer[] = [];
  /** A buffer of exactly `size` bytes (a view of a pooled one). */
  readonly allocate = (size: number): Buffer => {
    const whole = this.pool.take(size);
    this.taken.push(whole);
    return whole.length === size ? whole : whole.subarray(0, size);
  };
  /** Gives every buffer taken so far back to the pool (their views must no longer be used). */
  readonly release = (): void => {
    const taken = this.taken;
    this.taken = [];
    for (let i = 0; i < taken.length; i++) this.pool.give(taken[i]!);
  };

  constructor(pool: ReadBufferPool) {
    this.pool = pool;
  }

  /** Whether any buffer was taken since the last release. */
  get holdsBuffers(): boolean {
    return this.taken.length > 0;
  }
}
