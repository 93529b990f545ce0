import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../core/errors/log-errors.ts';
import {
  DEFAULT_TOPIC_CONFIG,
  parseCleanupPolicy,
  parseTopicConfig,
  policyCompacts,
  policyDeletes,
  topicConfigToEntries,
  topicConfigToRecord,
} from '../../../core/log/topic-config.ts';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('core/log/topic-config', () => {
  it('has Kafka defaults', () => {
    expect(DEFAULT_TOPIC_CONFIG).toEqual({
      cleanupPolicy: 'delete',
      retentionMs: 604800000,
      retentionBytes: -1,
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      deleteRetentionMs: 86400000,
      minCompactionLagMs: 0,
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
    });
  });

  it('parses every key', () => {
    const config = parseTopicConfig({
      'cleanup.policy': 'compact',
      'retention.ms': '-1',
      'retention.bytes': '1000000',
      'segment.bytes': '14',
      'segment.ms': '1',
      'delete.retention.ms': '0',
      'min.compaction.lag.ms': '5000',
      'max.message.bytes': '2048',
      'message.timestamp.type': 'LogAppendTime',
    });
    expect(config).toEqual({
      cleanupPolicy: 'compact',
      retentionMs: -1,
      retentionBytes: 1000000,
      segmentBytes: 14,
      segmentMs: 1,
      deleteRetentionMs: 0,
      minCompactionLagMs: 5000,
      maxMessageBytes: 2048,
      messageTimestampType: 'LogAppendTime',
    });
  });

  it('keeps base values for keys not given', () => {
    const base = parseTopicConfig({ 'retention.ms': '1000' });
    const config = parseTopicConfig({ 'segment.bytes': '4096' }, base);
    expect(config.retentionMs).toBe(1000);
    expect(config.segmentBytes).toBe(4096);
    expect(config.cleanupPolicy).toBe('delete');
    expect(base.segmentBytes).toBe(DEFAULT_TOPIC_CONFIG.segmentBytes);
  });

  it('accepts both cleanup policies in any order and canonicalizes', () => {
    expect(parseCleanupPolicy('compact,delete')).toBe('compact,delete');
    expect(parseCleanupPolicy('delete,compact')).toBe('compact,delete');
    expect(parseCleanupPolicy(' delete , compact ')).toBe('compact,delete');
    expect(parseCleanupPolicy('delete')).toBe('delete');
    expect(policyDeletes('compact,delete')).toBe(true);
    expect(policyCompacts('compact,delete')).toBe(true);
    expect(policyDeletes('compact')).toBe(false);
    expect(policyCompacts('delete')).toBe(false);
  });

  it('rejects an unknown key, naming it', () => {
    const e = errorOf(() => parseTopicConfig({ 'retention.hours': '5' }));
    expect(e).toBeInstanceOf(InvalidConfigError);
    expect(e.message).toContain('retention.hours');
    expect(e.message).toContain('5');
  });

  it.each([
    ['cleanup.policy', 'compress'],
    ['cleanup.policy', ''],
    ['retention.ms', 'abc'],
    ['retention.ms', '-2'],
    ['retention.ms', '1.5'],
    ['retention.bytes', '-5'],
    ['segment.bytes', '13'],
    ['segment.bytes', '2147483648'],
    ['segment.ms', '0'],
    ['delete.retention.ms', '-1'],
    ['min.compaction.lag.ms', '-1'],
    ['max.message.bytes', '-1'],
    ['message.timestamp.type', 'createtime'],
    ['retention.ms', '99999999999999999999'],
  ])('rejects %s=%s, naming key and value', (key, value) => {
    const e = errorOf(() => parseTopicConfig({ [key]: value }));
    expect(e).toBeInstanceOf(InvalidConfigError);
    expect(e.message).toContain(key);
    expect(e.message).toContain(`"${value}"`);
  });

  it('lists entries with isDefault against the given defaults', () => {
    const config = parseTopicConfig({ 'retention.ms': '1000', 'cleanup.policy': 'delete,compact' });
    const entries = topicConfigToEntries(config);
    expect(entries.map((e) => e.name)).toEqual([
      'cleanup.policy',
      'retention.ms',
      'retention.bytes',
      'segment.bytes',
      'segment.ms',
      'delete.retention.ms',
      'min.compaction.lag.ms',
      'max.message.bytes',
      'message.timestamp.type',
    ]);
    expect(entries.find((e) => e.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '1000',
      isDefault: false,
    });
    expect(entries.find((e) => e.name === 'cleanup.policy')).toEqual({
      name: 'cleanup.policy',
      value: 'compact,delete',
      isDefault: false,
    });
    expect(entries.find((e) => e.name === 'segment.bytes')?.isDefault).toBe(true);
    const brokerDefaults = parseTopicConfig({ 'retention.ms': '1000' });
    expect(topicConfigToEntries(config, brokerDefaults).find((e) => e.name === 'retention.ms')?.isDefault).toBe(
      true,
    );
  });

  it('round-trips through the record form', () => {
    const config = parseTopicConfig({ 'segment.ms': '77', 'message.timestamp.type': 'LogAppendTime' });
    expect(parseTopicConfig(topicConfigToRecord(config))).toEqual(config);
  });
});
