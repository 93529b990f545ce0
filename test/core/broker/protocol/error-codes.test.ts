import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KAFKA_ERROR_CODES, kafkaErrorCodeOf, kafkaErrorName, kafkaTxnErrorCodeOf } from '../../../../core/broker/protocol/error-codes.ts';
import { InvalidRequestError, ProtocolError, UnsupportedVersionError } from '../../../../core/errors/broker-errors.ts';
import {
  GroupIdNotFoundError,
  GroupNotEmptyError,
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../../core/errors/group-errors.ts';
import {
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidProducerEpochError,
  InvalidRecordError,
  InvalidTopicError,
  OffsetOutOfRangeError,
  OutOfOrderSequenceError,
  RecordTooLargeError,
  StorageError,
  TopicAlreadyExistsError,
  UnknownTopicOrPartitionError,
  UnsupportedCompressionError,
} from '../../../../core/errors/log-errors.ts';
import {
  ConcurrentTransactionsError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  ProducerFencedError,
} from '../../../../core/errors/transaction-errors.ts';
import { TributaryError } from '../../../../core/errors/tributary-error.ts';

const require = createRequire(import.meta.url);

describe('core/broker/protocol/error-codes', () => {
  it('has the codes kafkajs knows under the same names', () => {
    const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; code: number }[] };
    let compared = 0;
    for (const { type, code } of errorCodes) {
      const ours = (KAFKA_ERROR_CODES as Record<string, number>)[type];
      if (ours === undefined) continue;
      expect(ours, type).toBe(code);
      compared++;
    }
    expect(compared).toBeGreaterThan(70);
  });

  it('maps every Tributary error the broker can surface', () => {
    const cases: [unknown, number][] = [
      [new UnknownTopicOrPartitionError('t', 0), 3],
      [new OffsetOutOfRangeError('t', 0, 99, 0, 10), 1],
      [new InvalidRecordError('CRC-32C mismatch: stored 1, computed 2'), 2],
      [new InvalidRecordError('batch length 3 is too small'), 87],
      [new RecordTooLargeError('t', 0, 2_000_000, 1_000_000), 10],
      [new TopicAlreadyExistsError('t'), 36],
      [new InvalidTopicError('..', 'reserved'), 17],
      [new InvalidPartitionsError('must grow'), 37],
      [new InvalidConfigError('retention.ms: not a number'), 40],
      [new OutOfOrderSequenceError('expected 5, got 7'), 45],
      [new TributaryError('DUPLICATE_SEQUENCE', 'dup'), 46],
      [new InvalidProducerEpochError('fenced'), 47],
      [new TributaryError('UNKNOWN_PRODUCER_ID', 'gone'), 59],
      [new UnsupportedCompressionError('zstd', 't-0'), 76],
      [new UnknownMemberIdError('g', 'm'), 25],
      [new IllegalGenerationError('g', 1, 2), 22],
      [new RebalanceInProgressError('g'), 27],
      [new GroupIdNotFoundError('g'), 69],
      [new GroupNotEmptyError('g'), 68],
      [new InconsistentGroupProtocolError('g', 'no common assignor'), 23],
      [new UnsupportedVersionError(0, 2, [3, 9]), 35],
      [new InvalidRequestError('frame too large'), 42],
      [new ProtocolError('truncated'), 42],
      [new StorageError('disk full'), 56],
      [new TributaryError('ILLEGAL_STATE', 'x'), -1],
      [new Error('bug'), -1],
      ['string', -1],
      [Object.assign(new Error('explicit'), { kafkaCode: 16 }), 16],
    ];
    for (const [error, code] of cases) expect(kafkaErrorCodeOf(error), String(error)).toBe(code);
  });

  it('maps the transaction errors; PRODUCER_FENCED is INVALID_PRODUCER_EPOCH for versions that predate it', () => {
    expect(kafkaErrorCodeOf(new ProducerFencedError('newer epoch'))).toBe(90);
    expect(kafkaErrorCodeOf(new InvalidProducerIdMappingError('unknown id'))).toBe(49);
    expect(kafkaErrorCodeOf(new InvalidTxnStateError('empty'))).toBe(48);
    expect(kafkaErrorCodeOf(new ConcurrentTransactionsError('completing'))).toBe(51);
    expect(kafkaErrorCodeOf(new InvalidTransactionTimeoutError('too long'))).toBe(50);
    expect(kafkaTxnErrorCodeOf(new ProducerFencedError('x'), true)).toBe(90);
    expect(kafkaTxnErrorCodeOf(new ProducerFencedError('x'), false)).toBe(47);
    expect(kafkaTxnErrorCodeOf(new InvalidTxnStateError('x'), false)).toBe(48);
  });

  it('names codes', () => {
    expect(kafkaErrorName(35)).toBe('UNSUPPORTED_VERSION');
    expect(kafkaErrorName(-1)).toBe('UNKNOWN_SERVER_ERROR');
    expect(kafkaErrorName(4242)).toBe('UNKNOWN(4242)');
  });
});
