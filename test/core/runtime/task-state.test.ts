import { describe, expect, it } from 'vitest';
import { TASK_TRANSITIONS } from '../../../core/runtime/task-state.ts';
import { StreamTask } from '../../../core/runtime/stream-task.ts';
import { TopologyLayout } from '../../../core/runtime/topology-layout.ts';
import { Topology } from '../../../core/topology/topology.ts';
import { Serdes } from '../../../core/serde/serdes.ts';
import { ManualClock } from '../../../core/time/clock.ts';
import { StreamsError } from '../../../core/errors/streams-errors.ts';

function task(): StreamTask {
  const str = Serdes.string();
  const topology = new Topology().addSource('in', 'input', { keySerde: str, valueSerde: str }).addSink('out', 'output', { keySerde: str, valueSerde: str }, 'in').build();
  const layout = TopologyLayout.resolve(topology, 'app', []);
  const noop = { send: () => undefined, sendPartitioned: () => undefined, sendBuffered: () => undefined, flush: async () => undefined, pending: 0, lastOffset: () => -1, trackOffsets: () => undefined };
  return new StreamTask({ subtopology: 0, partition: 0 }, layout.subtopologies[0]!, [{ topic: 'input', partition: 0 }], {
    applicationId: 'app',
    clock: new ManualClock(0),
    collector: noop,
    storeBuilders: new Map(),
    taskDir: '/nonexistent',
    logger: { warn: () => undefined, error: () => undefined },
    onDeserializationError: () => 'fail',
    onProcessingError: () => 'fail',
    onProductionError: () => 'fail',
  });
}

describe('core/runtime/task-state', () => {
  it('closed is terminal; a task restores before it runs and may be suspended and resumed', () => {
    expect(TASK_TRANSITIONS.closed).toEqual([]);
    expect(TASK_TRANSITIONS.created).not.toContain('running');
    const t = task();
    expect(t.state).toBe('created');
    expect(t.processBatch(10)).toBe(0);
    t.initializeStores();
    expect(t.state).toBe('restoring');
    t.suspend();
    t.resume();
    expect(t.state).toBe('restoring'); // suspended mid-restore: restores again when resumed
    t.completeRestoration();
    expect(t.state).toBe('running');
    t.suspend();
    expect(t.state).toBe('suspended');
    t.resume();
    expect(t.state).toBe('running');
    t.close();
    expect(t.state).toBe('closed');
    expect(() => t.completeRestoration()).toThrow(StreamsError);
  });
});
