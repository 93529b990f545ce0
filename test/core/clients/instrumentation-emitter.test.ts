import { describe, expect, it } from 'vitest';
import { InstrumentationEmitter } from '../../../core/clients/instrumentation-emitter.ts';
import { ManualClock } from '../../../core/time/clock.ts';

describe('core/clients/instrumentation-emitter', () => {
  it('emits kafkajs-shaped events to listeners until they are removed; a throwing listener is logged', () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) };
    const emitter = new InstrumentationEmitter(new ManualClock(42), logger);
    const got: unknown[] = [];
    expect(emitter.has('consumer.crash')).toBe(false);
    emitter.on('consumer.crash', () => {
      throw new Error('listener bug');
    });
    const off = emitter.on('consumer.crash', (e) => got.push(e));
    expect(emitter.has('consumer.crash')).toBe(true);
    emitter.emit('consumer.crash', { groupId: 'g' });
    expect(got).toEqual([{ id: expect.any(String), type: 'consumer.crash', timestamp: 42, payload: { groupId: 'g' } }]);
    expect(errors).toEqual(['Listener of consumer.crash threw']);
    off();
    emitter.emit('consumer.crash', { groupId: 'g' });
    expect(got).toHaveLength(1);
  });
});
