import { describe, expect, it } from 'vitest';
import { crc32c, crc32cJs } from '../../../core/log/crc32c.ts';

describe('core/log/crc32c', () => {
  it('matches the published check value of CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cJs(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives the same result natively and in JavaScript, also when continued', () => {
    const data = Buffer.alloc(10_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    expect(crc32cJs(data)).toBe(crc32c(data));
    const split = crc32c(data.subarray(5000), crc32c(data.subarray(0, 5000)));
    expect(split).toBe(crc32c(data));
    expect(crc32cJs(data.subarray(5000), crc32cJs(data.subarray(0, 5000)))).toBe(crc32c(data));
  });

  it('is 0 for no bytes and differs when one bit flips', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const a = Buffer.from('tributary');
    const b = Buffer.from(a);
    b[3]! ^= 0x10;
    expect(crc32c(b)).not.toBe(crc32c(a));
  });
});
