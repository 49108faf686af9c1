import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFileWriter, writeFileAtomic } from '../../../src/util/atomicWrite';

describe('util/atomicWrite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the whole file and leaves no temp file', async () => {
    const target = path.join(dir, 'a', 'out.csv');
    await writeFileAtomic(target, 'x,y\n1,2\n');
    assert.equal(fs.readFileSync(target, 'utf8'), 'x,y\n1,2\n');
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['out.csv']);
  });

  it('a streamed write is invisible until commit, and abort leaves the old file untouched', () => {
    const target = path.join(dir, 'out.csv');
    fs.writeFileSync(target, 'old\n');
    const w = new AtomicFileWriter(target);
    w.write('new\n');
    assert.equal(fs.readFileSync(target, 'utf8'), 'old\n');
    w.abort();
    assert.equal(fs.readFileSync(target, 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);

    const w2 = new AtomicFileWriter(target);
    for (let i = 0; i < 100_000; i++) w2.write(`${i}\n`);
    w2.commit();
    const lines = fs.readFileSync(target, 'utf8').split('\n');
    assert.equal(lines.length, 100_001);
    assert.equal(lines[99_999], '99999');
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);
  });

  it('a failed write removes its temp file and throws', async () => {
    const target = path.join(dir, 'isdir');
    fs.mkdirSync(target);
    await assert.rejects(writeFileAtomic(target, 'x'));
    assert.deepEqual(fs.readdirSync(dir), ['isdir']);
  });
});
