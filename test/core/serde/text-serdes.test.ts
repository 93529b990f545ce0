import { describe, expect, it } from 'vitest';
import { StringSerde } from '../../../core/serde/string-serde.ts';
import { BytesSerde } from '../../../core/serde/bytes-serde.ts';
import { UuidSerde } from '../../../core/serde/uuid-serde.ts';
import { VoidSerde } from '../../../core/serde/void-serde.ts';
import { SerdeError } from '../../../core/errors/streams-errors.ts';

describe('core/serde/string-serde', () => {
  const s = new StringSerde();
  it('writes UTF-8 and reads it back', () => {
    expect(s.serialize('t', 'héllo €')!.toString('hex')).toBe('68c3a96c6c6f20e282ac');
    expect(s.deserialize('t', Buffer.from('68c3a96c6c6f20e282ac', 'hex'))).toBe('héllo €');
    expect(s.deserialize('t', Buffer.alloc(0))).toBe('');
  });
  it('refuses a non-string', () => {
    expect(() => s.serialize('t', 5 as unknown as string)).toThrow(SerdeError);
  });
});

describe('core/serde/bytes-serde', () => {
  const s = new BytesSerde();
  it('passes Buffers through without copying', () => {
    const b = Buffer.from([1, 2, 3]);
    expect(s.serialize('t', b)).toBe(b);
    expect(s.deserialize('t', b)).toBe(b);
  });
  it('accepts a Uint8Array as a view and refuses other values', () => {
    const u = new Uint8Array([9, 8]);
    const out = s.serialize('t', u as Buffer)!;
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...out]).toEqual([9, 8]);
    expect(() => s.serialize('t', 'x' as unknown as Buffer)).toThrow(SerdeError);
  });
});

describe('core/serde/uuid-serde', () => {
  const s = new UuidSerde();
  const id = '123e4567-e89b-12d3-a456-426614174000';
  it('writes the 36-character string form, as Kafka UUIDSerializer', () => {
    const b = s.serialize('t', id)!;
    expect(b.length).toBe(36);
    expect(b.toString('utf8')).toBe(id);
    expect(s.deserialize('t', b)).toBe(id);
  });
  it('refuses strings and bytes that are not UUIDs', () => {
    expect(() => s.serialize('t', 'not-a-uuid')).toThrow(SerdeError);
    expect(() => s.deserialize('t', Buffer.from('123e4567e89b12d3a456426614174000'))).toThrow(/36-byte string form/);
    expect(() => s.deserialize('t', Buffer.from('123e4567-e89b-12d3-a456-42661417400z'))).toThrow(SerdeError);
  });
});

describe('core/serde/void-serde', () => {
  const s = new VoidSerde();
  it('only carries null', () => {
    expect(s.serialize('t', null)).toBeNull();
    expect(s.deserialize('t', null)).toBeNull();
    expect(() => s.serialize('t', 1 as unknown as null)).toThrow(SerdeError);
    expect(() => s.deserialize('t', Buffer.from([0]))).toThrow('expected null data, got 1 bytes');
  });
});
