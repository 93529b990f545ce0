import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnection, type DispatchOutcome, type FrameDispatcher } from '../../../core/broker/connection.ts';
import { RecordingLogger } from '../../fixtures/broker-harness.ts';

/** A frame whose body is the 4-byte id followed by a 2-byte delay in ms. */
function frame(id: number, delayMs: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeInt32BE(6, 0);
  b.writeInt32BE(id, 4);
  b.writeUInt16BE(delayMs, 8);
  return b;
}

/** Echoes the id back as a response frame, after the delay (synchronously when 0). */
class DelayingDispatcher implements FrameDispatcher {
  readonly seen: number[] = [];
  maxConcurrent = 0;
  private running = 0;
  dispatch(body: Buffer): DispatchOutcome | Promise<DispatchOutcome> {
    const id = body.readInt32BE(0);
    const delay = body.readUInt16BE(4);
    this.seen.push(id);
    const response: DispatchOutcome = { kind: 'respond', bytes: Buffer.from([0, 0, 0, 4, ...Buffer.from(new Int32Array([id]).buffer).reverse()]) };
    if (id === 999) return { kind: 'close', reason: 'told to close' };
    if (delay === 0) return response;
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.running--;
        resolve(response);
      }, delay),
    );
  }
}

async function serve(dispatcher: FrameDispatcher, options: { maxRequestBytes?: number; maxInFlight?: number; directReads?: boolean } = {}) {
  const logger = new RecordingLogger();
  const server = net.createServer((socket) => {
    server.on('test-teardown', () => socket.destroy());
    new BrokerConnection({
      socket,
      dispatcher,
      logger,
      maxRequestBytes: options.maxRequestBytes ?? 1024,
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      ...(options.directReads === undefined ? {} : { directReads: options.directReads }),
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => client.on('connect', r));
  const received: number[] = [];
  let buffered = Buffer.alloc(0);
  client.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      received.push(buffered.readInt32BE(4));
      buffered = buffered.subarray(8);
    }
  });
  const closed = new Promise<void>((r) => client.on('close', () => r()));
  return { server, client, received, closed, logger };
}

/** The body of frame `id`: the id, then `size` bytes derived from it. */
function payloadFrame(id: number, size: number): Buffer {
  const b = Buffer.alloc(4 + 4 + size);
  b.writeInt32BE(4 + size, 0);
  b.writeInt32BE(id, 4);
  for (let i = 0; i < size; i += 61) b[8 + i] = (id * 31 + i) & 0xff;
  if (size > 0) b[b.length - 1] = id & 0xff;
  return b;
}

function payloadIntact(body: Buffer): boolean {
  const id = body.readInt32BE(0);
  const expected = payloadFrame(id, body.length - 4);
  return body.equals(expected.subarray(4));
}

/**
 * Checks each frame when dispatched, answers with its id, keeps the frames of odd ids (saying it retains
 * those) and lets go of the others, noting the memory each large one was in.
 */
