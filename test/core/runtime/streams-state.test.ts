import { describe, expect, it } from 'vitest';
import { StreamsStateMachine, VALID_TRANSITIONS, type StreamsState } from '../../../core/runtime/streams-state.ts';
import { IllegalStateError } from '../../../core/errors/log-errors.ts';

describe('core/runtime/streams-state', () => {
  it('follows the Kafka Streams lifecycle and tells listeners (new, old)', () => {
    const sm = new StreamsStateMachine('app');
    const seen: string[] = [];
    sm.onChange((n, o) => seen.push(`${o}->${n}`));
    for (const s of ['REBALANCING', 'RUNNING', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING'] as StreamsState[]) sm.transition(s);
    expect(seen).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->REBALANCING', 'REBALANCING->RUNNING', 'RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
  });

  it('throws on every move the table does not allow', () => {
    const states = Object.keys(VALID_TRANSITIONS) as StreamsState[];
    for (const from of states) {
      for (const to of states) {
        const sm = new StreamsStateMachine('app');
        (sm as unknown as { current: StreamsState }).current = from;
        if (VALID_TRANSITIONS[from].includes(to)) expect(() => sm.transition(to)).not.toThrow();
        else expect(() => sm.transition(to), `${from} -> ${to}`).toThrow(IllegalStateError);
      }
    }
    expect(VALID_TRANSITIONS.NOT_RUNNING).toEqual([]);
    expect(VALID_TRANSITIONS.PENDING_ERROR).toEqual(['ERROR']);
  });
});
