/**
 * Kafka's request framing (an int32 size, then that many bytes) parsed from what a socket reads, with as
 * few copies and allocations as possible, since request bytes are most of what a broker receives:
 *
 * - Reads go into a 64 KiB buffer shared by every connection ({@link FrameReader.nextReadBuffer}). A frame
 *   found whole in it is handed over as a view of it, valid only during the call: the connection copies it
 *   when the request's decoded parts outlive the call, and serves it in place otherwise (Produce).
 * - A frame larger than what one read brought gets its own buffer of the declared size; what arrived
 *   with its size prefix is copied in, and the next reads fill its remainder directly (no 64 KiB chunks to
 *   concatenate).
 * - A frame buffer handed back with {@link FrameReader.recycle} (its request kept no view of it) holds the
 *   next large frame, so a connection streaming Produce requests allocates no memory per request.
 *
 * Only one socket read runs at a time and each is parsed whole before the next, so sharing the read
 * buffer between connections is safe.
 */

/** Where a {@link FrameReader} hands what it parses. */
export interface FrameSink {
  /**
   * A complete frame (size prefix excluded). `transient`: a view of the shared read buffer, overwritten by
   * the next read, so copy it to keep it beyond this call; otherwise the frame's memory is the sink's.
   */
  onFrame(frame: Buffer, transient: boolean): void;
  /** A size prefix outside [0, max]; the reader parses nothing more. */
  onBadSize(size: number): void;
}

/** Bytes one socket read fills at most (Node's own read size). */
export const READ_BUFFER_BYTES = 64 * 1024;
/** A frame remainder at least this large is read into directly; a smaller one is read via the shared buffer. */
const DIRECT_READ_MIN = 16 * 1024;
/** Frames at least this large get a buffer that {@link FrameReader.recycle} can keep for the next one. */
const RECYCLE_MIN = 16 * 1024;
/** Frame buffers are allocated in multiples of this, so a recycled one fits frames of slightly varying size. */
const CAPACITY_STEP = 64 * 1024;
/** A recycled frame buffer larger than this is dropped rather than kept by an idle connection. */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
const SIZE_BYTES = 4;

let shared: Buffer | null = null;

function sharedReadBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  return shared;
}

/**
 * The framing state of one connection.
 *
 * @example
 * const reader = new FrameReader(100 << 20, { onFrame: (frame, transient) => serve(frame), onBadSize: close });
 * const buf = reader.nextReadBuffer(); // the socket reads n bytes into buf
 * reader.onRead(buf, n);
 */
export class FrameReader {
  private readonly maxFrameBytes: number;
  private readonly sink: FrameSink;
  /** A size prefix split across reads. */
  private readonly head = Buffer.allocUnsafe(SIZE_BYTES);
  private headFilled = 0;
  /** The frame being filled across reads, or null between frames. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** The view of `frame` the socket was last given to read into directly. */
  private direct: Buffer | null = null;
  /** The whole buffer behind the last large frame handed out, until it comes back through recycle. */
  private lent: Buffer | null = null;
  /** A buffer for the next large frame. */
  private spare: Buffer | null = null;
  private stopped = false;

  constructor(maxFrameBytes: number, sink: FrameSink) {
    this.maxFrameBytes = maxFrameBytes;
    this.sink = sink;
  }

  /** Where the socket's next read should go: the rest of a large frame, or the shared read buffer. */
  nextReadBuffer(): Buffer {
    const frame = this.frame;
    if (frame !== null && frame.length - this.filled >= DIRECT_READ_MIN) {
      this.direct = frame.subarray(this.filled);
      return this.direct;
    }
    this.direct = null;
    return sharedReadBuffer();
  }

  /** The socket read `n` bytes into `buf`, the buffer {@link nextReadBuffer} returned last. */
  onRead(buf: Buffer, n: number): void {
    if (this.stopped || n <= 0) return;
    if (buf === this.direct && this.frame !== null) {
      this.direct = null;
      this.filled += n;
      if (this.filled === this.frame.length) this.complete();
      return;
    }
    this.parse(buf, 0, n);
  }

  /** Bytes the reader does not own (a 'data' event's chunk): parsed like a read into the shared buffer. */
  push(chunk: Buffer): void {
    if (!this.stopped) this.parse(chunk, 0, chunk.length);
  }

  /**
   * Hands back a frame this reader allocated (one that was not transient) whose memory nothing references
   * any more: the next large frame may be read into it.
   */
  recycle(frame: Buffer): void {
    const lent = this.lent;
    if (lent === null || frame.buffer !== lent.buffer) return;
    this.lent = null;
    if (lent.length <= MAX_KEPT_BYTES) this.spare = lent;
  }

  /** Parses nothing more (the connection is closing) and lets go of its buffers. */
  stop(): void {
    this.stopped = true;
    this.frame = null;
    this.direct = null;
    this.spare = null;
    this.lent = null;
  }

  private parse(src: Buffer, start: number, end: number): void {
    let pos = start;
    while (pos < end && !this.stopped) {
      let frame = this.frame;
      if (frame === null) {
        let size: number;
        if (this.headFilled === 0 && end - pos >= SIZE_BYTES) {
          size = src.readInt32BE(pos);
          pos += SIZE_BYTES;
        } else {
          const n = Math.min(SIZE_BYTES - this.headFilled, end - pos);
          src.copy(this.head, this.headFilled, pos, pos + n);
          this.headFilled += n;
          pos += n;
          if (this.headFilled < SIZE_BYTES) return;
          this.headFilled = 0;
          size = this.head.readInt32BE(0);
        }
        if (size < 0 || size > this.maxFrameBytes) {
          this.stopped = true;
          this.sink.onBadSize(size);
          return;
        }
        if (end - pos >= size) {
          this.sink.onFrame(src.subarray(pos, pos + size), true);
          pos += size;
          continue;
        }
        frame = this.allocate(size);
        this.frame = frame;
        this.filled = 0;
      }
      const n = Math.min(end - pos, frame.length - this.filled);
      src.copy(frame, this.filled, pos, pos + n);
      this.filled += n;
      pos += n;
      if (this.filled === frame.length) this.complete();
    }
  }

  private complete(): void {
    const frame = this.frame!;
    this.frame = null;
    this.filled = 0;
    this.sink.onFrame(frame, false);
  }

  private allocate(size: number): Buffer {
    if (size < RECYCLE_MIN) return Buffer.allocUnsafe(size);
    let whole = this.spare;
    this.spare = null;
    if (whole === null || whole.length < size) whole = Buffer.allocUnsafeSlow(Math.ceil(size / CAPACITY_STEP) * CAPACITY_STEP);
    this.lent = whole;
    return whole.subarray(0, size);
  }
}
