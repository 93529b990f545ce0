import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

function tributary(args: string[], input?: string): string {
  return execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, timeout: 30_000, stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('cli/main', () => {
  it('creates, describes, produces to and consumes from a topic in a data directory', () => {
    const data = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    try {
      expect(tributary(['topics', 'create', 'events', '--partitions', '2', '--config', 'retention.ms=60000', '--data', data])).toContain(
        'created topic events with 2 partition(s)',
      );
      expect(tributary(['topics', 'list', '--data', data]).split('\n')).toContain('events');
      tributary(['produce', 'events', '--key-separator', ':', '--data', data], 'k1:hello\nk2:world\nk1:again\n');
      const described = tributary(['topics', 'describe', 'events', '--data', data]);
      expect(described).toMatch(/retention\.ms=60000 \(set\)/);
      const ends = [...described.matchAll(/log end (\d+)/g)].map((m) => Number(m[1]));
      expect(ends.reduce((a, b) => a + b, 0)).toBe(3);
      const lines = tributary(['consume', 'events', '--from-beginning', '--group', 'g1', '--max-messages', '3', '--data', data])
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(2).join('\t'))
        .sort();
      expect(lines).toEqual(['k1\tagain', 'k1\thello', 'k2\tworld']);
      expect(tributary(['groups', 'describe', 'g1', '--data', data])).toMatch(/events-\d: committed \d+, end \d+, lag 0/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('fails with a clear message for a bad config', () => {
    const data = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    try {
      const r = spawnSync(process.execPath, [bin, 'topics', 'create', 'x', '--config', 'retention.ms=soon', '--data', data], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/INVALID_CONFIG: .*retention\.ms/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
