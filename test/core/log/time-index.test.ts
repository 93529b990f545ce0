import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeIndex } from '../../../core/log/time-index.ts';
import { writeIndexFile } from '../../../core/log/offset-index.ts';
import { makeTempDir, removeDir } from './storage-test-helpers.ts';

describe('core/log/time-index', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('time-index');
  });
  afterEach(() => removeDir(dir));

  it('adds an entry only when the timestamp grows, and tracks the largest timestamp', () => {
    const index = new TimeIndex(100);
    expect(index.maxTimestamp).toBe(-1);
    expect(index.maybeAppend(5_000, 100)).toBe(true);
    expect(index.maybeAppend(4_000, 110)).toBe(false);
    expect(index.maybeAppend(5_000, 120)).toBe(false);
    expect(index.maybeAppend(7_000, 130)).toBe(true);
    expect(index.entries).toBe(2);
    expect(index.maxTimestamp).toBe(7_000);
    expect(index.offsetOfMaxTimestamp).toBe(130);
  });

  it('looks up the offset to scan from for a timestamp', () => {
    const index = new TimeIndex(100);
    index.maybeAppend(5_000, 100);
    index.maybeAppend(7_000, 130);
    index.maybeAppend(9_000, 150);
    expect(index.lookup(1_000)).toBe(100);
    expect(index.lookup(5_000)).toBe(100);
    expect(index.lookup(6_999)).toBe(100);
    expect(index.lookup(7_000)).toBe(130);
    expect(index.lookup(100_000)).toBe(150);
  });

  it('round-trips through its file format, timestamps beyond 32 bits included', () => {
    const index = new TimeIndex(0);
    const big = 1_700_000_000_123;
    index.maybeAppend(big, 3);
    index.maybeAppend(big + 1, 9);
    const file = path.join(dir, 'x.timeindex');
    writeIndexFile(file, index.toBuffer(), false);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(24);
    expect(bytes.readInt32BE(0) * 2 ** 32 + bytes.readUInt32BE(4)).toBe(big);
    expect(bytes.readUInt32BE(8)).toBe(3);
    const loaded = TimeIndex.load(file, 0, 10);
    expect(loaded.problem).toBeNull();
    expect(loaded.index!.maxTimestamp).toBe(big + 1);
    expect(loaded.index!.lookup(big)).toBe(3);
    expect(TimeIndex.load(file, 0, 9).problem).toMatch(/past the segment/);
    expect(TimeIndex.load(path.join(dir, 'none'), 0, 9).problem).toBe('missing');
  });

  it('truncates entries at or after an offset', () => {
    const index = new TimeIndex(0);
    index.maybeAppend(10, 0);
    index.maybeAppend(20, 5);
    index.maybeAppend(30, 8);
    index.truncateToOffset(5);
    expect(index.entries).toBe(1);
    expect(index.maxTimestamp).toBe(10);
  });
});
