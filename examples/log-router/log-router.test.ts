import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { levelTopic, LEVEL_TOPICS, type LogEvent } from './log-event.ts';
import { expectedRouting, generateLogLines } from './log-generator.ts';
import { LogLineError, parseLogLine } from './log-line-parser.ts';
import { logLineSerde } from './log-line-serde.ts';
import { BY_SERVICE_TOPIC, DEAD_LETTER_TOPIC, logRouterTopology, RAW_TOPIC } from './log-router-topology.ts';
import { runLogRouter } from './run-log-router.ts';

describe('examples/log-router', () => {
  it('parses the four line formats and names what is wrong with a malformed line', () => {
    expect(parseLogLine('{"ts":"2026-11-24T23:00:00.123Z","level":"info","service":"checkout","msg":"order placed","order":17}')).toEqual({
      timestamp: Date.parse('2026-11-24T23:00:00.123Z'), level: 'info', service: 'checkout', message: 'order placed', format: 'json', fields: { order: 17 },
    });
    expect(parseLogLine('ts=2026-11-24T23:00:00.123Z level=warning service=auth msg="token near expiry" user=42')).toMatchObject({
      level: 'warn', service: 'auth', message: 'token near expiry', format: 'logfmt', fields: { user: 42 },
    });
    expect(parseLogLine('10.0.0.7 - - [24/Nov/2026:23:00:00 +0000] "GET /api/cart HTTP/1.1" 503 512 "-" "curl/8.5"')).toMatchObject({
      timestamp: Date.parse('2026-11-24T23:00:00Z'), level: 'error', service: 'edge', format: 'access', fields: { status: 503, path: '/api/cart', bytes: 512 },
    });
    expect(parseLogLine('2026-11-24T23:00:00.123Z ERROR [payments] card declined code=51')).toMatchObject({
      level: 'error', service: 'payments', format: 'plain', fields: { code: 51 },
    });
    expect(() => parseLogLine('{"ts":"x","level":"info","service":"a","msg":""}')).toThrow(/bad timestamp "x"/);
    expect(() => parseLogLine('ts=2026-11-24T23:00:00Z level=loud service=auth')).toThrow(LogLineError);
    expect(() => parseLogLine('   ')).toThrow(/empty line/);
  });

  it('round-trips an event through the log-line serde', () => {
    const event = parseLogLine('{"ts":"2026-11-24T23:00:00.123Z","level":"error","service":"checkout","msg":"a \\"quoted\\" = thing","order":17,"who":"x y"}');
    expect(logLineSerde.deserialize('t', logLineSerde.serialize('t', event))).toEqual({ ...event, format: 'logfmt' });
  });

  it('routes through the TopologyTestDriver: level topics, by-service keys, dead letters with headers', () => {
    const driver = new TopologyTestDriver(logRouterTopology(), { deserializationErrorHandler: { deadLetterTopic: DEAD_LETTER_TOPIC } });
    const input = driver.createInputTopic(RAW_TOPIC, Serdes.string(), Serdes.string());
    const lines = [...generateLogLines({ count: 2000, seed: 7 })];
    input.pipeValueList(lines);
    const expected = expectedRouting(lines, levelTopic);
    const json = Serdes.json<LogEvent>();
    for (const topic of LEVEL_TOPICS) {
      const events = driver.createOutputTopic(topic, Serdes.string(), json).readValuesToList();
      expect(events.length).toBe(expected.perTopic.get(topic) ?? 0);
      expect(events.every((e) => levelTopic(e!.level) === topic)).toBe(true);
    }
    const byService = driver.createOutputTopic(BY_SERVICE_TOPIC, Serdes.string(), json).readRecordsToList();
    expect(byService.every((r) => r.key === r.value!.service && r.timestamp === r.value!.timestamp)).toBe(true);
    const counts = new Map<string, number>();
    for (const r of byService) counts.set(r.key!, (counts.get(r.key!) ?? 0) + 1);
    expect(counts).toEqual(expected.services);
    const dead = driver.createOutputTopic(DEAD_LETTER_TOPIC, Serdes.string(), Serdes.string()).readRecordsToList();
    expect(dead.length).toBe(expected.malformed);
    expect(expected.malformed).toBeGreaterThan(20);
    const first = dead[0]!;
    expect(first.headers.lastHeader('__tributary.topic')!.value!.toString()).toBe(RAW_TOPIC);
    expect(first.headers.lastHeader('__tributary.error')!.value!.toString()).toMatch(/Cannot deserialize value of raw-logs-0@\d+ with log-line/);
    driver.close();
  });

  it('runs end to end on the embedded log: every line routed once or dead-lettered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-log-router-'));
    try {
      const lines = 20_000;
      const report = await runLogRouter({ dir: join(dir, 'log'), stateDir: join(dir, 'state'), lines, seed: 11 });
      const expected = expectedRouting(generateLogLines({ count: lines, seed: 11 }), levelTopic);
      for (const topic of LEVEL_TOPICS) expect(report.topics.get(topic)).toBe(expected.perTopic.get(topic) ?? 0);
      expect(report.topics.get(DEAD_LETTER_TOPIC)).toBe(expected.malformed);
      expect(report.topics.get(BY_SERVICE_TOPIC)).toBe(lines - expected.malformed);
      expect(report.deadLetters[0]!.headers['__tributary.topic']).toBe(RAW_TOPIC);
      // logs.error carries error and fatal events; which one lands first in partition 0 depends on partitioning
      expect(['error', 'fatal']).toContain(JSON.parse(report.sampleError!).level);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
