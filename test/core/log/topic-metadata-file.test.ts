import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../core/errors/log-errors.ts';
import {
  META_DIR,
  PRODUCER_IDS_FILE,
  TOPICS_FILE,
  readProducerIdBlockEnd,
  readTopicsFile,
  writeProducerIdBlockEnd,
  writeTopicsFile,
  type TopicMetadata,
} from '../../../core/log/topic-metadata-file.ts';

describe('core/log/topic-metadata-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-meta-'));
    fs.mkdirSync(path.join(dir, META_DIR));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads nothing when no file exists', () => {
    expect(readTopicsFile(dir)).toEqual([]);
    expect(readProducerIdBlockEnd(dir)).toBe(0);
  });

  it('round-trips topics and leaves no temporary file', () => {
    const topics: TopicMetadata[] = [
      { name: 'a', topicId: 'id-a', partitions: 3, configs: { 'retention.ms': '5' }, internal: false },
      { name: '__consumer_offsets', topicId: 'id-o', partitions: 1, configs: {}, internal: true },
    ];
    writeTopicsFile(dir, topics);
    expect(readTopicsFile(dir)).toEqual(topics);
    expect(fs.readdirSync(path.join(dir, META_DIR))).toEqual([TOPICS_FILE]);
  });

  it('rejects malformed topic files, naming the file', () => {
    const file = path.join(dir, META_DIR, TOPICS_FILE);
    fs.writeFileSync(file, '{ nope');
    expect(() => readTopicsFile(dir)).toThrow(StorageError);
    expect(() => readTopicsFile(dir)).toThrow(file);
    fs.writeFileSync(file, JSON.stringify({ topics: [{ name: 'a', topicId: 'x', partitions: 0, configs: {}, internal: false }] }));
    expect(() => readTopicsFile(dir)).toThrow(/entry 0 is malformed/);
  });

  it('round-trips the producer id block end and rejects garbage', () => {
    writeProducerIdBlockEnd(dir, 3000);
    expect(readProducerIdBlockEnd(dir)).toBe(3000);
    fs.writeFileSync(path.join(dir, META_DIR, PRODUCER_IDS_FILE), 'x1');
    expect(() => readProducerIdBlockEnd(dir)).toThrow(/"x1"/);
  });
});
