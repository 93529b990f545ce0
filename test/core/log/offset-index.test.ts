import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OffsetIndex, writeIndexFile } from '../../../core/log/offset-index.ts';
import { IllegalStateError } from '../../../core/errors/log-errors.ts';
import { makeTempDir, removeDir } from './storage-test-helpers.ts';

describe('core/log/offset-index', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('offset-index');
  });
  afterEach(() => removeDir(dir));

  it('looks up the floor entry for an offset, or position 0 before the first entry', () => {
    const index = new OffsetIndex(100);
    index.append(110, 4096);
    index.append(130, 8192);
    index.append(170, 12_288);
    expect(index.lookup(100)).toBe(0);
    expect(index.lookup(109)).toBe(0);
    expect(index.lookup(110)).toBe(4096);
    expect(index.lookup(129)).toBe(4096);
    expect(index.lookup(130)).toBe(8192);
    expect(index.lookup(1_000_000)).toBe(12_288);
  });

  it('grows past its initial capacity', () => {
    const index = new OffsetIndex(0, 2);
    for (let i = 1; i <= 100; i++) index.append(i * 10, i * 100);
    expect(index.entries).toBe(100);
    expect(index.lookup(555)).toBe(5500);
    expect(index.offsetAt(99)).toBe(1000);
  });

  it('refuses out-of-order entries and offsets below the base', () => {
    const index = new OffsetIndex(50);
    index.append(60, 100);
    expect(() => index.append(60, 200)).toThrow(IllegalStateError);
    expect(() => index.append(70, 100)).toThrow(IllegalStateError);
    expect(() => index.append(40, 300)).toThrow(IllegalStateError);
  });

  it('round-trips through its file format (8 bytes per entry, big-endian relative offset and position)', () => {
    const index = new OffsetIndex(1_000);
    index.append(1_005, 4100);
    index.append(1_010, 9000);
    const file = path.join(dir, 'x.index');
    writeIndexFile(file, index.toBuffer(), true);
    const bytes = fs.readFileSync(file);
    expect(bytes.toString('hex')).toBe('00000005' + '00001004' + '0000000a' + '00002328');
    const loaded = OffsetIndex.load(file, 1_000, 10_000);
    expect(loaded.problem).toBeNull();
    expect(loaded.index!.entries).toBe(2);
    expect(loaded.index!.lookup(1_007)).toBe(4100);
    expect(index.matchesFile(file)).toBe(true);
  });

  it('reports missing, torn, out-of-order and past-the-log files as problems', () => {
    const file = path.join(dir, 'y.index');
    expect(OffsetIndex.load(file, 0, 100).problem).toBe('missing');
    fs.writeFileSync(file, Buffer.alloc(12));
    expect(OffsetIndex.load(file, 0, 100).problem).toMatch(/not a multiple/);
    const ooo = Buffer.alloc(16);
    ooo.writeUInt32BE(5, 0);
    ooo.writeUInt32BE(50, 4);
    ooo.writeUInt32BE(3, 8);
    ooo.writeUInt32BE(60, 12);
    fs.writeFileSync(file, ooo);
    expect(OffsetIndex.load(file, 0, 100).problem).toMatch(/out of order/);
    ooo.writeUInt32BE(9, 8);
    fs.writeFileSync(file, ooo);
    expect(OffsetIndex.load(file, 0, 100).problem).toBeNull();
    expect(OffsetIndex.load(file, 0, 55).problem).toMatch(/past the log/);
  });

  it('truncates entries at or after a byte position', () => {
    const index = new OffsetIndex(0);
    index.append(10, 100);
    index.append(20, 200);
    index.append(30, 300);
    index.truncateToPosition(200);
    expect(index.entries).toBe(1);
    expect(index.lookup(25)).toBe(100);
  });
});
