/**
 * One client connection to the broker: Kafka's framing (an int32 size, then that many bytes of request)
 * parsed as bytes arrive ({@link FrameReader}: reads go straight into frame buffers, which are reused for
 * requests that keep no view of their bytes), each request handed to the dispatcher as soon as it is
 * complete, and the responses written back in request order even when handlers finish out of order (a
 * per-connection response queue). A frame over `socket.request.max.bytes`, a negative size, or a request
 * the dispatcher cannot serve closes this connection only, after the responses before it are written.
 *
 * Backpressure: reading pauses while too many requests are in flight on the connection or while the
 * socket's write buffer is over its high-water mark, and resumes as they drain.
 */
import type { Socket } from 'node:net';
import type { BrokerLogger } from './broker-context.ts';
import { FrameReader, type FrameSink } from './frame-reader.ts';
import { readIntoBuffers } from './socket-reads.ts';

/** What the dispatcher decided for one request. */
export type DispatchOutcome =
  /**
   * Write these bytes (size prefix included): one buffer, or a frame in chunks written in one vectored
   * write. `written`, if given, is called once the socket is done with the bytes (written, or failed).
   */
  | { readonly kind: 'respond'; readonly bytes: Buffer | readonly Buffer[]; readonly written?: () => void }
  /** The request gets no response (Produce with acks=0). */
  | { readonly kind: 'none' }
  /** Close the connection once the responses before this one are written. */
  | { readonly kind: 'close'; readonly reason: string };

/** Where a connection sends complete frames. */
export interface FrameDispatcher {
  /** Serves one request frame (without its size prefix). Must not throw; failures are outcomes. */
  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchOutcome | Promise<DispatchOutcome>;
  /**
   * Whether serving `frame` may keep views of its bytes once {@link dispatch} has returned (decoded byte
   * fields are views of the frame). When false, the connection passes frames it will overwrite after the
   * call, without copying them. Absent: true.
   */
  retainsFrame?(frame: Buffer): boolean;
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
  /**
   * Read request bytes straight into frame buffers (Node's `onread`), where the runtime allows it.
   * Default true; false reads 'data' events (the way taken where it is not allowed).
   */
  readonly directReads?: boolean;
}

interface Slot {
  outcome: DispatchOutcome | null;
}

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
  private readonly reader: FrameReader;
  /** Whether the dispatcher may keep views of frames (no retainsFrame: always). */
  private readonly retains: (frame: Buffer) => boolean;
  /** Frames received while maxInFlight requests were in flight, in arrival order (owned copies). */
  private parked: Buffer[] = [];
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
    const dispatcher = this.dispatcher;
    this.retains = dispatcher.retainsFrame === undefined ? () => true : (frame) => dispatcher.retainsFrame!(frame);
    this.host = this.socket.remoteAddress ?? 'unknown';
    this.address = `${this.host}:${this.socket.remotePort ?? 0}`;
    const sink: FrameSink = {
      onFrame: (frame, transient) => this.onFrame(frame, transient),
      onBadSize: (size) => this.closeAfterResponses(`request size ${size} is outside [0, ${this.maxRequestBytes}] (socket.request.max.bytes)`),
    };
    this.reader = new FrameReader(this.maxRequestBytes, sink);
    this.socket.setNoDelay(true);
    const reader = this.reader;
    const direct =
      options.directReads !== false &&
      readIntoBuffers(
        this.socket,
        () => reader.nextReadBuffer(),
        (n, buf) => this.received(buf, n),
      );
    if (!direct) this.socket.on('data', (chunk: Buffer) => this.received(chunk, -1));
    this.socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateFlow();
    });
    this.socket.on('error', (error) => this.logger.debug(`Connection ${this.address}: ${error.message}`));
    this.socket.on('close', () => this.finish());
    this.socket.resume(); // a server with pauseOnConnect hands sockets over paused
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

  /** `n` bytes were read into `buf` (the reader's buffer), or `buf` is a 'data' chunk (`n` = -1). */
  private received(buf: Buffer, n: number): void {
    if (this.closing) return;
    try {
      if (n < 0) this.reader.push(buf);
      else this.reader.onRead(buf, n);
    } catch (error) {
      // A bug in the framing code must cost this connection, never the broker.
      this.logger.error(`Connection ${this.address}: ${(error as Error).message}; closing it`, { error });
      this.destroy();
    }
  }

  private onFrame(frame: Buffer, transient: boolean): void {
    if (this.closing) {
      this.reader.stop();
      return;
    }
    if (this.parked.length > 0 || this.queue.length >= this.maxInFlight) {
      // Served once responses drain; reading pauses meanwhile.
      this.parked.push(transient ? Buffer.from(frame) : frame);
      this.updateFlow();
      return;
    }
    this.serve(frame, transient);
  }

  /** Dispatches a frame, copying it first only when it is transient and the request may keep views of it. */
  private serve(frame: Buffer, transient: boolean): void {
    const retained = this.retains(frame);
    this.dispatch(transient && retained ? Buffer.from(frame) : frame);
    if (!retained && !transient) this.reader.recycle(frame);
  }

  private serveParked(): void {
    while (!this.closing && this.parked.length > 0 && this.queue.length < this.maxInFlight) {
      this.serve(this.parked.shift()!, false);
    }
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
    if (!this.closing && this.parked.length > 0) this.serveParked();
    this.updateFlow();
  }

  private apply(outcome: DispatchOutcome): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return;
    if (outcome.kind === 'respond') {
      const bytes = outcome.bytes;
      const written = outcome.written;
      if (!Array.isArray(bytes)) {
        if (!this.socket.write(bytes as Buffer, written)) this.writeBlocked = true;
        return;
      }
      // Corked writes of several chunks leave the socket as one writev; the last one's callback runs
      // once they all have.
      this.socket.cork();
      let ok = true;
      const last = bytes.length - 1;
      for (let i = 0; i < last; i++) ok = this.socket.write(bytes[i]!);
      if (last >= 0) ok = this.socket.write(bytes[last]!, written);
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
    this.reader.stop();
    this.parked = [];
    const outcome: DispatchOutcome = { kind: 'close', reason };
    if (this.queue.length === 0) this.apply(outcome);
    else this.queue.push({ outcome });
    this.flushQueue();
  }

  private updateFlow(): void {
    if (this.closed) return;
    const shouldPause = this.writeBlocked || this.queue.length >= this.maxInFlight || this.parked.length > 0;
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
    this.parked = [];
    this.reader.stop();
    this.onClose?.(this);
  }
}
