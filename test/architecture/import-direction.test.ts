import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { directionViolations, findCycles, importsOf, readImportGraph } from './import-graph.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('architecture/import-direction', () => {
  it('finds relative imports, type-only ones marked', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import 'node:fs';",
      "const d = await import('./d.ts');",
    ].join('\n');
    expect(importsOf(src)).toEqual([
      { specifier: './a.ts', typeOnly: false },
      { specifier: '../b.ts', typeOnly: true },
      { specifier: './c.ts', typeOnly: false },
      { specifier: './d.ts', typeOnly: false },
    ]);
  });

  it('flags an import against the direction core <- state-stores <- operators, and cycles', () => {
    const edges = [
      { from: 'core/a.ts', to: 'operators/b.ts', typeOnly: true },
      { from: 'state-stores/s.ts', to: 'core/a.ts', typeOnly: false },
      { from: 'operators/b.ts', to: 'state-stores/s.ts', typeOnly: false },
      { from: 'core/x.ts', to: 'core/y.ts', typeOnly: false },
      { from: 'core/y.ts', to: 'core/x.ts', typeOnly: false },
    ];
    expect(directionViolations(edges)).toEqual([edges[0]]);
    expect(findCycles(edges)).toEqual([['core/x.ts', 'core/y.ts', 'core/x.ts']]);
  });

  it('holds for the project: no import against the direction, no runtime import cycle', () => {
    const edges = readImportGraph(root);
    expect(edges.length).toBeGreaterThan(10);
    expect(directionViolations(edges)).toEqual([]);
    expect(findCycles(edges)).toEqual([]);
  });
});