class KeepingDispatcher implements FrameDispatcher {
  readonly kept: Buffer[] = [];
  readonly broken: number[] = [];
  readonly largeMemory: ArrayBufferLike[] = [];
  constructor(private readonly retainOdd: boolean) {}
  retainsFrame(frame: Buffer): boolean {
    return this.retainOdd && (frame.readInt32BE(0) & 1) === 1;
  }
  dispatch(body: Buffer): DispatchOutcome {
    const id = body.readInt32BE(0);
    if (!payloadIntact(body)) this.broken.push(id);
    if (this.retainsFrame(body)) this.kept.push(body);
    else if (body.length > 100_000) this.largeMemory.push(body.buffer);
    const response = Buffer.alloc(8);
    response.writeInt32BE(4, 0);
    response.writeInt32BE(id, 4);
    return { kind: 'respond', bytes: response };
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('core/broker/connection', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      const closed = new Promise((r) => s.close(r));
      s.emit('test-teardown');
      await closed;
    }
  });

  it('answers in request order when handlers finish out of order', async () => {
    const dispatcher = new DelayingDispatcher();
    const { server, client, received } = await serve(dispatcher);
    servers.push(server);
    client.write(Buffer.concat([frame(1, 80), frame(2, 0), frame(3, 40), frame(4, 0), frame(5, 10)]));
    await until(() => received.length === 5);
    expect(received).toEqual([1, 2, 3, 4, 5]);
    expect(dispatcher.maxConcurrent).toBeGreaterThan(1);
    client.destroy();
  });

  it('reassembles frames split at every byte and several frames in one chunk', async () => {
    const dispatcher = new DelayingDispatcher();
    const { server, client, received } = await serve(dispatcher);
    servers.push(server);
    const bytes = Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(i + 1, i % 3 === 0 ? 5 : 0)));
    for (let i = 0; i < bytes.length; i++) {
      client.write(bytes.subarray(i, i + 1));
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => received.length === 20);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    client.destroy();
  });

  it('closes after the earlier responses when a frame is too large, and logs the client address', async () => {
    const dispatcher = new DelayingDispatcher();
    const { server, client, received, closed, logger } = await serve(dispatcher, { maxRequestBytes: 64 });
    servers.push(server);
    const port = client.localPort;
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(65, 0);
    client.write(Buffer.concat([frame(1, 30), huge]));
    await closed;
    expect(received).toEqual([1]);
    expect(logger.problems.some((l) => l.message.includes(`:${port}`) && l.message.includes('request size 65'))).toBe(true);
  });

  it('closes when the dispatcher says so, after the responses before it', async () => {
    const dispatcher = new DelayingDispatcher();
    const { server, client, received, closed } = await serve(dispatcher);
    servers.push(server);
    client.write(Buffer.concat([frame(1, 20), frame(999, 0), frame(3, 0)]));
    await closed;
    expect(received).toEqual([1]);
    expect(dispatcher.seen).not.toContain(3);
  });

  it('stops reading while maxInFlight requests wait, and resumes as they finish', async () => {
    const dispatcher = new DelayingDispatcher();
    const { server, client, received } = await serve(dispatcher, { maxInFlight: 2 });
    servers.push(server);
    client.write(Buffer.concat(Array.from({ length: 6 }, (_, i) => frame(i + 1, 30))));
    await until(() => received.length === 6);
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dispatcher.maxConcurrent).toBe(2);
    client.destroy();
  });

  it('writes a response given as chunks (a Fetch with referenced batches) whole and in order', async () => {
    const inner = new DelayingDispatcher();
    const chunking: FrameDispatcher = {
      dispatch(body) {
        const split = (outcome: DispatchOutcome): DispatchOutcome => {
          if (outcome.kind !== 'respond' || Array.isArray(outcome.bytes)) return outcome;
          const bytes = outcome.bytes as Buffer;
          return { kind: 'respond', bytes: [bytes.subarray(0, 3), bytes.subarray(3, 5), bytes.subarray(5)] };
        };
        const result = inner.dispatch(body);
        return result instanceof Promise ? result.then(split) : split(result);
      },
    };
    const { server, client, received } = await serve(chunking);
    servers.push(server);
    client.write(Buffer.concat([frame(1, 30), frame(2, 0), frame(3, 10), frame(4, 0)]));
    await until(() => received.length === 4);
    expect(received).toEqual([1, 2, 3, 4]);
    client.destroy();
  });

  for (const directReads of [true, false]) {
    it(`serves large and small frames intact; frames the dispatcher retains keep their bytes (direct reads ${directReads})`, async () => {
      const dispatcher = new KeepingDispatcher(true);
      const { server, client, received } = await serve(dispatcher, { maxRequestBytes: 2 << 20, directReads });
      servers.push(server);
      const sizes = [900_000, 10, 905_000, 0, 300, 70_000, 880_000, 5, 1_000_000, 17_000, 910_000, 3];
      const bytes = Buffer.concat(sizes.map((size, i) => payloadFrame(i + 1, size)));
      for (let pos = 0; pos < bytes.length; pos += 150_001) {
        client.write(bytes.subarray(pos, pos + 150_001));
        await new Promise((r) => setImmediate(r));
      }
      await until(() => received.length === sizes.length);
      expect(received).toEqual(sizes.map((_, i) => i + 1));
      expect(dispatcher.broken).toEqual([]);
      expect(dispatcher.kept.length).toBe(6);
      expect(dispatcher.kept.filter((k) => !payloadIntact(k)).map((k) => k.readInt32BE(0))).toEqual([]);
      client.destroy();
    });
  }

  it('reads large frames the dispatcher lets go of into the same memory, request after request', async () => {
    const dispatcher = new KeepingDispatcher(false);
    const { server, client, received } = await serve(dispatcher, { maxRequestBytes: 2 << 20 });
    servers.push(server);
    const sizes = [900_000, 10, 905_000, 910_000, 300, 880_000];
    for (let i = 0; i < sizes.length; i++) {
      client.write(payloadFrame(i + 1, sizes[i]!));
      await until(() => received.length === i + 1);
    }
    expect(dispatcher.broken).toEqual([]);
    expect(dispatcher.largeMemory.length).toBe(4);
    expect(new Set(dispatcher.largeMemory).size).toBe(1);
    client.destroy();
  });

  it('parks frames received while maxInFlight requests wait and serves them intact, in order', async () => {
    const inner = new DelayingDispatcher();
    const seen: number[] = [];
    const broken: number[] = [];
    const slowFirst: FrameDispatcher = {
      retainsFrame: () => false,
      dispatch(body) {
        const id = body.readInt32BE(0);
        seen.push(id);
        if (!payloadIntact(body)) broken.push(id);
        const delayed = Buffer.alloc(6);
        delayed.writeInt32BE(id, 0);
        delayed.writeUInt16BE(id === 1 ? 50 : 0, 4);
        return inner.dispatch(delayed);
      },
    };
    const { server, client, received } = await serve(slowFirst, { maxRequestBytes: 2 << 20, maxInFlight: 1 });
    servers.push(server);
    client.write(Buffer.concat([payloadFrame(1, 20), payloadFrame(2, 400_000), payloadFrame(3, 30), payloadFrame(4, 500_000)]));
    await until(() => received.length === 4);
    expect(received).toEqual([1, 2, 3, 4]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(broken).toEqual([]);
    client.destroy();
  });

  it('calls a response\'s written callback once the socket is done with its bytes', async () => {
    let written = 0;
    const chunks = (id: number): DispatchOutcome => {
      const head = Buffer.alloc(8);
      head.writeInt32BE(4 + 200_000, 0);
      head.writeInt32BE(id, 4);
      return { kind: 'respond', bytes: [head, Buffer.alloc(200_000)], written: () => written++ };
    };
    const dispatcher: FrameDispatcher = { dispatch: (body) => chunks(body.readInt32BE(0)) };
    const { server, client } = await serve(dispatcher);
    servers.push(server);
    let bytes = 0;
    client.on('data', (chunk: Buffer) => (bytes += chunk.length));
    client.write(Buffer.concat([frame(1, 0), frame(2, 0), frame(3, 0)]));
    await until(() => written === 3 && bytes === 3 * 200_008);
    client.destroy();
  });
});
