import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', '..', '..', '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('editor: workspace search globs', () => {
  it('nest no braces (VS Code 1.93 hands globs to ripgrep, which refuses {a,{b,c}}: "error parsing glob")', () => {
    const offenders: string[] = [];
    for (const f of files(SRC)) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/'([^'\n]*\*\*[^'\n]*)'/g)) {
        let depth = 0;
        for (const ch of m[1]) {
          if (ch === '{' && ++depth > 1) offenders.push(`${path.relative(SRC, f)}: ${m[1]}`);
          if (ch === '}') depth--;
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
