import { describe, expect, it } from 'vitest';
import { pausable } from '../../../core/runtime/pausable-observable.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('core/runtime/pausable-observable', () => {
  it('stops emitting a sync iterable as soon as pause() is called, and continues on resume()', async () => {
    const source = pausable([1, 2, 3, 4, 5]);
    const seen: number[] = [];
    let completed = false;
    source.subscribe({
      next: (v) => {
        seen.push(v);
        if (v === 2) source.pause();
      },
      complete: () => (completed = true),
    });
    expect(seen).toEqual([1, 2]);
    expect(source.paused).toBe(true);
    await tick();
    expect(seen).toEqual([1, 2]);
    source.resume();
    await tick();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(completed).toBe(true);
  });

  it('holds a value an async iterable delivered while paused, and emits it first on resume', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* gen(): AsyncGenerator<string> {
      yield 'a';
      await gate;
      yield 'b';
      yield 'c';
    }
    const source = pausable(gen());
    const seen: string[] = [];
    source.subscribe((v) => seen.push(v));
    await tick();
    expect(seen).toEqual(['a']);
    source.pause();
    release();
    await tick();
    expect(seen).toEqual(['a']);
    source.resume();
    await tick();
    await tick();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('forwards iterator errors and closes the iterator on unsubscribe', async () => {
    function* failing(): Generator<number> {
      yield 1;
      throw new Error('broken');
    }
    let error: unknown;
    pausable(failing()).subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('broken');

    let finalized = false;
    function* endless(): Generator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finalized = true;
      }
    }
    const source = pausable(endless());
    const subscription = source.subscribe((v) => {
      if (v === 3) source.pause();
    });
    subscription.unsubscribe();
    await tick();
    expect(finalized).toBe(true);
  });
});
