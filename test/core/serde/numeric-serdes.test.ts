import { describe, expect, it } from 'vitest';
import { Int32Serde } from '../../../core/serde/int32-serde.ts';
import { Int64Serde } from '../../../core/serde/int64-serde.ts';
import { Int64BigSerde } from '../../../core/serde/int64-big-serde.ts';
import { Float64Serde } from '../../../core/serde/float64-serde.ts';
import { SerdeError } from '../../../core/errors/streams-errors.ts';

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));
const bytes = (h: string): Buffer => Buffer.from(h, 'hex');

// Known bytes: what Java's IntegerSerializer / LongSerializer / DoubleSerializer write
// (ByteBuffer big-endian; Double.doubleToLongBits).
describe('core/serde/int32-serde', () => {
  const s = new Int32Serde();
  it.each([
    [0, '00000000'],
    [1, '00000001'],
    [256, '00000100'],
    [-1, 'ffffffff'],
    [2147483647, '7fffffff'],
    [-2147483648, '80000000'],
    [123456789, '075bcd15'],
  ])('%d <-> %s', (n, h) => {
    expect(hex(s.serialize('t', n))).toBe(h);
    expect(s.deserialize('t', bytes(h))).toBe(n);
  });

  it('refuses non-integers and out-of-range numbers, and wrong sizes', () => {
    for (const bad of [1.5, 2147483648, -2147483649, Number.NaN, '1' as unknown as number]) {
      expect(() => s.serialize('t', bad)).toThrow(SerdeError);
    }
    expect(() => s.deserialize('counts', bytes('000001'))).toThrow('Cannot deserialize data of counts with int32: expected 4 bytes, got 3');
  });
});

describe('core/serde/int64-serde', () => {
  const s = new Int64Serde();
  it.each([
    [0, '0000000000000000'],
    [1, '0000000000000001'],
    [-1, 'ffffffffffffffff'],
    [4294967296, '0000000100000000'],
    [-4294967296, 'ffffffff00000000'],
    [1700000000000, '0000018bcfe56800'],
    [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
    [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'],
  ])('%d <-> %s', (n, h) => {
    expect(hex(s.serialize('t', n))).toBe(h);
    expect(s.deserialize('t', bytes(h))).toBe(n);
  });

  it('refuses numbers beyond 2^53 both ways instead of rounding', () => {
    expect(() => s.serialize('t', 2 ** 53)).toThrow(SerdeError);
    expect(() => s.serialize('t', 0.5)).toThrow(SerdeError);
    expect(() => s.deserialize('t', bytes('0020000000000000'))).toThrow(/9007199254740992 is beyond 2\^53 - 1.*int64Big/);
    expect(() => s.deserialize('t', bytes('8000000000000000'))).toThrow(SerdeError);
    expect(() => s.deserialize('t', bytes('00000001'))).toThrow('expected 8 bytes, got 4');
  });
});

describe('core/serde/int64-big-serde', () => {
  const s = new Int64BigSerde();
  it.each([
    [0n, '0000000000000000'],
    [-1n, 'ffffffffffffffff'],
    [9223372036854775807n, '7fffffffffffffff'],
    [-9223372036854775808n, '8000000000000000'],
    [9007199254740993n, '0020000000000001'],
  ])('%s <-> %s', (n, h) => {
    expect(hex(s.serialize('t', n))).toBe(h);
    expect(s.deserialize('t', bytes(h))).toBe(n);
  });

  it('refuses values outside the signed 64-bit range and numbers', () => {
    expect(() => s.serialize('t', 1n << 63n)).toThrow(SerdeError);
    expect(() => s.serialize('t', 1 as unknown as bigint)).toThrow(SerdeError);
  });
});

describe('core/serde/float64-serde', () => {
  const s = new Float64Serde();
  it.each([
    [0, '0000000000000000'],
    [1, '3ff0000000000000'],
    [1.5, '3ff8000000000000'],
    [-2, 'c000000000000000'],
    [0.1, '3fb999999999999a'],
    [Number.POSITIVE_INFINITY, '7ff0000000000000'],
    [Number.NEGATIVE_INFINITY, 'fff0000000000000'],
  ])('%d <-> %s', (n, h) => {
    expect(hex(s.serialize('t', n))).toBe(h);
    expect(s.deserialize('t', bytes(h))).toBe(n);
  });

  it('writes the canonical NaN of Double.doubleToLongBits and keeps -0', () => {
    expect(hex(s.serialize('t', Number.NaN))).toBe('7ff8000000000000');
    expect(s.deserialize('t', bytes('7ff8000000000000'))).toBeNaN();
    expect(hex(s.serialize('t', -0))).toBe('8000000000000000');
    expect(Object.is(s.deserialize('t', bytes('8000000000000000')), -0)).toBe(true);
  });

  it('refuses non-numbers and wrong sizes', () => {
    expect(() => s.serialize('t', '1' as unknown as number)).toThrow(SerdeError);
    expect(() => s.deserialize('t', bytes('3ff0'))).toThrow('expected 8 bytes, got 2');
  });
});
