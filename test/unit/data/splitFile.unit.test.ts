import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readAnySplit, readPlainSplit, readSplitMask } from '../../../src/data/splitFile';
import { tempDir, writeFile } from '../inference/helpers';

/** What a reader gives, as plain values: the kind, each row's bits (split) or fold (fold), the row count. */
async function summary(r: Awaited<ReturnType<typeof readAnySplit>>): Promise<unknown> {
  const perRow =
    r.kind === 'split'
      ? Array.from(r.mask.subarray(0, r.rows))
      : Array.from(r.folds.codes.subarray(0, r.rows), (c) => r.folds.values[c]);
  return { kind: r.kind, rows: r.rows, perRow };
}

describe('data/splitFile: the plain split reader and the CSV engine read the same rows', () => {
  const dir = tempDir('flowbench-split-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (text: string | Buffer) => writeFile(dir, `s${n++}.csv`, text);

  // The files `flowbench split` writes, and the variants of them the plain reader still takes.
  const plain: [string, string][] = [
    ['folds', 'fold\n0\n1\n2\n1\n0\n'],
    ['never-validated rows', 'fold\n-1\n0\n-1\n1\n'],
    ['CRLF line ends', 'fold\r\n3\r\n0\r\n3\r\n'],
    ['no line end at the end', 'fold\n1\n0\n1'],
    ['fold numbers up to 254, with leading zeros', 'fold\n254\n007\n10\n'],
    ['split words', 'split\ntrain\nvalid\nunused\nvalidation\ntest\ntrain\n'],
    ['split words, CRLF, no final line end', 'split\r\ntrain\r\nvalid'],
  ];
  for (const [what, text] of plain) {
    it(`takes ${what} and reads what the CSV engine reads`, async () => {
      const f = file(text);
      const fast = await readPlainSplit(f);
      assert.ok(fast, 'the plain reader took the file');
      assert.deepEqual(await summary(fast), await summary(await readAnySplit(f, {})));
    });
  }

  // Everything else goes to the CSV engine, which has the messages and the general rules.
  const other: [string, string][] = [
    ['a blank line', 'fold\n0\n\n1\n'],
    ['a quoted value', 'fold\n"0"\n1\n'],
    ['spaces', 'fold\n 0\n1\n'],
    ['a plus sign', 'fold\n+1\n0\n'],
    ['a decimal point', 'fold\n1.0\n0\n'],
    ['a fold over 254', 'fold\n255\n0\n'],
    ['a negative fold other than -1', 'fold\n-2\n0\n'],
    ['a capitalised word', 'split\nTrain\nvalid\n'],
    ['an unknown word', 'split\ntrain\nmaybe\n'],
    ['a lone CR', 'fold\n0\r1\n'],
    ['a CR at the very end', 'fold\n0\n1\r'],
    ['more columns', 'id,fold\n0,1\n1,0\n'],
    ['a BOM', '\ufefffold\n0\n1\n'],
    ['another header', 'Fold\n0\n1\n'],
    ['a header alone', 'fold\n'],
    ['an empty file', ''],
  ];
  for (const [what, text] of other) {
    it(`leaves ${what} to the CSV engine`, async () => {
      assert.equal(await readPlainSplit(file(text)), undefined);
    });
  }

  it('keeps rows that straddle its 1 MB reads whole (10^6 random folds, lines of 2 to 4 bytes)', async () => {
    let seed = 3;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const folds = Array.from({ length: 1_000_000 }, () => Math.floor(rnd() * 12) - 1);
    const f = file('fold\n' + folds.join('\n') + '\n');
    assert.ok(fs.statSync(f).size > 2 << 20);
    const fast = await readPlainSplit(f);
    assert.ok(fast);
    assert.deepEqual(
      Array.from(fast.folds.codes.subarray(0, fast.rows), (c) => fast.folds.values[c]),
      folds,
    );
    const m = await readSplitMask(f, 10);
    assert.equal(m.valid, folds.filter((v) => v === 10).length);
    assert.equal(m.train + m.valid, folds.length);
    assert.ok(folds.every((v, i) => m.mask[i] === (v === 10 ? 2 : 1)));
  });

  it('gives the CSV engine its messages for the files it does not take', async () => {
    await assert.rejects(readSplitMask(file('split\ntrain\nmaybe\n')), /line 3: split 'maybe' is not train, valid/);
    await assert.rejects(readSplitMask(file('fold\n')), /header but no data rows/);
    // A blank line is skipped, as the CSV engine does.
    assert.deepEqual(Array.from((await readSplitMask(file('fold\n0\n\n1\n'), 1)).mask), [1, 2]);
  });
});
