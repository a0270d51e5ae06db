// No folder of lib/ imports, through any chain, a folder that imports it back: the layout stays
// a one-way graph (README, "Layout"). Reads the import statements of every source file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return rel === path.join('lib', 'generated') ? [] : sources(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

/** lib/<folder> of a file or import target (files directly under lib/ count as their own unit). */
const unit = (rel: string) => rel.split(path.sep).slice(0, 2).join('/');

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources('lib')) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s+'((?:@\/lib\/|\.{1,2}\/)[^']+)'/g)) {
      const spec = m[1];
      const target = spec.startsWith('@/') ? spec.slice(2) : path.normalize(path.join(path.dirname(file), spec));
      const [a, b] = [unit(file), unit(target)];
      if (a === b || !b.startsWith('lib/') || b === 'lib/generated') continue;
      if (!graph.has(a)) graph.set(a, new Set());
      graph.get(a)!.add(b);
    }
  }
  return graph;
}

function rings(graph: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  for (const start of graph.keys()) {
    const stack: string[][] = [[start]];
    while (stack.length) {
      const trail = stack.pop()!;
      for (const next of graph.get(trail[trail.length - 1]) ?? []) {
        if (next === start) found.push([...trail, start].join(' -> '));
        else if (!trail.includes(next)) stack.push([...trail, next]);
      }
    }
  }
  return found;
}

describe('the layout', () => {
  it('has no import ring between folders of lib/', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(8); // the walk found the folders at all
    expect(rings(graph)).toEqual([]);
  });

  it('would see a ring', () => {
    expect(
      rings(
        new Map([
          ['lib/a', new Set(['lib/b'])],
          ['lib/b', new Set(['lib/a'])],
        ]),
      ),
    ).toContain('lib/a -> lib/b -> lib/a');
  });
});
