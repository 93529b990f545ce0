/**
 * Stable generated node names.
 *
 * Kafka Streams numbers nodes with one global counter (`KSTREAM-MAP-0000000003`), so adding an operator
 * anywhere shifts the names of everything created after it — and with them the names of internal topics
 * and stores, which breaks a redeployed application's state. Tributary derives a generated name only from
 * the node's ancestry instead:
 *
 * - a source is named after its topic (`orders`), its topics joined by `_` (`a_b`), or `pattern-<regex>`;
 * - any other node is `<parent name>.<operator>-<i>`, where `i` counts the parent's earlier children of
 *   the same operator (`orders.filter-0`, `orders.filter-0.mapValues-0`, `orders.filter-1`);
 * - an explicit `name` replaces the generated one and becomes the prefix of its children;
 * - a parent name longer than 64 characters is shortened to its first 40 characters plus `-h` and an
 *   FNV-1a hash of the whole name, so names stay short enough for topic names.
 *
 * Adding an operator on one branch therefore never renames a node on another branch, nor a repartition
 * topic derived from a node name (`<name>-repartition`).
 */
import { TopologyError } from '../../core/errors/streams-errors.ts';

const MAX_PREFIX = 64;
const KEPT_PREFIX = 40;
const TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** FNV-1a 32-bit of a string's UTF-16 code units, as 8 hex digits. */
export function fnv1aHex(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** `<parent>.<op>-<index>`, with a long parent name shortened to a prefix and its hash. */
export function childNodeName(parent: string, op: string, index: number): string {
  const prefix = parent.length > MAX_PREFIX ? `${parent.slice(0, KEPT_PREFIX)}-h${fnv1aHex(parent)}` : parent;
  return `${prefix}.${op}-${index}`;
}

/** The generated name of a source node reading `topics`. */
export function sourceNodeName(topics: string | readonly string[] | RegExp): string {
  if (topics instanceof RegExp) return `pattern-${topics.source.replace(/[^a-zA-Z0-9._-]/g, '_')}`;
  return typeof topics === 'string' ? topics : topics.join('_');
}

/**
 * The unprefixed name of the repartition topic of `base` (`<base>-repartition`).
 *
 * @throws TopologyError when the name has characters a topic name cannot have.
 */
export function repartitionTopicName(base: string): string {
  const topic = `${base}-repartition`;
  if (!TOPIC_CHARS.test(topic) || topic.length > 200) {
    throw new TopologyError(
      `Repartition topic "${topic}" is not a valid topic name (use [a-zA-Z0-9._-], at most 200 characters): give the operation a name`,
    );
  }
  return topic;
}
