import { describe, expect, it } from 'vitest';
import { PunctuationQueue, PunctuationSchedule } from '../../../core/runtime/punctuation-queue.ts';

describe('core/runtime/punctuation-queue', () => {
  it('fires due schedules once per call in due order and skips missed intervals, staying aligned', () => {
    const q = new PunctuationQueue<string>();
    const fired: string[] = [];
    const a = q.schedule(new PunctuationSchedule('a', 0, 10, (t) => fired.push(`a@${t}`)));
    q.schedule(new PunctuationSchedule('b', 5, 20, (t) => fired.push(`b@${t}`)));
    const run = (s: PunctuationSchedule<string>, t: number) => s.punctuator(t);
    expect(q.mayPunctuate(4, run)).toBe(true);
    expect(fired).toEqual(['a@4']);
    expect(q.nextDue()).toBe(5);
    fired.length = 0;
    q.mayPunctuate(37, run); // b (due 5) then a (due 10), each once; next b 45, a 40
    expect(fired).toEqual(['b@37', 'a@37']);
    expect(a.due).toBe(40);
    expect(q.nextDue()).toBe(40);
    a.cancel();
    fired.length = 0;
    expect(q.mayPunctuate(44, run)).toBe(false);
    expect(q.mayPunctuate(45, run)).toBe(true);
    expect(fired).toEqual(['b@45']);
    expect(q.size).toBe(1);
  });
});
