import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('examples/log-demo', () => {
  it('produces, consumes with two then three group members, and commits everything', () => {
    const data = mkdtempSync(join(tmpdir(), 'tributary-log-demo-'));
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', main], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...process.env, TRIBUTARY_DATA: data },
        encoding: 'utf8',
        timeout: 60_000,
      });
      const rounds = [...out.matchAll(/group "billing" with (\d) members consumed them:\n((?:  consumer-.*\n)+)/g)];
      expect(rounds.map((m) => m[1])).toEqual(['2', '3']);
      for (const [, members, lines] of rounds) {
        const counts = [...lines!.matchAll(/-> ([\d,]+) records/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
        expect(counts).toHaveLength(Number(members));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
        expect(counts.every((c) => c > 0)).toBe(true);
      }
      const committed = [...out.matchAll(/p\d=(\d+) \(lag 0\)/g)].map((m) => Number(m[1]));
      expect(committed).toHaveLength(6);
      expect(committed.reduce((a, b) => a + b, 0)).toBe(40_000);
      expect(out).toContain('closed cleanly');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
