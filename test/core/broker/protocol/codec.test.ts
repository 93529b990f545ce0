import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../core/broker/protocol/codec.ts';
import { API_SPECS } from '../../../../core/broker/protocol/api-registry.ts';
import { api, array, field, struct, type MessageSpec } from '../../../../core/broker/protocol/message-spec.ts';
import { ProtocolError } from '../../../../core/errors/broker-errors.ts';
import { versionsOf } from './sample-values.ts';

/** A made-up API exercising every type, a field added in v1, nullability from v1, flexible from v2. */
const Sample = api(
  [9999, 'Sample', '0-2', '2+'],
  [
    field('i8', 'int8', '0+'),
    field('i16', 'int16', '0+'),
    field('i32', 'int32', '0+'),
    field('i64', 'int64', '0+'),
    field('u16', 'uint16', '0+'),
    field('f64', 'float64', '0+'),
    field('flag', 'bool', '0+'),
    field('name', 'string', '0+', { nullable: '1+' }),
    field('data', 'bytes', '0+'),
    field('id', 'uuid', '0+'),
    field('ints', array('int32'), '0+'),
    field('items', array(struct(field('k', 'string', '0+'), field('v', 'int16', '1+', { default: -1 }))), '0+', { nullable: '1+' }),
    field('records', 'records', '0+'),
    field('leaderEpoch', 'int32', '2+', { tagged: [0, '2+'], default: -1 }),
    field('note', 'string', '2+', { tagged: [3, '2+'], nullable: '2+', default: null }),
  ],
  [],
).request;

const value = {
  i8: -2,
  i16: 0x1234,
  i32: -1,
  i64: 2 ** 40 + 5,
  u16: 65535,
  f64: 1.5,
  flag: true,
  name: 'ab',
  data: Buffer.from([0xca, 0xfe]),
  id: '00112233-4455-6677-8899-aabbccddeeff',
  ints: [1],
  items: [{ k: 'x', v: 7 }],
  records: Buffer.from([9]),
};

const hex = (s: string) => s.replace(/\s+/g, '');

