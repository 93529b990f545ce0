import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import edge between two project files. */
export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** The layers in import order: a layer may import only from itself and the layers before it. */
export const LAYERS = ['core', 'state-stores', 'operators'] as const;

const IMPORT_RE =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Lists the relative imports of a TypeScript source text. */
export function importsOf(source: string): { specifier: string; typeOnly: boolean }[] {
  const out: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const specifier = m[3] ?? m[4];
    if (specifier === undefined || !specifier.startsWith('.')) continue;
    out.push({ specifier, typeOnly: m[2] !== undefined });
  }
  return out;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Reads every import edge between files of the given layer folders under `root` (paths relative to root). */
export function readImportGraph(root: string, folders: readonly string[] = LAYERS): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    let files: string[];
    try {
      files = listTs(join(root, folder));
    } catch {
      continue;
    }
    for (const file of files) {
      for (const { specifier, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), specifier);
        edges.push({ from: relative(root, file).split(sep).join('/'), to: relative(root, target).split(sep).join('/'), typeOnly });
      }
    }
  }
  return edges;
}

function layerOf(path: string): number {
  const top = path.split('/')[0]!;
  return (LAYERS as readonly string[]).indexOf(top);
}

/** Edges that import from a later layer (core <- state-stores <- operators). */
export function directionViolations(edges: readonly ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    return a >= 0 && b > a;
  });
}

/** Import cycles among runtime (non type-only) edges, each as the list of files around the loop. */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly) continue;
    const list = graph.get(e.from) ?? [];
    list.push(e.to);
    graph.set(e.from, list);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
