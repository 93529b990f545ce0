/**
 * MurmurHash3 x86 128-bit (Austin Appleby's `MurmurHash3_x86_128`): the hash the foreign-key join
 * puts in its subscriptions to recognise a response to the left value that is still current. 32-bit
 * arithmetic only (`Math.imul`), no BigInt; the 16 bytes are h1..h4 little-endian, as the reference
 * implementation writes them.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function block(data: Uint8Array, i: number): number {
  return data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
}

/**
 * The 128-bit MurmurHash3 (x86 variant) of `data`.
 *
 * @param seed the 32-bit seed (default 0)
 * @returns 16 bytes: h1, h2, h3, h4 as little-endian 32-bit words
 * @example
 * murmur3Hash128(Buffer.from('hello')).toString('hex'); // 'a044242bf7de91dbb631db9ab631db9a'
 */
export function murmur3Hash128(data: Uint8Array, seed = 0): Buffer {
  const len = data.length;
  const nblocks = len >>> 4;
  let h1 = seed >>> 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  for (let b = 0; b < nblocks; b++) {
    const i = b << 4;
    let k1 = block(data, i);
    let k2 = block(data, i + 4);
    let k3 = block(data, i + 8);
    let k4 = block(data, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = rotl(h1, 19) + h2;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = rotl(h2, 17) + h3;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = rotl(h3, 15) + h4;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = rotl(h4, 13) + h1;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const tail = nblocks << 4;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  const rem = len & 15;
  if (rem > 12) {
    if (rem >= 15) k4 ^= data[tail + 14]! << 16;
    if (rem >= 14) k4 ^= data[tail + 13]! << 8;
    k4 ^= data[tail + 12]!;
    h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
  }
  if (rem > 8) {
    if (rem >= 12) k3 ^= data[tail + 11]! << 24;
    if (rem >= 11) k3 ^= data[tail + 10]! << 16;
    if (rem >= 10) k3 ^= data[tail + 9]! << 8;
    k3 ^= data[tail + 8]!;
    h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
  }
  if (rem > 4) {
    if (rem >= 8) k2 ^= data[tail + 7]! << 24;
    if (rem >= 7) k2 ^= data[tail + 6]! << 16;
    if (rem >= 6) k2 ^= data[tail + 5]! << 8;
    k2 ^= data[tail + 4]!;
    h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
  }
  if (rem > 0) {
    if (rem >= 4) k1 ^= data[tail + 3]! << 24;
    if (rem >= 3) k1 ^= data[tail + 2]! << 16;
    if (rem >= 2) k1 ^= data[tail + 1]! << 8;
    k1 ^= data[tail]!;
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  const out = Buffer.allocUnsafe(16);
  out.writeInt32LE(h1, 0);
  out.writeInt32LE(h2, 4);
  out.writeInt32LE(h3, 8);
  out.writeInt32LE(h4, 12);
  return out;
}
