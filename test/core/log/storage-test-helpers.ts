/** Helpers shared by the storage-layer tests (temp dirs, batches, reading a whole log). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FlushPolicy, TopicConfig } from '../../../core/log/log-contracts.ts';
import { DEFAULT_TOPIC_CONFIG } from '../../../core/log/topic-config.ts';
import { decodeRecords, encodeRecordBatch, forEachBatch, type DecodedRecord, type EncodeBatchOptions } from '../../../core/log/record-batch.ts';
import { PartitionLog } from '../../../core/log/partition-log.ts';
import { ManualClock, type Clock } from '../../../core/time/clock.ts';

/** A fresh temporary directory. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tributary-${prefix}-`));
}

/** Removes a temporary directory. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** DEFAULT_TOPIC_CONFIG with overrides. */
export function topicConfig(overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { ...DEFAULT_TOPIC_CONFIG, ...overrides };
}

/** One record to put in a test batch. */
export interface TestRecord {
  key?: string | null;
  value: string | null;
  timestamp?: number;
}

/** Encodes records (strings) as one batch. */
export function batchOf(records: readonly (TestRecord | string)[], options: EncodeBatchOptions = {}, timestamp = 1_000): Buffer {
  return encodeRecordBatch(
    records.map((r) => {
      const rec = typeof r === 'string' ? { value: r } : r;
      return {
        key: rec.key === undefined || rec.key === null ? null : Buffer.from(rec.key),
        value: rec.value === null ? null : Buffer.from(rec.value),
        timestamp: rec.timestamp ?? timestamp,
      };
    }),
    options,
  );
}

/** Decodes every record of concatenated batches. */
export function decodeAll(bytes: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  forEachBatch(bytes, (pos) => out.push(...decodeRecords(bytes, pos)));
  return out;
}

/** Reads a log from `from` to its high watermark; returns records as { offset, key, value }. */
export function readAllRecords(log: PartitionLog, from = log.logStartOffset, maxBytes = 1 << 20): { offset: number; key: string | null; value: string | null; timestamp: number }[] {
  const out: { offset: number; key: string | null; value: string | null; timestamp: number }[] = [];
  let next = from;
  while (next < log.highWatermark) {
    const { records } = log.read(next, maxBytes);
    if (records.length === 0) break;
    for (const r of decodeAll(records)) {
      if (r.offset < next) continue;
      out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp });
      next = r.offset + 1;
    }
    let last = -1;
    forEachBatch(records, (_p, h) => (last = h.lastOffset));
    next = Math.max(next, last + 1);
  }
  return out;
}

/** Opens a PartitionLog in `dir` with a ManualClock unless one is given. */
export function openLog(
  dir: string,
  overrides: Partial<TopicConfig> = {},
  options: { clock?: Clock; flushPolicy?: FlushPolicy; indexIntervalBytes?: number; topic?: string } = {},
): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    topic: options.topic ?? 'orders',
    partition: 0,
    config: topicConfig(overrides),
    clock: options.clock ?? new ManualClock(1_000),
    flushPolicy: options.flushPolicy ?? { mode: 'os' },
    indexIntervalBytes: options.indexIntervalBytes,
  });
}
