import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../core/log/consumer-protocol.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('core/log/consumer-protocol', () => {
  it('encodes Subscription v0 with Kafka\'s exact bytes', () => {
    const bytes = encodeSubscription({ topics: ['t'] }, 0);
    expect(bytes).toEqual(hex('0000 00000001 0001 74 ffffffff'));
  });

  it('encodes Subscription v1 with owned partitions with Kafka\'s exact bytes', () => {
    const bytes = encodeSubscription(
      { topics: ['t'], userData: Buffer.from('ab'), ownedPartitions: [{ topic: 't', partitions: [0, 1] }] },
      1,
    );
    expect(bytes).toEqual(hex('0001 00000001 0001 74 00000002 6162 00000001 0001 74 00000002 00000000 00000001'));
  });

  it('round-trips every Subscription version', () => {
    const sub = {
      topics: ['orders', 'pay-ments'],
      userData: Buffer.from([1, 2, 3]),
      ownedPartitions: [{ topic: 'orders', partitions: [3, 7] }],
      generationId: 12,
      rackId: 'rack-1',
    };
    for (const version of [0, 1, 2, 3]) {
      const decoded = decodeSubscription(encodeSubscription(sub, version));
      expect(decoded.version).toBe(version);
      expect(decoded.topics).toEqual(sub.topics);
      expect(decoded.userData).toEqual(sub.userData);
      expect(decoded.ownedPartitions).toEqual(version >= 1 ? sub.ownedPartitions : []);
      expect(decoded.generationId).toBe(version >= 2 ? 12 : -1);
      expect(decoded.rackId).toBe(version >= 3 ? 'rack-1' : null);
    }
  });

  it('reads a newer Subscription version as the newest known, ignoring trailing bytes', () => {
    const v3 = encodeSubscription({ topics: ['t'], rackId: null, generationId: 4 }, 3);
    const future = Buffer.concat([v3, hex('deadbeef')]);
    future.writeInt16BE(9, 0);
    const decoded = decodeSubscription(future);
    expect(decoded.version).toBe(9);
    expect(decoded.topics).toEqual(['t']);
    expect(decoded.generationId).toBe(4);
  });

  it('interoperates with kafkajs member metadata and assignments', () => {
    const fromKafkajs = AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics: ['t', 'u'],
      userData: Buffer.from('x'),
    });
    const sub = decodeSubscription(fromKafkajs);
    expect(sub.topics).toEqual(['t', 'u']);
    expect(sub.userData).toEqual(Buffer.from('x'));
    expect(sub.ownedPartitions).toEqual([]);

    const ours = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 2] }] }, 1);
    const decoded = AssignerProtocol.MemberAssignment.decode(ours);
    expect(decoded?.assignment).toEqual({ t: [0, 2] });

    const theirs = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { a: [1], b: [0, 5] },
      userData: Buffer.alloc(0),
    });
    expect(decodeAssignment(theirs).assignedPartitions).toEqual([
      { topic: 'a', partitions: [1] },
      { topic: 'b', partitions: [0, 5] },
    ]);
  });

  it('encodes Assignment with Kafka\'s exact bytes and round-trips', () => {
    const bytes = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [0, 1] }] });
    expect(bytes).toEqual(hex('0000 00000001 0001 74 00000002 00000000 00000001 ffffffff'));
    expect(decodeAssignment(bytes)).toEqual({
      version: 0,
      assignedPartitions: [{ topic: 't', partitions: [0, 1] }],
      userData: null,
    });
  });

  it('decodes an empty buffer as an empty assignment', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ version: 0, assignedPartitions: [], userData: null });
  });

  it('rejects malformed bytes, naming where and the byte position', () => {
    const good = encodeSubscription({ topics: ['topic'] }, 0);
    const truncated = good.subarray(0, 8);
    expect(() => decodeSubscription(truncated, 'group g member m')).toThrow(InvalidArgumentError);
    expect(() => decodeSubscription(truncated, 'group g member m')).toThrow(/group g member m at byte 8/);
    expect(() => decodeAssignment(hex('0000 7fffffff'))).toThrow(/array length/);
    expect(() => decodeSubscription(hex('ffff'))).toThrow(/version -1/);
    expect(() => encodeSubscription({ topics: [] }, 4)).toThrow(InvalidArgumentError);
  });
});
