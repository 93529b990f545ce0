/**
 * Operation counters and latencies of a metered store (Kafka Streams' store-level metrics: put, get,
 * delete, range, flush rates and latencies). Counts are always kept; latencies only when the store was
 * built with `recordLatency` (Kafka records store metrics at DEBUG level), since timing every call costs
 * two clock reads.
 */

/** The measured operations. */
export type StoreOperation = 'put' | 'get' | 'delete' | 'range' | 'flush' | 'fetch' | 'remove' | 'putIfAbsent' | 'prefixScan';

/** One operation's counters: calls, total and maximum latency in milliseconds (0 when not recorded). */
export interface StoreOperationMetrics {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** A snapshot of a store's metrics. */
export interface StoreMetricsSnapshot {
  readonly store: string;
  readonly operations: Readonly<Partial<Record<StoreOperation, StoreOperationMetrics>>>;
}

class OperationCounter {
  count = 0;
  totalMs = 0;
  maxMs = 0;
}

/** Mutable counters owned by one metered store. */
export class StoreMetrics {
  private readonly ops = new Map<StoreOperation, OperationCounter>();
  readonly put: OperationCounter;
  readonly get: OperationCounter;
  readonly delete: OperationCounter;
  readonly range: OperationCounter;
  readonly flush: OperationCounter;

  constructor(
    readonly store: string,
    readonly recordLatency: boolean,
  ) {
    this.put = this.counter('put');
    this.get = this.counter('get');
    this.delete = this.counter('delete');
    this.range = this.counter('range');
    this.flush = this.counter('flush');
  }

  /** The counter of an operation (created on first use). */
  counter(op: StoreOperation): OperationCounter {
    let c = this.ops.get(op);
    if (c === undefined) {
      c = new OperationCounter();
      this.ops.set(op, c);
    }
    return c;
  }

  /** The start time for a latency measurement, or 0 when latencies are off. */
  start(): number {
    return this.recordLatency ? performance.now() : 0;
  }

  /** Counts one call of `c` started at `t0` (from {@link StoreMetrics.start}). */
  end(c: OperationCounter, t0: number): void {
    c.count++;
    if (this.recordLatency) {
      const ms = performance.now() - t0;
      c.totalMs += ms;
      if (ms > c.maxMs) c.maxMs = ms;
    }
  }

  /** A copy of the counters. */
  snapshot(): StoreMetricsSnapshot {
    const operations: Partial<Record<StoreOperation, StoreOperationMetrics>> = {};
    for (const [op, c] of this.ops) operations[op] = { count: c.count, totalMs: c.totalMs, maxMs: c.maxMs };
    return { store: this.store, operations };
  }
}
