import { describe, expect, it } from 'vitest';
import { FrameReader, READ_BUFFER_BYTES } from '../../../core/broker/frame-reader.ts';

/** Mulberry32, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function framed(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function body(rand: () => number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 997) b[i] = Math.floor(rand() * 256);
  if (size > 0) b[size - 1] = Math.floor(rand() * 256);
  return b;
}

interface Received {
  readonly frame: Buffer;
  readonly copy: Buffer;
  readonly transient: boolean;
}

/** A reader fed the way a socket feeds it: each read fills (part of) the buffer the reader asked for. */
function harness(maxFrameBytes: number, recycle: boolean) {
  const received: Received[] = [];
  const badSizes: number[] = [];
  const reader: FrameReader = new FrameReader(maxFrameBytes, {
    onFrame(frame, transient) {
      received.push({ frame, copy: Buffer.from(frame), transient });
      if (recycle && !transient) reader.recycle(frame);
    },
    onBadSize: (size) => badSizes.push(size),
  });
  /** Delivers `bytes` in reads of at most `maxRead` bytes (and at most what the reader's buffer holds). */
  const deliver = (bytes: Buffer, readSize: () => number): void => {
    for (let pos = 0; pos < bytes.length; ) {
      const target = reader.nextReadBuffer();
      const n = Math.min(target.length, bytes.length - pos, Math.max(1, readSize()));
      bytes.copy(target, 0, pos, pos + n);
      reader.onRead(target, n);
      pos += n;
    }
  };
  return { reader, received, badSizes, deliver };
}

describe('core/broker/frame-reader', () => {
  it('parses frames of every size from reads of every size, each frame intact when handed over', () => {
    for (const seed of [1, 2, 3, 4]) {
      const rand = prng(seed);
      const sizes = Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? Math.floor(rand() * 300_000) : Math.floor(rand() * 200)));
      sizes.push(0, 16 * 1024, 64 * 1024, 64 * 1024 + 1);
      const bodies = sizes.map((s) => body(rand, s));
      const { received, badSizes, deliver } = harness(1 << 20, false);
      const readSizes = [() => 1 + Math.floor(rand() * 7), () => Math.floor(rand() * 70_000), () => READ_BUFFER_BYTES];
      deliver(Buffer.concat(bodies.map(framed)), readSizes[seed % 3]!);
      expect(badSizes).toEqual([]);
      expect(received.map((r) => r.copy.length)).toEqual(sizes);
      received.forEach((r, i) => expect(r.copy.equals(bodies[i]!)).toBe(true));
      // Frames handed over as owned keep their bytes after later reads; transient ones are views of the shared buffer.
      received.forEach((r, i) => {
        if (!r.transient) expect(r.frame.equals(bodies[i]!)).toBe(true);
      });
      expect(received.some((r) => r.transient)).toBe(true);
      expect(received.some((r) => !r.transient)).toBe(true);
    }
  });

  it('reads the rest of a large frame straight into the frame, and reuses a recycled frame buffer for the next one', () => {
    const rand = prng(9);
    const { reader, received } = harness(1 << 20, true);
    const bodies = [900_000, 910_000, 905_000, 100, 880_000].map((s) => body(rand, s));
    let directReads = 0;
    const bytes = Buffer.concat(bodies.map(framed));
    for (let pos = 0; pos < bytes.length; ) {
      const target = reader.nextReadBuffer();
      if (target.length !== READ_BUFFER_BYTES) directReads++;
      const n = Math.min(target.length, bytes.length - pos, 50_000);
      bytes.copy(target, 0, pos, pos + n);
      reader.onRead(target, n);
      pos += n;
    }
    expect(directReads).toBeGreaterThan(60);
    expect(received.map((r) => r.copy.length)).toEqual(bodies.map((b) => b.length));
    received.forEach((r, i) => expect(r.copy.equals(bodies[i]!)).toBe(true));
    const large = received.filter((r) => r.frame.length > 100_000);
    expect(large.every((r) => !r.transient)).toBe(true);
    // Every large frame was read into the one buffer recycled after the first.
    expect(new Set(large.map((r) => r.frame.buffer)).size).toBe(1);
  });

  it('allocates a new buffer for a large frame while the last one is not recycled (still in use)', () => {
    const rand = prng(5);
    const { received, deliver } = harness(1 << 20, false);
    const bodies = [300_000, 300_000, 300_000].map((s) => body(rand, s));
    deliver(Buffer.concat(bodies.map(framed)), () => 40_000);
    expect(new Set(received.map((r) => r.frame.buffer)).size).toBe(3);
    received.forEach((r, i) => expect(r.frame.equals(bodies[i]!)).toBe(true));
  });

  it('reports a size over the maximum or negative once and parses nothing after it', () => {
    for (const bad of [1025, -1]) {
      const { received, badSizes, deliver } = harness(1024, false);
      const head = Buffer.alloc(4);
      head.writeInt32BE(bad, 0);
      deliver(Buffer.concat([framed(Buffer.from('ok')), head, framed(Buffer.from('after'))]), () => 3);
      expect(received.map((r) => r.copy.toString())).toEqual(['ok']);
      expect(badSizes).toEqual([bad]);
    }
  });

  it('parses chunks it does not own (data events) the same way', () => {
    const rand = prng(11);
    const { reader, received } = harness(1 << 20, true);
    const bodies = [5, 70_000, 0, 200_000, 3].map((s) => body(rand, s));
    const bytes = Buffer.concat(bodies.map(framed));
    for (let pos = 0; pos < bytes.length; pos += 65_536) reader.push(bytes.subarray(pos, pos + 65_536));
    expect(received.map((r) => r.copy.length)).toEqual(bodies.map((b) => b.length));
    received.forEach((r, i) => expect(r.copy.equals(bodies[i]!)).toBe(true));
  });

  it('parses nothing after stop', () => {
    const { reader, received, deliver } = harness(1024, false);
    deliver(framed(Buffer.from('one')), () => 100);
    reader.stop();
    deliver(framed(Buffer.from('two')), () => 100);
    expect(received.map((r) => r.copy.toString())).toEqual(['one']);
  });
});
