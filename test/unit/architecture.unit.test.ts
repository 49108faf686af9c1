import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** src/ top-level folder of a file; '' for the entry points at the root of src/. */
function topOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? '' : rel[0];
}

/** Folder → folders it imports from (relative imports, type-only included: a type is a dependency too). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SRC)) {
    const from = topOf(file);
    if (from === '') continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const to = topOf(path.resolve(path.dirname(file), m[1]));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('architecture (src/ARCHITECTURE.md)', () => {
  const graph = folderGraph();

  it('has no cycle in the folder-level import graph of src/', () => {
    assert.deepEqual(findCycle(graph), undefined);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    assert.deepEqual(findCycle(g), ['a', 'b', 'c', 'a']);
  });

  it('keeps the shared modules below every feature', () => {
    for (const shared of ['util', 'data', 'python', 'editor']) {
      const uses = [...(graph.get(shared) ?? [])].filter((t) => !['util', 'data', 'python'].includes(t));
      assert.deepEqual(uses, [], `src/${shared}/ imports a feature or the entry points`);
    }
    assert.deepEqual([...(graph.get('util') ?? [])], [], 'src/util/ imports nothing else in src/');
  });
});
