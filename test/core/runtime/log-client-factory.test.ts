import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLogBackend, openLogClient } from '../../../core/runtime/log-client-factory.ts';
import { EmbeddedLog } from '../../../core/clients/embedded/embedded-log.ts';
import { KafkajsLogClient } from '../../../core/clients/kafkajs/kafkajs-log-client.ts';
import { InvalidConfigError } from '../../../core/errors/log-errors.ts';
import { systemClock } from '../../../core/time/clock.ts';

describe('core/runtime/log-client-factory', () => {
  it('opens the embedded log (owned), shares a given client (not owned), creates a kafkajs client for { kafka } (owned)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-factory-'));
    try {
      const embedded = await openLogClient({ embedded: { dir } }, systemClock);
      expect(embedded.client).toBeInstanceOf(EmbeddedLog);
      expect(embedded.owned).toBe(true);
      const shared = await openLogClient({ client: embedded.client }, systemClock);
      expect(shared).toEqual({ client: embedded.client, owned: false });
      await embedded.client.close();
      const kafka = await openLogClient({ kafka: { brokers: ['127.0.0.1:9092'], clientId: 'factory-test' } }, systemClock);
      expect(kafka.client).toBeInstanceOf(KafkajsLogClient);
      expect(kafka.owned).toBe(true);
      await kafka.client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects { kafka } without usable brokers before anything connects', async () => {
    expect(() => checkLogBackend({ kafka: { brokers: [] } })).toThrow(InvalidConfigError);
    expect(() => checkLogBackend({ kafka: { brokers: ['localhost'] } })).toThrow(/host:port/);
    await expect(openLogClient({ kafka: { brokers: ['localhost'] } }, systemClock)).rejects.toThrow(InvalidConfigError);
    expect(() => checkLogBackend({ kafka: { brokers: ['localhost:9092'] } })).not.toThrow();
  });
});
