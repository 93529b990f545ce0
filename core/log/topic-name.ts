/**
 * Topic name rules, as Kafka's `org.apache.kafka.common.internals.Topic`: a name is 1 to 249
 * characters from `[a-zA-Z0-9._-]` and is not `.` or `..`. Because metric names turn `.` into `_`,
 * two names that differ only there collide; Kafka warns, this log refuses to create the second one.
 */
import { InvalidTopicError } from '../errors/log-errors.ts';

/** The longest topic name Kafka accepts (255 minus room for a partition suffix and `-delete` marker). */
export const MAX_TOPIC_NAME_LENGTH = 249;

/** The internal topic holding committed consumer-group offsets. */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** The internal compacted topic holding transaction coordinator state, keyed by transactional id. */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

const LEGAL_CHARS = /^[a-zA-Z0-9._-]+$/;

/**
 * Checks a topic name against Kafka's rules.
 *
 * @param name the candidate topic name
 * @throws InvalidTopicError with the reason: empty, `.` or `..`, longer than 249 characters, or a
 *   character outside `[a-zA-Z0-9._-]`
 * @example
 * validateTopicName('orders.v1'); // ok
 * validateTopicName('orders/v1'); // throws InvalidTopicError
 */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidTopicError(String(name), 'the name is empty');
  }
  if (name === '.' || name === '..') {
    throw new InvalidTopicError(name, 'the name cannot be "." or ".."');
  }
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicError(
      name,
      `the name is ${name.length} characters long, the maximum is ${MAX_TOPIC_NAME_LENGTH}`,
    );
  }
  if (!LEGAL_CHARS.test(name)) {
    const bad = [...name].find((c) => !LEGAL_CHARS.test(c));
    throw new InvalidTopicError(
      name,
      `character "${bad}" is not allowed; only ASCII letters, digits, ".", "_" and "-" are`,
    );
  }
}

/**
 * Whether a topic name contains `.` or `_`, the characters that can make it collide with another name.
 *
 * @example
 * hasCollisionChars('a.b'); // true
 */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/**
 * The form two colliding names share: every `.` replaced by `_`.
 *
 * @example
 * unifyCollisionChars('a.b_c'); // 'a_b_c'
 */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_');
}

/**
 * Whether two distinct topic names collide, i.e. differ only by `.` versus `_`
 * (`metrics.cpu` and `metrics_cpu`). Identical names do not "collide": they are the same topic.
 *
 * @example
 * topicNamesCollide('metrics.cpu', 'metrics_cpu'); // true
 * topicNamesCollide('a', 'a'); // false
 */
export function topicNamesCollide(a: string, b: string): boolean {
  return a !== b && unifyCollisionChars(a) === unifyCollisionChars(b);
}
