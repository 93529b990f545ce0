import { describe, expect, it } from 'vitest';
import { ReadBufferPool, ReadLease } from '../../../core/broker/read-buffer-pool.ts';

describe('core/broker/read-buffer-pool', () => {
  it('hands out power-of-two buffers from 64 KiB to 16 MiB and plain ones outside that range', () => {
    const pool = new ReadBufferPool();
    expect(pool.take(40_000).length).toBe(65_536);
    expect(pool.take(65_536).length).toBe(65_536);
    expect(pool.take(65_537).length).toBe(131_072);
    expect(pool.take(1_000_000).length).toBe(1 << 20);
    expect(pool.take(1 << 24).length).toBe(1 << 24);
    expect(pool.take(100).length).toBe(100);
    expect(pool.take((1 << 24) + 1).length).toBe((1 << 24) + 1);
  });

  it('gives a returned buffer out again for a size of its class, and ignores buffers it did not make', () => {
    const pool = new ReadBufferPool();
    const a = pool.take(900_000);
    pool.give(a);
    expect(pool.idleBytes).toBe(1 << 20);
    expect(pool.take(600_000)).toBe(a);
    expect(pool.idleBytes).toBe(0);
    pool.give(Buffer.alloc(100));
    pool.give(Buffer.alloc(3 << 16));
    pool.give(Buffer.alloc(2 << 20).subarray(0, 1 << 20)); // a view: its memory is not all its own
    expect(pool.idleBytes).toBe(0);
    expect(pool.take(600_000)).not.toBe(a);
  });

  it('keeps at most its byte budget in free buffers', () => {
    const pool = new ReadBufferPool(3 << 20);
    const taken = Array.from({ length: 5 }, () => pool.take(1 << 20));
    for (const b of taken) pool.give(b);
    expect(pool.idleBytes).toBe(3 << 20);
  });

  it('a lease gives back everything taken through it, as views of the exact size asked', () => {
    const pool = new ReadBufferPool();
    const lease = new ReadLease(pool);
    expect(lease.holdsBuffers).toBe(false);
    const x = lease.allocate(700_000);
    const y = lease.allocate(100);
    expect([x.length, y.length]).toEqual([700_000, 100]);
    expect(lease.holdsBuffers).toBe(true);
    lease.release();
    expect(lease.holdsBuffers).toBe(false);
    expect(pool.idleBytes).toBe(1 << 20);
    const again = new ReadLease(pool).allocate(800_000);
    expect(again.buffer).toBe(x.buffer);
  });
});
