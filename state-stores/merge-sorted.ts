/**
 * Merges an overlay of recent writes (a cache, or the pending writes of an LMDB store) with the
 * entries of the store below, both sorted by key in the same direction. On equal keys the overlay
 * wins; an overlay value of null is a deletion and hides the key.
 */
import type { KeyValueBytesEntry } from './key-value-bytes-store.ts';

/**
 * @param overlay entries `[key, value | null]` sorted like `base`
 * @param base entries of the store below
 * @param reverse whether both run in descending key order
 */
export function* mergeOverlay(
  overlay: Iterable<readonly [Buffer, Buffer | null]>,
  base: Iterable<KeyValueBytesEntry>,
  reverse: boolean,
): Generator<KeyValueBytesEntry> {
  const o = overlay[Symbol.iterator]();
  const b = base[Symbol.iterator]();
  try {
    let on = o.next();
    let bn = b.next();
    const sign = reverse ? -1 : 1;
    while (!on.done || !bn.done) {
      let cmp: number;
      if (on.done) cmp = 1;
      else if (bn.done) cmp = -1;
      else cmp = sign * Buffer.compare(on.value[0], bn.value[0]);
      if (cmp <= 0) {
        const [key, value] = on.value!;
        if (cmp === 0) bn = b.next();
        on = o.next();
        if (value !== null) yield [key, value];
      } else {
        const entry = bn.value!;
        bn = b.next();
        yield entry;
      }
    }
  } finally {
    o.return?.();
    b.return?.();
  }
}

/**
 * {@link mergeOverlay} for entries of any shape: `keyOf` gives a base entry's key, `make` builds an
 * entry from an overlay key and value, `compare` orders keys (default: byte order).
 */
export function* mergeOverlayBy<E>(
  overlay: Iterable<readonly [Buffer, Buffer | null]>,
  base: Iterable<E>,
  reverse: boolean,
  keyOf: (entry: E) => Buffer,
  make: (key: Buffer, value: Buffer) => E,
  compare: (a: Buffer, b: Buffer) => number = Buffer.compare,
): Generator<E> {
  const o = overlay[Symbol.iterator]();
  const b = base[Symbol.iterator]();
  try {
    let on = o.next();
    let bn = b.next();
    const sign = reverse ? -1 : 1;
    while (!on.done || !bn.done) {
      let cmp: number;
      if (on.done) cmp = 1;
      else if (bn.done) cmp = -1;
      else cmp = sign * compare(on.value[0], keyOf(bn.value));
      if (cmp <= 0) {
        const [key, value] = on.value!;
        if (cmp === 0) bn = b.next();
        on = o.next();
        if (value !== null) yield make(key, value);
      } else {
        const entry = bn.value!;
        bn = b.next();
        yield entry;
      }
    }
  } finally {
    o.return?.();
    b.return?.();
  }
}
