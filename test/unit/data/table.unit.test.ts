import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseModel } from '../../../src/inference/onnxModel';
import { classifierModel, linearRegressorModel, perColumnRegressorModel } from '../../../src/inference/onnxBuilder';
import { outputsToTable, planFeeds, predictionCsv, randomFeeds } from '../../../src/inference/feeds';
import { readTable } from '../../../src/data/table';
import { readSplitMask } from '../../../src/data/splitFile';
import { UserError } from '../../../src/util/errors';
import { sha256File } from '../../../src/util/hash';
import { tempDir, writeFile } from '../inference/helpers';

describe('inference/data: CSV → model inputs', () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const csv = writeFile(
    dir,
    'd.csv',
    'a,b,when,c,y\n1,2,2024-01-01,3,x\n4,5.5,2024-01-02,6,z\n-1,0,2024-01-03,1e2,x\n',
  );

  it('feeds every numeric column except the target, in file order, to a single 2-D input', async () => {
    const t = await readTable(csv);
    const plan = planFeeds(
      parseModel(
        classifierModel(
          [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          [0, 0],
        ),
      ),
      t,
      { target: 'y' },
    );
    assert.equal(plan.mode, 'matrix');
    assert.deepEqual(plan.columns, ['a', 'b', 'c']);
    const f = plan.build([0, 2]).X;
    assert.deepEqual(f.dims, [2, 3]);
    assert.deepEqual(Array.from(f.data as Float32Array), [1, 2, 3, -1, 0, 100]);
  });

  it("the table's SHA-256 is the file's, also when the file spans several read chunks", async () => {
    assert.equal((await readTable(csv)).sha256, await sha256File(csv));
    // Three rows of about 3 MiB each: the 4 MiB reads split rows, so every chunk must reach the hash once, in order.
    const big = writeFile(
      dir,
      'big.csv',
      'id,blob\n' + [1, 2, 3].map((i) => `${i},${String(i).repeat(3 << 20)}\n`).join(''),
    );
    const t = await readTable(big);
    assert.equal(t.rows, 3);
    assert.equal(t.sha256, await sha256File(big));
  });

  it('--features chooses columns; a width mismatch names both sides', async () => {
    const t = await readTable(csv);
    const m = parseModel(linearRegressorModel([1, 2], 0));
    assert.deepEqual(planFeeds(m, t, { features: ['c', 'a'] }).columns, ['c', 'a']);
    assert.throws(
      () => planFeeds(m, t, { target: 'y' }),
      (e: unknown) =>
        e instanceof UserError && /takes 2 features per row/.test(e.message) && /gives 3 \(a, b, c\)/.test(e.message),
    );
    assert.throws(() => planFeeds(m, t, { features: ['a', 'nope'] }), /feature 'nope' is not in d\.csv/);
  });

  it('matches one-input-per-column models by input name, and says which input has no column', async () => {
    const t = await readTable(csv);
    const plan = planFeeds(parseModel(perColumnRegressorModel(['c', 'a'], [1, 1], 0)), t);
    assert.equal(plan.mode, 'per-column');
    const f = plan.build([1]);
    assert.deepEqual(f.c.dims, [1, 1]);
    assert.deepEqual(Array.from(f.a.data as Float32Array), [4]);
    assert.throws(
      () => planFeeds(parseModel(perColumnRegressorModel(['a', 'missing'], [1, 1], 0)), t),
      /missing is not a column of d\.csv/,
    );
  });

  it('empty cells, NaN and text name the line and column', async () => {
    const bad = writeFile(dir, 'bad.csv', 'a,b,y\n1,2,x\n3,,x\n5,NaN,x\n7,seven,x\n');
    const t = await readTable(bad);
    // 'seven' makes b a text column (typing reads the whole column), so the features are named.
    assert.throws(
      () => planFeeds(parseModel(linearRegressorModel([1, 1], 0)), t, { target: 'y' }),
      /takes 2 features per row, but bad\.csv gives 1 \(a\)/,
    );
    const plan = planFeeds(parseModel(linearRegressorModel([1, 1], 0)), t, { features: ['a', 'b'] });
    assert.throws(() => plan.build([1]), /empty cell in column 'b' on line 3 of bad\.csv/);
    assert.throws(() => plan.build([2]), /NaN in column 'b' on line 4/);
    assert.throws(() => plan.build([3]), /text 'seven' where a number is expected in column 'b' on line 5/);
    assert.deepEqual(Array.from(plan.build([0]).X.data as Float32Array), [1, 2]);
  });

  it('types a column from all its values: NaN and empty cells are missing, not text (a NaN first row stays numeric)', async () => {
    const f = writeFile(dir, 'nan.csv', 'a,b,y\nNaN,,x\n2,1.5,x\n,nan,z\n4,2,z\n');
    const plan = planFeeds(parseModel(linearRegressorModel([1, 1], 0)), await readTable(f), { target: 'y' });
    assert.deepEqual(plan.columns, ['a', 'b']);
    const { isNumericColumn } = await import('../../../src/data/table');
    assert.equal(isNumericColumn(['', 'NaN', ' nan ']), false, 'all missing: not a feature');
    assert.equal(isNumericColumn(['NaN', '1', 'x']), false);
    assert.equal(isNumericColumn(['NaN', '1e3', '-inf']), true);
  });

  it('reads split (train/valid/unused) and fold columns into a byte per row', async () => {
    const s = writeFile(dir, 's.csv', 'split\ntrain\nvalid\nunused\n');
    const r = await readSplitMask(s);
    assert.deepEqual([Array.from(r.mask), r.train, r.valid, r.kind], [[1, 2, 0], 1, 1, 'split']);
    assert.match(r.manifestHash, /^[0-9a-f]{64}$/);
    const k = writeFile(dir, 'k.csv', 'fold\n0\n1\n1\n-1\n');
    const r1 = await readSplitMask(k, 1);
    assert.deepEqual([Array.from(r1.mask), r1.valid, r1.train, r1.fold], [[1, 2, 2, 1], 2, 2, 1]);
    assert.equal((await readSplitMask(k)).fold, 0);
    await assert.rejects(readSplitMask(k, 3), /fold 3 is not in k\.csv/);
    const bad = writeFile(dir, 'b.csv', 'split\ntrain\nmaybe\n');
    await assert.rejects(readSplitMask(bad), /b\.csv line 3: split 'maybe' is not train, valid or unused/);
    writeFile(dir, 'k.csv.json', '{"strategy":"kfold"}');
    assert.notEqual((await readSplitMask(k)).manifestHash, r1.manifestHash);
  });

  it('random inputs follow declared shapes with the batch for the symbolic first dim', () => {
    const f = randomFeeds(parseModel(classifierModel([[1], [2], [3]], [0])), 7);
    assert.deepEqual(f.X.dims, [7, 3]);
    assert.equal((f.X.data as Float32Array).length, 21);
    assert.ok(Array.from(f.X.data as Float32Array).every(Number.isFinite));
  });

  it('outputs become one CSV line per row and one column per value (name / name_i)', () => {
    const table = outputsToTable(
      {
        label: { type: 'int64', dims: [2], data: BigInt64Array.from([1n, 0n]) },
        probabilities: { type: 'float32', dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.5, 0.5]) },
      },
      ['label', 'probabilities'],
      2,
    );
    assert.equal(predictionCsv(table), 'label,probabilities_0,probabilities_1\n1,0.25,0.75\n0,0.5,0.5\n');
    assert.throws(
      () => outputsToTable({ y: { type: 'float32', dims: [7], data: new Float32Array(7) } }, ['y'], 2),
      /not one entry per input row/,
    );
  });
});
