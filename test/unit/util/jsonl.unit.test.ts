import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendJsonl, parseJsonl, readJsonl } from '../../../src/util/jsonl';

describe('util/jsonl', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-jsonl-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends one line per record and reads them back in order', async () => {
    const file = path.join(dir, 'sub', 'log.jsonl');
    await appendJsonl(file, { a: 1 });
    await appendJsonl(file, { a: 2, s: 'line\nbreak' });
    assert.equal(fs.readFileSync(file, 'utf8').split('\n').length, 3);
    const { records, skipped } = await readJsonl<{ a: number }>(file);
    assert.deepEqual(
      records.map((r) => r.a),
      [1, 2],
    );
    assert.deepEqual(skipped, []);
  });

  it('isolates a torn last line left by a crash, so later appends stay readable', async () => {
    const file = path.join(dir, 'log.jsonl');
    fs.writeFileSync(file, '{"a":1}\n{"a":2,"b":');
    await appendJsonl(file, { a: 3 });
    const { records, skipped } = await readJsonl<{ a: number }>(file);
    assert.deepEqual(
      records.map((r) => r.a),
      [1, 3],
    );
    assert.deepEqual(skipped, [2]);
  });

  it('reads a missing file as empty and reports garbage lines by number', async () => {
    assert.deepEqual(await readJsonl(path.join(dir, 'none.jsonl')), { records: [], skipped: [] });
    assert.deepEqual(parseJsonl('{"x":1}\n\nnot json\n{"x":2}\n').skipped, [3]);
  });

  it('keeps every line whole under concurrent appends', async () => {
    const file = path.join(dir, 'log.jsonl');
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendJsonl(file, { i, pad: 'x'.repeat(500) })));
    const { records, skipped } = await readJsonl<{ i: number }>(file);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      records.map((r) => r.i).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
