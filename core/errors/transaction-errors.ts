/**
 * Errors of transactions (Kafka's KIP-98): raised by the transaction coordinator and by partition logs
 * when a fenced producer writes. The broker maps each code onto Kafka's numeric error code.
 */
import { TributaryError, type TributaryErrorOptions } from './tributary-error.ts';

/**
 * A newer producer with the same transactional id exists (its epoch is higher), or the coordinator
 * aborted this producer's transaction on timeout and bumped the epoch: this producer must close.
 */
export class ProducerFencedError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('PRODUCER_FENCED', message, options);
  }
}

/** The transactional id is unknown, or the producer id given does not match the one it is mapped to. */
export class InvalidProducerIdMappingError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_PRODUCER_ID_MAPPING', message, options);
  }
}

/** The call is not allowed in the transaction's current state (e.g. commit after an abort began). */
export class InvalidTxnStateError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_TXN_STATE', message, options);
  }
}

/** The previous transaction of this transactional id is still being completed; retry shortly. */
export class ConcurrentTransactionsError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('CONCURRENT_TRANSACTIONS', message, { retriable: true, ...options });
  }
}

/** The requested transaction timeout is not positive or above `transaction.max.timeout.ms`. */
export class InvalidTransactionTimeoutError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_TRANSACTION_TIMEOUT', message, options);
  }
}
