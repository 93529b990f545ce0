import { describe, expect, it } from 'vitest';
import { API_KEYS } from '../../../../core/broker/protocol/api-registry.ts';
import { encodeResponseChunks, encodeResponseFrame } from '../../../../core/broker/protocol/response-frame.ts';
import { ATTACH_MIN_BYTES, Writer } from '../../../../core/broker/protocol/writer.ts';
import { ProtocolError } from '../../../../core/errors/broker-errors.ts';

function fetchResponse(records: Buffer[]): object {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 't',
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: records.map((r, i) => ({
          partitionIndex: i,
          errorCode: 0,
          highWatermark: 10,
          lastStableOffset: 10,
          logStartOffset: 0,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: r,
        })),
      },
    ],
  };
}

describe('core/broker/protocol/response-frame', () => {
  it('chunks concatenate to the copied frame, classic and flexible, size prefix included', () => {
    const big = Buffer.alloc(ATTACH_MIN_BYTES * 3, 7);
    const small = Buffer.from('tiny');
    for (const version of [4, 11, 12, 13]) {
      const value = fetchResponse([big, small, big.subarray(0, ATTACH_MIN_BYTES)]);
      const whole = encodeResponseFrame(API_KEYS.Fetch, version, 42, value);
      const chunks = encodeResponseChunks(API_KEYS.Fetch, version, 42, value);
      expect(Buffer.concat(chunks).equals(whole), `v${version}`).toBe(true);
      expect(whole.readInt32BE(0)).toBe(whole.length - 4);
      expect(chunks.length).toBeGreaterThan(1);
    }
  });

  it('stored batches of 4 KiB or more are referenced, not copied; smaller ones are copied', () => {
    const big = Buffer.alloc(ATTACH_MIN_BYTES, 1);
    const small = Buffer.alloc(ATTACH_MIN_BYTES - 1, 2);
    const chunks = encodeResponseChunks(API_KEYS.Fetch, 11, 1, fetchResponse([big, small]));
    expect(chunks.filter((c) => c.buffer === big.buffer && c.byteOffset === big.byteOffset)).toHaveLength(1);
    expect(chunks.some((c) => c.buffer === small.buffer)).toBe(false);
  });

  it('a frame without large byte strings is one chunk', () => {
    const chunks = encodeResponseChunks(API_KEYS.Heartbeat, 4, 9, { throttleTimeMs: 0, errorCode: 0 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.equals(encodeResponseFrame(API_KEYS.Heartbeat, 4, 9, { throttleTimeMs: 0, errorCode: 0 }))).toBe(true);
  });

  it('a chunked writer keeps earlier chunks intact when its buffer grows after an attach', () => {
    const w = new Writer(16, { chunked: true });
    w.int32(1);
    const attached = Buffer.alloc(ATTACH_MIN_BYTES, 9);
    w.bytes(attached);
    for (let i = 0; i < 100; i++) w.int32(i); // forces the internal buffer to grow
    expect(w.length).toBe(4 + 4 + ATTACH_MIN_BYTES + 400);
    const out = Buffer.concat(w.finishChunks());
    expect(out.readInt32BE(0)).toBe(1);
    expect(out.readInt32BE(4)).toBe(ATTACH_MIN_BYTES);
    expect(out.subarray(8, 8 + ATTACH_MIN_BYTES).equals(attached)).toBe(true);
    expect(out.readInt32BE(8 + ATTACH_MIN_BYTES + 99 * 4)).toBe(99);
    expect(() => w.finish()).toThrow(ProtocolError);
  });
});
