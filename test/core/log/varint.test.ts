import { describe, expect, it } from 'vitest';
import { sizeOfVarint, VarintReader, writeVarint } from '../../../core/log/varint.ts';

describe('core/log/varint', () => {
  it('encodes known zig-zag bytes', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [300, [0xd8, 0x04]],
    ];
    for (const [value, bytes] of cases) {
      const buf = Buffer.alloc(10);
      const end = writeVarint(buf, 0, value);
      expect([...buf.subarray(0, end)]).toEqual(bytes);
      expect(sizeOfVarint(value)).toBe(bytes.length);
    }
  });

  it('round-trips values across the int32 and 52-bit ranges', () => {
    const values = [0, 1, -1, 127, 128, -129, 2 ** 20, -(2 ** 20), 2 ** 30, -(2 ** 30) - 1, 2 ** 31, -(2 ** 31),
      2 ** 40 + 17, -(2 ** 40) - 3, 1_732_000_000_000, -1_732_000_000_000, 2 ** 52 - 1];
    const buf = Buffer.alloc(10 * values.length);
    let pos = 0;
    for (const v of values) {
      const next = writeVarint(buf, pos, v);
      expect(next - pos).toBe(sizeOfVarint(v));
      pos = next;
    }
    const reader = new VarintReader();
    reader.reset(buf, 0, pos);
    for (const v of values) expect(reader.readVarint()).toBe(v);
    expect(reader.pos).toBe(pos);
  });

  it('returns NaN when the bytes run out', () => {
    const reader = new VarintReader();
    reader.reset(Buffer.from([0x80, 0x80]), 0, 2);
    expect(reader.readVarint()).toBeNaN();
  });
});
