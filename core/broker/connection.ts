/**
 * One client connection to the broker: Kafka's framing (an int32 size, then that many bytes of request)
 * parsed incrementally from the socket, each request handed to the dispatcher as soon as it is complete,
 * and the responses written back in request order even when handlers finish out of order (a
 * per-connection response queue). A frame over `socket.request.max.bytes`, a negative size, or a request
 * the dispatcher cannot serve closes this connection only, after the responses before it are written.
 *
 * Backpressure: reading pauses while too many requests are in flight on the connection or while the
 * socket's write buffer is over its high-water mark, and resumes as they drain.
 */
import type { Socket } from 'node:net';
import type { BrokerLogger } from './broker-context.ts';

/** What the dispatcher decided for one request. */
export type DispatchOutcome =
  /** Write these bytes (size prefix included): one buffer, or a frame in chunks written in one vectored write. */
  | { readonly kind: 'respond'; readonly bytes: Buffer | readonly Buffer[] }
  /** The request gets no response (Produce with acks=0). */
  | { readonly kind: 'none' }
  /** Close the connection once the responses before this one are written. */
  | { readonly kind: 'close'; readonly reason: string };

/** Where a connection sends complete frames. */
export interface FrameDispatcher {
  /** Serves one request frame (without its size prefix). Must not throw; failures are outcomes. */
  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchOutcome | Promise<DispatchOutcome>;
}

/** Who is on the other end of a connection. */
export interface ConnectionInfo {
  /** `host:port` of the client. */
  readonly address: string;
  /** The client host alone. */
  readonly host: string;
}

/** Options of {@link BrokerConnection}. */
export interface BrokerConnectionOptions {
  readonly socket: Socket;
  readonly dispatcher: FrameDispatcher;
  readonly logger: BrokerLogger;
  /** Frames larger than this close the connection (Kafka's `socket.request.max.bytes`). */
  readonly maxRequestBytes: number;
  /** Requests in flight before reading pauses. Default 100. */
  readonly maxInFlight?: number;
  /** Called once when the connection is gone. */
  readonly onClose?: (connection: BrokerConnection) => void;
}

interface Slot {
  outcome: DispatchOutcome | null;
}

const SIZE_BYTES = 4;

/**
 * A client connection. Created by the broker for every accepted socket.
 *
 * @example
 * const connection = new BrokerConnection({ socket, dispatcher, logger, maxRequestBytes: 100 << 20 });
 */
export class BrokerConnection implements ConnectionInfo {
  readonly address: string;
  readonly host: string;
  private readonly socket: Socket;
  private readonly dispatcher: FrameDispatcher;
  private readonly logger: BrokerLogger;
  private readonly maxRequestBytes: number;
  private readonly maxInFlight: number;
  private readonly onClose: ((connection: BrokerConnection) => void) | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the frame being received, or -1 while its size prefix is incomplete. */
  private frameSize = -1;
  private readonly queue: Slot[] = [];
  private writeBlocked = false;
  private paused = false;
  private closing = false;
  private closed = false;

