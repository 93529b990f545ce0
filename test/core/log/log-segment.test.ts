import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogSegment } from '../../../core/log/log-segment.ts';
import { LogCorruptedError } from '../../../core/errors/log-errors.ts';
import { writeBaseOffset } from '../../../core/log/record-batch.ts';
import { batchOf, decodeAll, makeTempDir, removeDir } from './storage-test-helpers.ts';

/** A batch of `n` records with base offset `base`, values `v<offset>`, timestamp `ts`. */
function batchAt(base: number, n: number, ts: number, pad = 0): Buffer {
  const values = Array.from({ length: n }, (_, i) => ({ value: `v${base + i}${'.'.repeat(pad)}`, timestamp: ts }));
  const b = batchOf(values);
  writeBaseOffset(b, 0, base);
  return b;
}

describe('core/log/log-segment', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('segment');
  });
  afterEach(() => removeDir(dir));

  it('names its files by 20-digit base offset', () => {
    const seg = LogSegment.create(dir, 42, { indexIntervalBytes: 4096 });
    expect(seg.logFile.endsWith('00000000000000000042.log')).toBe(true);
    expect(seg.indexFile.endsWith('00000000000000000042.index')).toBe(true);
    expect(seg.timeIndexFile.endsWith('00000000000000000042.timeindex')).toBe(true);
    expect(fs.existsSync(seg.logFile)).toBe(true);
    seg.close();
  });

  it('appends, indexes every indexIntervalBytes, and reads whole batches by offset', () => {
    const seg = LogSegment.create(dir, 0, { indexIntervalBytes: 200 });
    let base = 0;
    for (let i = 0; i < 20; i++) {
      seg.append(batchAt(base, 5, 1_000 + i, 10), 7);
      base += 5;
    }
    expect(seg.nextOffset).toBe(100);
    expect(seg.firstAppendTime).toBe(7);
    expect(seg.offsetIndex.entries).toBeGreaterThan(3);
    expect(seg.maxTimestamp).toBe(1_019);
    for (const target of [0, 4, 5, 37, 99]) {
      const pos = seg.translateOffset(target);
      const records = decodeAll(seg.read(pos, 1, Infinity));
      expect(records[0]!.offset).toBe(target - (target % 5));
      expect(records.map((r) => r.offset)).toContain(target);
    }
    expect(seg.translateOffset(100)).toBe(-1);
    const all = decodeAll(seg.read(0, 1 << 20, Infinity));
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(all[63]!.value!.toString()).toBe('v63..........');
    const capped = decodeAll(seg.read(0, 1 << 20, 50));
    expect(capped[capped.length - 1]!.offset).toBe(49);
    seg.close();
  });

  it('writes its indexes and loads them back, rebuilding a missing or broken one', () => {
    const seg = LogSegment.create(dir, 0, { indexIntervalBytes: 100 });
    for (let i = 0; i < 10; i++) seg.append(batchAt(i * 3, 3, 500 + i * 10), 0);
    seg.writeIndexes(true);
    const entries = seg.offsetIndex.entries;
    seg.close();

    const again = LogSegment.open(dir, 0, { indexIntervalBytes: 100 });
    expect(again.loadIndexes()).toEqual([]);
    expect(again.offsetIndex.entries).toBe(entries);
    expect(again.nextOffset).toBe(30);
    expect(again.maxTimestamp).toBe(590);
    again.close();

    fs.unlinkSync(seg.indexFile);
    fs.writeFileSync(seg.timeIndexFile, Buffer.alloc(5));
    const rebuilt = LogSegment.open(dir, 0, { indexIntervalBytes: 100 });
    expect(rebuilt.loadIndexes().sort()).toEqual([seg.indexFile, seg.timeIndexFile].sort());
    expect(rebuilt.offsetIndex.entries).toBe(entries);
    expect(rebuilt.maxTimestamp).toBe(590);
    expect(decodeAll(rebuilt.read(rebuilt.translateOffset(17), 1, Infinity))[0]!.offset).toBe(15);
    rebuilt.close();
  });

  it('recover() truncates a torn tail and keeps every complete batch', () => {
    const seg = LogSegment.create(dir, 0, { indexIntervalBytes: 4096 });
    for (let i = 0; i < 4; i++) seg.append(batchAt(i * 2, 2, 100), 0);
    const good = seg.size;
    seg.close();
    const half = batchAt(8, 4, 100).subarray(0, 40);
    fs.appendFileSync(seg.logFile, half);
    const again = LogSegment.open(dir, 0, { indexIntervalBytes: 4096 });
    const result = again.recover();
    expect(result.truncatedBytes).toBe(40);
    expect(again.size).toBe(good);
    expect(again.nextOffset).toBe(8);
    expect(fs.statSync(seg.logFile).size).toBe(good);
    again.close();
  });

  it('read() throws LogCorruptedError naming the file and byte position of a flipped bit', () => {
    const seg = LogSegment.create(dir, 0, { indexIntervalBytes: 4096 });
    seg.append(batchAt(0, 3, 100), 0);
    const second = seg.size;
    seg.append(batchAt(3, 3, 100), 0);
    seg.close();
    const bytes = fs.readFileSync(seg.logFile);
    bytes[second + 70] = bytes[second + 70]! ^ 0x10;
    fs.writeFileSync(seg.logFile, bytes);
    const again = LogSegment.open(dir, 0, { indexIntervalBytes: 4096 });
    again.loadIndexes();
    expect(decodeAll(again.read(0, 1, Infinity)).length).toBe(3);
    try {
      again.read(0, 1 << 20, Infinity);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LogCorruptedError);
      expect((error as LogCorruptedError).file).toBe(seg.logFile);
      expect((error as LogCorruptedError).position).toBe(second);
    }
    again.close();
  });
});
