import { describe, expect, it } from 'vitest';
import { InvalidTopicError } from '../../../core/errors/log-errors.ts';
import {
  MAX_TOPIC_NAME_LENGTH,
  hasCollisionChars,
  topicNamesCollide,
  validateTopicName,
} from '../../../core/log/topic-name.ts';

function reason(name: string): string {
  try {
    validateTopicName(name);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidTopicError);
    return (e as Error).message;
  }
  throw new Error(`expected "${name}" to be rejected`);
}

describe('core/log/topic-name', () => {
  it('accepts legal names', () => {
    for (const name of ['a', 'orders', 'orders.v1', 'my_topic-2', '__consumer_offsets', 'x'.repeat(249), '...']) {
      expect(() => validateTopicName(name)).not.toThrow();
    }
  });

  it('rejects the empty name', () => {
    expect(reason('')).toContain('empty');
  });

  it('rejects "." and ".."', () => {
    expect(reason('.')).toContain('"." or ".."');
    expect(reason('..')).toContain('"." or ".."');
  });

  it('rejects names longer than 249 characters', () => {
    expect(MAX_TOPIC_NAME_LENGTH).toBe(249);
    expect(reason('x'.repeat(250))).toContain('250 characters');
  });

  it('rejects illegal characters, naming the character', () => {
    expect(reason('a/b')).toContain('"/"');
    expect(reason('a b')).toContain('" "');
    expect(reason('tëst')).toContain('"ë"');
  });

  it('detects names colliding on "." versus "_"', () => {
    expect(topicNamesCollide('metrics.cpu', 'metrics_cpu')).toBe(true);
    expect(topicNamesCollide('a.b_c', 'a_b.c')).toBe(true);
    expect(topicNamesCollide('a.b', 'a.b')).toBe(false);
    expect(topicNamesCollide('a.b', 'a-b')).toBe(false);
    expect(hasCollisionChars('a-b')).toBe(false);
    expect(hasCollisionChars('a.b')).toBe(true);
  });
});