  constructor(options: BrokerConnectionOptions) {
    this.socket = options.socket;
    this.dispatcher = options.dispatcher;
    this.logger = options.logger;
    this.maxRequestBytes = options.maxRequestBytes;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.onClose = options.onClose;
    this.host = this.socket.remoteAddress ?? 'unknown';
    this.address = `${this.host}:${this.socket.remotePort ?? 0}`;
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateFlow();
    });
    this.socket.on('error', (error) => this.logger.debug(`Connection ${this.address}: ${error.message}`));
    this.socket.on('close', () => this.finish());
  }

  /** Requests received whose responses are not written yet. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Closes the connection at once (broker shutdown); responses not yet written are dropped. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    try {
      this.extractFrames();
    } catch (error) {
      // A bug in the framing code must cost this connection, never the broker.
      this.logger.error(`Connection ${this.address}: ${(error as Error).message}; closing it`, { error });
      this.destroy();
    }
  }

  private extractFrames(): void {
    // Frames already received wait in `pending` while too many requests are in flight.
    while (!this.closing && this.queue.length < this.maxInFlight) {
      if (this.frameSize < 0) {
        if (this.pendingBytes < SIZE_BYTES) return;
        const head = this.contiguous(SIZE_BYTES);
        const size = head.readInt32BE(0);
        if (size < 0 || size > this.maxRequestBytes) {
          this.closeAfterResponses(`request size ${size} is outside [0, ${this.maxRequestBytes}] (socket.request.max.bytes)`);
          return;
        }
        this.frameSize = size;
      }
      const needed = SIZE_BYTES + this.frameSize;
      if (this.pendingBytes < needed) return;
      const buf = this.contiguous(needed);
      const frame = buf.subarray(SIZE_BYTES, needed);
      this.consume(needed);
      this.frameSize = -1;
      this.dispatch(frame);
    }
  }

  /** The first `n` pending bytes as one buffer (concatenating chunks only when a frame spans them). */
  private contiguous(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n) return first;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [all];
    return all;
  }

  private consume(n: number): void {
    const first = this.pending[0]!;
    this.pendingBytes -= n;
    if (first.length === n) this.pending.shift();
    else this.pending[0] = first.subarray(n);
  }

  private dispatch(frame: Buffer): void {
    let result: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      result = this.dispatcher.dispatch(frame, this);
    } catch (error) {
      result = { kind: 'close', reason: `dispatcher failed: ${(error as Error).message}` };
    }
    if (!(result instanceof Promise)) {
      if (result.kind === 'close') this.closing = true; // read no further requests
      if (this.queue.length === 0) this.apply(result);
      else this.queue.push({ outcome: result });
      return;
    }
    const slot: Slot = { outcome: null };
    this.queue.push(slot);
    result.then(
      (outcome) => {
        slot.outcome = outcome;
        this.flushQueue();
      },
      (error: unknown) => {
        slot.outcome = { kind: 'close', reason: `handler failed: ${(error as Error)?.message ?? String(error)}` };
        this.flushQueue();
      },
    );
    this.updateFlow();
  }

  private flushQueue(): void {
    if (this.closed) return;
    this.socket.cork();
    while (this.queue.length > 0 && this.queue[0]!.outcome !== null && !this.closed) {
      this.apply(this.queue.shift()!.outcome!);
    }
    this.socket.uncork();
    this.updateFlow();
    if (!this.closing && this.pendingBytes > 0) this.extractFrames();
  }

  private apply(outcome: DispatchOutcome): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return;
    if (outcome.kind === 'respond') {
      const bytes = outcome.bytes;
      if (!Array.isArray(bytes)) {
        if (!this.socket.write(bytes as Buffer)) this.writeBlocked = true;
        return;
      }
      // Corked writes of several chunks leave the socket as one writev.
      this.socket.cork();
      let ok = true;
      for (let i = 0; i < bytes.length; i++) ok = this.socket.write(bytes[i]!);
      this.socket.uncork();
      if (!ok) this.writeBlocked = true;
    } else if (outcome.kind === 'close') {
      this.logger.warn(`Connection ${this.address}: ${outcome.reason}; closing it`);
      this.closing = true;
      this.queue.length = 0;
      this.socket.end();
      // A client that never reads must not keep the socket open.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }

  private closeAfterResponses(reason: string): void {
    this.closing = true;
    this.pending = [];
    this.pendingBytes = 0;
    const outcome: DispatchOutcome = { kind: 'close', reason };
    if (this.queue.length === 0) this.apply(outcome);
    else this.queue.push({ outcome });
    this.flushQueue();
  }

  private updateFlow(): void {
    if (this.closed) return;
    const shouldPause = this.writeBlocked || this.queue.length >= this.maxInFlight;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.queue.length = 0;
    this.pending = [];
    this.onClose?.(this);
  }
}