describe('core/broker/protocol/codec', () => {
  it('classic v0: fixed-width lengths; fields of later versions are skipped and decode to defaults', () => {
    const bytes = encodeMessage(Sample, 0, value);
    expect(bytes.toString('hex')).toBe(
      hex(`fe 1234 ffffffff 0000010000000005 ffff 3ff8000000000000 01
           0002 6162  00000002 cafe  00112233445566778899aabbccddeeff
           00000001 00000001  00000001 0001 78  00000001 09`),
    );
    const decoded = decodeMessage(Sample, 0, bytes).value;
    expect(decoded.items).toEqual([{ k: 'x', v: -1 }]);
    expect(decoded.leaderEpoch).toBe(-1);
    expect(decoded.note).toBeNull();
  });

  it('classic v1: nullable string and array encode null as -1', () => {
    const bytes = encodeMessage(Sample, 1, { ...value, name: null, items: null, records: null });
    expect(bytes.toString('hex')).toContain(hex('01 ffff 00000002 cafe'));
    expect(bytes.subarray(-8).toString('hex')).toBe(hex('ffffffff ffffffff'));
    const decoded = decodeMessage(Sample, 1, bytes).value;
    expect(decoded).toMatchObject({ name: null, items: null, records: null });
  });

  it('flexible v2: compact lengths (n + 1, 0 = null) and a tag buffer after every struct', () => {
    const bytes = encodeMessage(Sample, 2, value);
    expect(bytes.toString('hex')).toBe(
      hex(`fe 1234 ffffffff 0000010000000005 ffff 3ff8000000000000 01
           03 6162  03 cafe  00112233445566778899aabbccddeeff
           02 00000001  02 02 78 0007 00  02 09  00`),
    );
    const nulls = encodeMessage(Sample, 2, { ...value, name: null, items: null, records: null });
    expect(nulls.toString('hex')).toContain(hex('01 00 03 cafe'));
    // ... ints [1], items null, records null, tag buffer
    expect(nulls.subarray(-8).toString('hex')).toBe(hex('02 00000001 00 00 00'));
    expect(decodeMessage(Sample, 2, nulls).value).toMatchObject({ name: null, items: null, records: null });
  });

  it('writes known tagged fields only when they differ from the default, in tag order', () => {
    const plain = encodeMessage(Sample, 2, { ...value, leaderEpoch: -1, note: null });
    expect(plain.at(-1)).toBe(0);
    const tagged = encodeMessage(Sample, 2, { ...value, leaderEpoch: 5, note: 'hi' });
    // count 2; tag 0 size 4 int32 5; tag 3 size 3 compact string "hi"
    expect(tagged.subarray(plain.length - 1).toString('hex')).toBe(hex('02 00 04 00000005 03 03 03 6869'));
    expect(decodeMessage(Sample, 2, tagged).value).toMatchObject({ leaderEpoch: 5, note: 'hi' });
  });

  it('keeps unknown tagged fields between known ones, and still decodes the known ones', () => {
    const plain = encodeMessage(Sample, 2, value);
    const body = plain.subarray(0, plain.length - 1);
    const tags = Buffer.from(hex('03 00 04 0000002a 01 02 beef 03 02 02 7a'), 'hex');
    const { value: decoded, bytesRead } = decodeMessage(Sample, 2, Buffer.concat([body, tags]));
    expect(bytesRead).toBe(body.length + tags.length);
    expect(decoded.leaderEpoch).toBe(42);
    expect(decoded.note).toBe('z');
    expect(decoded._unknownTaggedFields).toEqual([{ tag: 1, data: Buffer.from([0xbe, 0xef]) }]);
    expect(decoded.i64).toBe(value.i64);
    // Re-encoded, the unknown tag goes back between the known ones.
    expect(encodeMessage(Sample, 2, decoded).equals(Buffer.concat([body, tags]))).toBe(true);
  });

  it('int64 is exact to 2^53 both ways', () => {
    for (const n of [2 ** 53 - 1, -(2 ** 53) + 1, -1, 0, 2 ** 32, -(2 ** 32) - 1]) {
      const bytes = encodeMessage(Sample, 0, { ...value, i64: n });
      expect(decodeMessage(Sample, 0, bytes).value.i64).toBe(n);
    }
    expect(encodeMessage(Sample, 0, { ...value, i64: -1 }).subarray(7, 15).toString('hex')).toBe('ffffffffffffffff');
  });

  it('bytes and records decode as views into the input, not copies', () => {
    const bytes = encodeMessage(Sample, 2, value);
    const decoded = decodeMessage(Sample, 2, bytes).value;
    expect(decoded.records!.buffer).toBe(bytes.buffer);
    expect(decoded.data.buffer).toBe(bytes.buffer);
  });

  it('decodes at an offset and reports the bytes read', () => {
    const bytes = encodeMessage(Sample, 1, value);
    const framed = Buffer.concat([Buffer.from([1, 2, 3]), bytes, Buffer.from([4])]);
    const { value: decoded, bytesRead } = decodeMessage(Sample, 1, framed, 3);
    expect(bytesRead).toBe(bytes.length);
    expect(decoded.name).toBe('ab');
  });

  describe('invalid input', () => {
    const expectFault = (spec: MessageSpec, version: number, bytes: Buffer, fieldPath: string, position: number, reason?: RegExp) => {
      let error: unknown;
      try {
        decodeMessage(spec, version, bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      const p = error as ProtocolError;
      expect(p.fieldPath).toBe(fieldPath);
      expect(p.position).toBe(position);
      expect(p.messageName).toBe(`${spec.name}Request`);
      expect(p.apiVersion).toBe(version);
      if (reason) expect(p.reason).toMatch(reason);
      expect(p.message).toContain(`${spec.name}Request v${version}`);
      expect(p.message).toContain(`at byte ${position}`);
    };
    const { Metadata } = API_SPECS;

    it('names the field path and byte position of a truncated string', () => {
      const bytes = encodeMessage(Metadata.request, 1, { topics: [{ name: 'orders' }, { name: 'payments' }] });
      expectFault(Metadata.request, 1, bytes.subarray(0, bytes.length - 2), 'topics[1].name', 12, /needs 8 bytes, 6 left/);
    });

    it('refuses null where the version does not allow it', () => {
      expectFault(Metadata.request, 0, Buffer.from(hex('ffffffff'), 'hex'), 'topics', 0, /non-nullable array/);
      expectFault(Metadata.request, 1, Buffer.from(hex('00000001 ffff'), 'hex'), 'topics[0].name', 6, /non-nullable string/);
    });

    it('refuses impossible lengths and counts', () => {
      expectFault(Metadata.request, 1, Buffer.from(hex('fffffffe'), 'hex'), 'topics', 0, /array length -2/);
      expectFault(Metadata.request, 1, Buffer.from(hex('7fffffff 0000'), 'hex'), 'topics', 0, /elements in 2 bytes/);
      expectFault(Metadata.request, 1, Buffer.from(hex('00000001 fffe'), 'hex'), 'topics[0].name', 4, /string length -2/);
      expectFault(Metadata.request, 9, Buffer.from(hex('ffffffffff01'), 'hex'), 'topics', 0, /longer than 5 bytes/);
    });

    it('refuses tags out of order and tagged fields with bytes left over', () => {
      const plain = encodeMessage(Sample, 2, value);
      const body = plain.subarray(0, plain.length - 1);
      const pos = body.length + 1;
      expectFault(Sample, 2, Buffer.concat([body, Buffer.from(hex('02 03 02 02 7a 00 04 0000002a'), 'hex')]), '_tagBuffer', pos + 4, /must ascend/);
      expectFault(Sample, 2, Buffer.concat([body, Buffer.from(hex('01 00 05 0000002a 00'), 'hex')]), 'leaderEpoch', pos + 6, /left over/);
      expectFault(Sample, 2, Buffer.concat([body, Buffer.from(hex('01 00 09 0000002a'), 'hex')]), '_tagBuffer', pos, /needs 9 bytes/);
    });

    it('never throws anything but ProtocolError on random and mutated input, and never hangs', () => {
      let seed = 12345;
      const random = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x80000000;
      };
      const specs = Object.values(API_SPECS).flatMap((a) => [a.request, a.response]);
      const started = Date.now();
      let decodedOk = 0;
      let faults = 0;
      for (const spec of specs) {
        for (const version of versionsOf(spec)) {
          for (let i = 0; i < 60; i++) {
            const len = Math.floor(random() * 120);
            const bytes = Buffer.alloc(len);
            for (let j = 0; j < len; j++) bytes[j] = random() < 0.3 ? 0xff : random() < 0.5 ? 0 : Math.floor(random() * 256);
            try {
              decodeMessage(spec, version, bytes);
              decodedOk++;
            } catch (e) {
              if (!(e instanceof ProtocolError)) throw e;
              faults++;
            }
          }
        }
      }
      const { Fetch } = API_SPECS;
      const valid = encodeMessage(Fetch.request, 12, {
        maxWaitMs: 500, minBytes: 1, topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 10, partitionMaxBytes: 100 }] }],
        forgottenTopicsData: [{ topic: 'x', partitions: [1, 2] }], rackId: 'r', clusterId: 'c',
      });
      for (let i = 0; i < 5000; i++) {
        const bytes = Buffer.from(valid);
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        try {
          decodeMessage(Fetch.request, 12, bytes);
          decodedOk++;
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          faults++;
        }
      }
      expect(faults).toBeGreaterThan(1000);
      expect(decodedOk).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });

  describe('encoding errors name the field', () => {
    const encodeFault = (v: number, input: object): ProtocolError => {
      try {
        encodeMessage(Sample, v, { ...value, ...input });
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
        return e as ProtocolError;
      }
      throw new Error('expected a ProtocolError');
    };

    it('null in a non-nullable field', () => {
      expect(encodeFault(0, { name: null }).fieldPath).toBe('name');
      expect(encodeFault(0, { items: [{ k: null }] }).fieldPath).toBe('items[0].k');
    });

    it('numbers out of range and over-long classic strings', () => {
      const e = encodeFault(0, { i16: 40_000 });
      expect(e.fieldPath).toBe('i16');
      expect(e.message).toContain('SampleRequest v0');
      expect(encodeFault(1, { name: 'x'.repeat(40_000) }).reason).toMatch(/exceeds 32767/);
      expect(encodeFault(1, { id: 'not-a-uuid' }).fieldPath).toBe('id');
      expect(encodeFault(1, { i64: 1.5 }).fieldPath).toBe('i64');
    });

    it('compact strings have no 32767 limit', () => {
      const long = 'y'.repeat(40_000);
      expect(decodeMessage(Sample, 2, encodeMessage(Sample, 2, { ...value, name: long })).value.name).toBe(long);
    });
  });
});
