/**
 * A compact latency histogram for percentiles (p50/p95/p99) with a bounded relative error: values go
 * to log-scaled buckets (each 2% wider than the previous), so a window's state is a few hundred small
 * counters at most, however many requests it saw, and two histograms merge by adding counts. A
 * percentile answers the middle of its bucket, clamped to the observed min and max: within 1% of the
 * exact value.
 */

/** Bucket growth factor: relative width of a bucket. */
export const BUCKET_GROWTH = 1.02;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);

/** The bucket of a latency: 0 for values below 1 ms, else 1 + floor(log_1.02(v)). */
export function bucketOf(latencyMs: number): number {
  return latencyMs < 1 ? 0 : 1 + Math.floor(Math.log(latencyMs) / LOG_GROWTH);
}

/** The representative value of a bucket (its geometric middle; 0.5 for bucket 0). */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 0.5 : Math.exp((bucket - 0.5) * LOG_GROWTH);
}

/**
 * The `q` quantile (0 < q <= 1) of sparse bucket counts, nearest-rank, clamped to `[min, max]`.
 * @param buckets bucket index -> count
 */
export function quantile(buckets: ReadonlyMap<number, number>, total: number, q: number, min: number, max: number): number {
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  const sorted = [...buckets.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const b of sorted) {
    seen += buckets.get(b)!;
    if (seen >= rank) return Math.min(max, Math.max(min, bucketValue(b)));
  }
  return max;
}
