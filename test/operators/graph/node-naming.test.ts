import { describe, expect, it } from 'vitest';
import { childNodeName, fnv1aHex, repartitionTopicName, sourceNodeName } from '../../../operators/graph/node-naming.ts';
import { TopologyError } from '../../../core/errors/streams-errors.ts';

describe('operators/graph/node-naming', () => {
  it('derives child names from the parent, operator and per-operator index', () => {
    expect(childNodeName('orders', 'map', 0)).toBe('orders.map-0');
    expect(childNodeName('orders.map-0', 'filter', 2)).toBe('orders.map-0.filter-2');
  });

  it('shortens long parent names to a prefix and a hash, deterministically', () => {
    const long = 'x'.repeat(30) + '.map-0'.repeat(10);
    const name = childNodeName(long, 'to', 0);
    expect(name).toBe(`${long.slice(0, 40)}-h${fnv1aHex(long)}.to-0`);
    expect(name.length).toBeLessThan(60);
    expect(childNodeName(long + 'y', 'to', 0)).not.toBe(name);
  });

  it('FNV-1a matches the reference values', () => {
    expect(fnv1aHex('')).toBe('811c9dc5');
    expect(fnv1aHex('a')).toBe('e40c292c');
    expect(fnv1aHex('foobar')).toBe('bf9cf968');
  });

  it('names sources and repartition topics', () => {
    expect(sourceNodeName('orders')).toBe('orders');
    expect(sourceNodeName(['a', 'b'])).toBe('a_b');
    expect(sourceNodeName(/^logs\.(a|b)$/)).toBe('pattern-_logs_._a_b__');
    expect(repartitionTopicName('by-customer')).toBe('by-customer-repartition');
    expect(() => repartitionTopicName('a b')).toThrow(TopologyError);
  });
});
