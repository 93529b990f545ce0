import { describe, expect, it } from 'vitest';
import { Serdes } from '../../core/serde/serdes.ts';
import { SerdeError } from '../../core/errors/streams-errors.ts';
import { murmur3Hash128 } from '../../operators/murmur3.ts';
import { CombinedKey, CombinedKeySerde } from '../../operators/combined-key.ts';
import { SubscriptionInstruction, SubscriptionWrapper, SubscriptionWrapperSerde } from '../../operators/subscription-wrapper.ts';
import { SubscriptionResponseWrapper, SubscriptionResponseWrapperSerde } from '../../operators/subscription-response-wrapper.ts';

const range = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i));

describe('operators/murmur3', () => {
  // Reference values of MurmurHash3_x86_128 (smhasher), as h1..h4 little-endian.
  it.each([
    ['', Buffer.alloc(0), '00000000000000000000000000000000', 'a1d5bef71c6a575b1c6a575b1c6a575b'],
    ['a', Buffer.from('a'), '3c9394a71bb056551bb056551bb05655', '44f94e086e18a1216e18a1216e18a121'],
    ['hello', Buffer.from('hello'), 'a044242bf7de91dbb631db9ab631db9a', '715c9390b522293285b598d485b598d4'],
    ['fox', Buffer.from('The quick brown fox jumps over the lazy dog'), 'c383152f672ceeec6cf67b5d2c1de9e5', '5ed5d48a7161b84c9c3aa78e3e79b6cd'],
    ['15 bytes', range(15), '599c7b75cae4a6624edbe261665577ca', '85cdd3d10869cc09ffcb134038d27078'],
    ['16 bytes', range(16), '25c8256cee809155748053eaef5ba589', '47aedf199418cfc83f604cfb3eb2537a'],
    ['17 bytes', range(17), 'db9cc96a0b949c35ad7316ae51ab75a2', '6ed77a38202571d2b67f7a4e51a1d226'],
    ['33 bytes', range(33), 'ba15de503691f97670b6e72081c70d22', '3dca97b4d73f0dbc8ec9e0598eaa0624'],
  ])('hashes %s like the reference (seed 0 and 0x9747b28c)', (_label, data, seed0, seedX) => {
    expect(murmur3Hash128(data).toString('hex')).toBe(seed0);
    expect(murmur3Hash128(data, 0x9747b28c).toString('hex')).toBe(seedX);
  });
});

describe('operators/foreign-key join wire formats', () => {
  const str = Serdes.string();

  it('CombinedKey round-trips; the prefix of a foreign key is the start of its combined keys only', () => {
    const serde = new CombinedKeySerde(str, str);
    const bytes = serde.serialize('t', new CombinedKey('c1', 'o1'))!;
    expect(bytes.toString('hex')).toBe('00000002' + Buffer.from('c1o1').toString('hex'));
    expect(serde.deserialize('t', bytes)).toEqual(new CombinedKey('c1', 'o1'));
    const prefix = serde.prefixSerializer.serialize('t', 'c1')!;
    expect(bytes.subarray(0, prefix.length).equals(prefix)).toBe(true);
    const other = serde.serialize('t', new CombinedKey('c10', 'x'))!;
    expect(other.subarray(0, prefix.length).equals(prefix)).toBe(false);
    expect(() => serde.deserialize('t', Buffer.from([0, 0, 0, 9, 1]))).toThrow(SerdeError);
  });

  it('SubscriptionWrapper round-trips with and without a hash', () => {
    const serde = new SubscriptionWrapperSerde(str);
    const hash = murmur3Hash128(Buffer.from('v'));
    for (const w of [
      new SubscriptionWrapper(hash, SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, 'o1', 3),
      new SubscriptionWrapper(null, SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE, 'o2', 0),
    ]) {
      expect(serde.deserialize('t', serde.serialize('t', w))).toEqual(w);
    }
    expect(serde.serialize('t', new SubscriptionWrapper(null, 1, 'k', 2))!.toString('hex')).toBe('010001' + '00000002' + '6b');
    expect(() => serde.deserialize('t', Buffer.from([9, 0, 0, 0, 0, 0, 0]))).toThrow(SerdeError);
  });

  it('SubscriptionResponseWrapper round-trips with and without hash and value', () => {
    const serde = new SubscriptionResponseWrapperSerde(str);
    const hash = murmur3Hash128(Buffer.from('v'));
    for (const w of [
      new SubscriptionResponseWrapper<string>(hash, 'ann', 1),
      new SubscriptionResponseWrapper<string>(hash, null, 0),
      new SubscriptionResponseWrapper<string>(null, null, 5),
      new SubscriptionResponseWrapper(hash, '', 0),
    ]) {
      expect(serde.deserialize('t', serde.serialize('t', w))).toEqual(w);
    }
    expect(() => serde.deserialize('t', Buffer.from([1, 1, 0]))).toThrow(SerdeError);
  });
});
