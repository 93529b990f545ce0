import { describe, expect, it } from 'vitest';
import type { Serde } from '../../core/serde/serde.ts';
import { Int64Serde } from '../../core/serde/int64-serde.ts';
import { valueAndTimestampSerde } from '../../state-stores/value-and-timestamp.ts';

/** Int64Serde's behaviour behind an object that is not an Int64Serde: the generic path. */
function wrapped(inner: Serde<number>): Serde<number> {
  return { name: 'wrapped', serialize: (t, v) => inner.serialize(t, v), deserialize: (t, d) => inner.deserialize(t, d) };
}

describe('state-stores/value-and-timestamp', () => {
  const fast = valueAndTimestampSerde(new Int64Serde());
  const generic = valueAndTimestampSerde(wrapped(new Int64Serde()));

  it('over int64 writes and reads the same bytes as the generic path: [timestamp 8 BE][value 8 BE]', () => {
    const values = [0, 1, -1, 255, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const value of values) {
      for (const timestamp of [0, 1, 1_700_000_000_123, -5]) {
        const bytes = fast.serialize('t', { value, timestamp })!;
        expect(bytes.equals(generic.serialize('t', { value, timestamp })!), `${value}@${timestamp}`).toBe(true);
        expect(bytes.length).toBe(16);
        expect(bytes.readBigInt64BE(8)).toBe(BigInt(value));
        expect(fast.deserialize('t', bytes)).toEqual(generic.deserialize('t', bytes));
        expect(fast.deserialize('t', bytes)).toEqual({ value, timestamp: Math.max(0, timestamp) });
      }
    }
  });

  it('over int64 keeps the inner serde errors (unsafe numbers, wrong lengths) and nulls', () => {
    expect(() => fast.serialize('t', { value: 2 ** 53, timestamp: 1 })).toThrow(/safe integer/);
    expect(() => fast.serialize('t', { value: 1.5, timestamp: 1 })).toThrow(/safe integer/);
    const beyond = Buffer.alloc(16);
    beyond.writeBigInt64BE(2n ** 60n, 8);
    expect(() => fast.deserialize('t', beyond)).toThrow(/2\^53/);
    expect(() => fast.deserialize('t', Buffer.alloc(12))).toThrow(/expected 8 bytes, got 4/);
    expect(fast.serialize('t', null)).toBeNull();
    expect(fast.deserialize('t', null)).toBeNull();
  });
});
