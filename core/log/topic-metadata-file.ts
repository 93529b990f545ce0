/**
 * The log manager's metadata files under `<dir>/__meta/`: `topics.json` (every topic's name, stable id,
 * partition count, config overrides and internal flag) and `producer-ids` (the end of the last reserved
 * block of producer ids). Both are replaced atomically (tmp + fsync + rename + fsync dir).
 */
import path from 'node:path';
import { StorageError } from '../errors/log-errors.ts';
import { readFileIfExistsSync, writeFileAtomicSync } from './atomic-file.ts';

/** Name of the metadata folder inside the data directory. */
export const META_DIR = '__meta';
/** The topics file inside {@link META_DIR}. */
export const TOPICS_FILE = 'topics.json';
/** The producer id block file inside {@link META_DIR}. */
export const PRODUCER_IDS_FILE = 'producer-ids';

/** One topic as persisted. */
export interface TopicMetadata {
  readonly name: string;
  /** Stable UUID, assigned at creation. */
  readonly topicId: string;
  readonly partitions: number;
  /** Config overrides, Kafka names and string values (broker defaults are not stored). */
  readonly configs: Readonly<Record<string, string>>;
  readonly internal: boolean;
}

/**
 * Reads `<dir>/__meta/topics.json`; an absent file means no topics.
 * @throws StorageError naming the file when it is unreadable or malformed
 */
export function readTopicsFile(dir: string): TopicMetadata[] {
  const file = path.join(dir, META_DIR, TOPICS_FILE);
  const bytes = readFileIfExistsSync(file);
  if (bytes === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new StorageError(`Topic metadata ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const topics = (parsed as { topics?: unknown }).topics;
  if (!Array.isArray(topics)) throw new StorageError(`Topic metadata ${file} has no "topics" list`);
  return topics.map((t: unknown, i) => {
    const m = t as Partial<TopicMetadata>;
    const valid =
      typeof m.name === 'string' &&
      typeof m.topicId === 'string' &&
      Number.isInteger(m.partitions) &&
      (m.partitions as number) > 0 &&
      typeof m.configs === 'object' &&
      m.configs !== null &&
      Object.values(m.configs).every((v) => typeof v === 'string') &&
      typeof m.internal === 'boolean';
    if (!valid) throw new StorageError(`Topic metadata ${file}: entry ${i} is malformed: ${JSON.stringify(t)}`);
    return m as TopicMetadata;
  });
}

/**
 * Replaces `<dir>/__meta/topics.json` atomically and durably.
 * @throws StorageError naming the file
 */
export function writeTopicsFile(dir: string, topics: readonly TopicMetadata[]): void {
  const json = JSON.stringify({ version: 1, topics }, null, 2) + '\n';
  writeFileAtomicSync(path.join(dir, META_DIR, TOPICS_FILE), Buffer.from(json, 'utf8'));
}

/**
 * Reads the end of the last reserved producer id block (0 when none was reserved yet).
 * @throws StorageError naming the file when it is malformed
 */
export function readProducerIdBlockEnd(dir: string): number {
  const file = path.join(dir, META_DIR, PRODUCER_IDS_FILE);
  const bytes = readFileIfExistsSync(file);
  if (bytes === null) return 0;
  const text = bytes.toString('utf8').trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new StorageError(`Producer id file ${file} holds "${text}", not a non-negative integer`);
  }
  return value;
}

/**
 * Persists the end of a newly reserved producer id block, atomically and durably.
 * @throws StorageError naming the file
 */
export function writeProducerIdBlockEnd(dir: string, end: number): void {
  writeFileAtomicSync(path.join(dir, META_DIR, PRODUCER_IDS_FILE), Buffer.from(`${end}\n`, 'utf8'));
}
