/**
 * The checks every transaction coordinator call makes before it acts (Kafka's order): the transactional
 * id is known, mapped to this producer id, at this epoch, and not still completing a previous transaction.
 */
import { InvalidArgumentError } from '../errors/log-errors.ts';
import {
  ConcurrentTransactionsError,
  InvalidProducerIdMappingError,
  ProducerFencedError,
} from '../errors/transaction-errors.ts';
import type { TransactionMetadata } from './transaction-state.ts';

/**
 * The metadata of `transactionalId` after the producer id and epoch checks.
 *
 * @throws InvalidProducerIdMappingError (unknown id, other producer id); ProducerFencedError (other epoch:
 *   a newer producer took over, or a timeout abort bumped the epoch).
 */
export function checkProducer(
  txns: ReadonlyMap<string, TransactionMetadata>,
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
): TransactionMetadata {
  const meta = txns.get(transactionalId);
  if (meta === undefined) {
    throw new InvalidProducerIdMappingError(`Transactional id "${transactionalId}" is unknown: call InitProducerId first`);
  }
  if (meta.producerId !== producerId) {
    throw new InvalidProducerIdMappingError(`Transactional id "${transactionalId}" is mapped to producer ${meta.producerId}, not ${producerId}`);
  }
  if (producerEpoch !== meta.producerEpoch) {
    throw new ProducerFencedError(
      `Producer ${producerId} of "${transactionalId}" has epoch ${producerEpoch} but the current epoch is ${meta.producerEpoch}: it was fenced`,
    );
  }
  return meta;
}

/**
 * {@link checkProducer}, and the previous transaction must be complete (a new one may start).
 *
 * @throws as checkProducer; ConcurrentTransactionsError while a Prepare* is being completed.
 */
export function ongoingOrStartable(
  txns: ReadonlyMap<string, TransactionMetadata>,
  transactionalId: string,
  producerId: number,
  producerEpoch: number,
): TransactionMetadata {
  const meta = checkProducer(txns, transactionalId, producerId, producerEpoch);
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') throw concurrentError(meta);
  return meta;
}

/** The retriable error for a call that arrives while `meta`'s transaction is still completing. */
export function concurrentError(meta: TransactionMetadata): ConcurrentTransactionsError {
  return new ConcurrentTransactionsError(`Transaction of "${meta.transactionalId}" is still completing (${meta.state}); retry`);
}

/** @throws InvalidArgumentError for an empty or non-string transactional id. */
export function validateId(transactionalId: string): void {
  if (typeof transactionalId !== 'string' || transactionalId.length === 0) {
    throw new InvalidArgumentError('A transactional id must be a non-empty string');
  }
}
