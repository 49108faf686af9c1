import { CancellationSource } from '../../../src/util/errors';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RandomState } from '../../../src/splits/randomState';
import { validateShuffleSplit } from '../../../src/splits/sizes';
import { encodeColumn, quantileBins } from '../../../src/data/labels';
import {
  stratifiedKFold,
  groupKFold,
  timeSeries,
  approximateMode,
  type SplitParams,
} from '../../../src/splits/strategies';
import { createSplit } from '../../../src/splits/engine';
import { pairwiseSum } from '../../../src/splits/numpyMath';
import { ksStatistic, cramersVFromCounts } from '../../../src/splits/driftStats';
import { parseTimestamp } from '../../../src/data/dates';

const base: SplitParams = { strategy: 'kfold', folds: 3, gap: 0, shuffle: false, seed: 42 };

function cancelled() {
  const source = new CancellationSource();
  source.cancel();
  return source.token;
}

describe('splits/randomState: numpy legacy RandomState', () => {
  it('permutation matches numpy for seeds 0 and 42', () => {
    assert.deepEqual(Array.from(new RandomState(0).permutation(10)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    assert.deepEqual(Array.from(new RandomState(42).permutation(10)), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
  });
  it('raw 32-bit outputs match MT19937 init_genrand(5489) reference values', () => {
    const r = new RandomState(5489);
    assert.equal(r.nextUint32(), 3499211612);
    assert.equal(r.nextUint32(), 581869302);
  });
  it('refuses seeds outside [0, 2**32-1]', () => {
    assert.throws(() => new RandomState(-1), /seed/);
    assert.throws(() => new RandomState(2 ** 32), /seed/);
  });
});

describe('splits/sizes: scikit-learn rounding and refusals', () => {
  it('keeps the IEEE artifact: 0.07 of 100 rows is 8 test rows', () => {
    assert.deepEqual(validateShuffleSplit(100, { fraction: 0.07 }, undefined, 0.25), { nTrain: 92, nTest: 8 });
    assert.deepEqual(validateShuffleSplit(10, undefined, { fraction: 0.33 }, 0.25), { nTrain: 3, nTest: 7 });
  });
  it('refuses counts >= n, sums over n, and empty train sets', () => {
    assert.throws(
      () => validateShuffleSplit(5, { count: 5 }, undefined, 0.25),
      /test_size=5 should be either positive/,
    );
    assert.throws(
      () => validateShuffleSplit(5, { count: 3 }, { count: 3 }, 0.25),
      /sum of train_size and test_size = 6/,
    );
    assert.throws(() => validateShuffleSplit(3, { fraction: 0.2 }, { fraction: 0.1 }, 0.25), /train set will be empty/);
    assert.throws(
      () => validateShuffleSplit(9, { fraction: 0.9 }, { fraction: 0.9 }, 0.25),
      /sum of test_size and train_size = 1.8,/,
    );
  });
});

describe('splits/strategies: documented examples', () => {
  it('class order is numeric when every value is a number, else by code point', () => {
    assert.deepEqual(encodeColumn('y', ['10', '9', '3.0', '3']).labels, ['3.0', '9', '10']);
    assert.deepEqual(encodeColumn('y', ['c10', 'c9', 'B', 'a']).labels, ['B', 'a', 'c10', 'c9']);
  });
  it('StratifiedKFold without shuffle: y=aabbbbabba, k=3', () => {
    const r = stratifiedKFold(10, { ...base, strategy: 'stratified-kfold' }, encodeColumn('y', [...'aabbbbabba']));
    assert.deepEqual(Array.from(r.assignment), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });
  it('GroupKFold greedy puts the largest group first; shuffle balances group counts', () => {
    const groups = encodeColumn('g', ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'c', 'd', 'e', 'f']);
    const greedy = groupKFold(15, { ...base, strategy: 'group-kfold' }, groups);
    const sizes = [0, 1, 2].map((f) => Array.from(greedy.assignment).filter((x) => x === f).length);
    assert.deepEqual(sizes, [10, 3, 2]);
  });
  it('TimeSeriesSplit n=10, 3 splits, gap 1: windows [4 5] [6 7] [8 9]', () => {
    const r = timeSeries(
      10,
      { ...base, strategy: 'time-series', gap: 1, maxTrainSize: 3, testSize: undefined },
      undefined,
    );
    assert.deepEqual(Array.from(r.assignment), [-1, -1, -1, -1, 0, 0, 1, 1, 2, 2]);
  });
  it('_approximate_mode: current operation order', () => {
    assert.deepEqual(approximateMode([9, 3, 5, 3, 2, 5], 18, new RandomState(0)), [6, 2, 3, 2, 2, 3]);
  });
  it('quantile bins split a continuous target into equal-count bins', () => {
    const y = encodeColumn(
      'y',
      Array.from({ length: 100 }, (_, i) => String(i + 0.5)),
    );
    const b = quantileBins(y, 4);
    assert.deepEqual(b.counts, [25, 25, 25, 25]);
  });
});

describe('splits/numpyMath and drift statistics', () => {
  it('pairwise summation differs from a plain loop exactly where numpy does', () => {
    const a = Array.from({ length: 200 }, (_, i) => 0.1 * (i % 7) + 1e-3 * i);
    let plain = 0;
    for (const x of a) plain += x;
    // Same value to ~1e-12 but not necessarily bit-identical: the order matters.
    assert.ok(Math.abs(pairwiseSum(a, 0, a.length) - plain) < 1e-9);
    assert.equal(pairwiseSum([1, 2, 3], 0, 3), 6);
  });
  it("KS is 0 for identical samples and 1 for disjoint ones; Cramér's V is 0 for equal proportions", () => {
    assert.equal(ksStatistic(Float64Array.from([1, 2, 3]), Float64Array.from([1, 2, 3])), 0);
    assert.equal(ksStatistic(Float64Array.from([1, 2, 3]), Float64Array.from([4, 5, 6])), 1);
    assert.equal(cramersVFromCounts([50, 50], [50, 50]), 0);
    assert.ok(cramersVFromCounts([100, 0], [0, 100]) > 0.9);
  });
  it('parses ISO, slash and month-first dates; rejects impossible ones', () => {
    assert.equal(parseTimestamp('2024-01-02'), Date.UTC(2024, 0, 2));
    assert.equal(parseTimestamp('01/02/2024'), Date.UTC(2024, 0, 2));
    assert.equal(parseTimestamp('2024-01-02T03:04:05Z'), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.ok(Number.isNaN(parseTimestamp('2024-02-30')));
  });
});

describe('splits/engine: manifest and checks', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-engine-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes FOLDS.csv and a manifest with hash, counts, classes and checks', async () => {
    const rows = ['id,x,site,when,label'];
    for (let i = 0; i < 60; i++)
      rows.push(
        `${i},${(i * 7) % 13},s${i % 6},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 3 === 0 ? 'yes' : 'no'}`,
      );
    rows.push('60,1,s0,2024-01-01,yes', '61,1,s0,2024-01-01,yes'); // duplicates apart from the id
    const input = path.join(dir, 'd.csv');
    fs.writeFileSync(input, rows.join('\n') + '\n');
    const out = path.join(dir, 'folds.csv');
    const { manifest } = await createSplit({
      input,
      out,
      strategy: 'stratified-kfold',
      target: 'label',
      folds: 3,
      shuffle: true,
      seed: 7,
    });
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'fold');
    assert.equal(lines.length, 63);
    assert.equal(manifest.input.rows, 62);
    assert.match(manifest.input.sha256, /^[0-9a-f]{64}$/);
    assert.equal(manifest.sklearn, '1.9.1');
    assert.equal(manifest.parameters.seed, 7);
    assert.equal(
      manifest.folds.reduce((s, f) => s + f.valid, 0),
      62,
    );
    assert.equal(manifest.folds[0].classes!.valid.yes + manifest.folds[0].classes!.valid.no, manifest.folds[0].valid);
    const ids = manifest.checks.map((c) => c.id);
    assert.deepEqual(ids, ['duplicates', 'group-overlap', 'time-overlap', 'labels', 'drift', 'suggestion']);
    assert.equal(manifest.checks.find((c) => c.id === 'labels')!.status, 'pass');
    assert.equal(manifest.suggestion.strategy, 'time-series');
    assert.equal(manifest.suggestion.options.time, 'when');
    assert.ok(manifest.suggestion.groupColumns.includes('site'));
    assert.match(manifest.python, /StratifiedKFold\(n_splits=3, shuffle=True, random_state=7\)/);
  });

  it("measures drift per fold as KS on numbers and bias-corrected Cramér's V on categories, worst fold reported", async () => {
    // Unshuffled k-fold on ordered data: x rises with the row, cat changes halfway, noise does not drift.
    let seed = 3;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const n = 300;
    const rows = ['x,cat,noise'];
    const x: number[] = [];
    const cat: string[] = [];
    const noise: number[] = [];
    for (let i = 0; i < n; i++) {
      x.push(i + Math.floor(rnd() * 40));
      cat.push(i < 150 ? (rnd() < 0.8 ? 'a' : 'b') : rnd() < 0.8 ? 'b' : 'a');
      noise.push(Math.round(rnd() * 1000) / 10);
      rows.push(`${x[i]},${cat[i]},${noise[i]}`);
    }
    const input = path.join(dir, 'drift.csv');
    fs.writeFileSync(input, rows.join('\n') + '\n');
    const { manifest } = await createSplit({
      input,
      out: path.join(dir, 'drift-folds.csv'),
      strategy: 'kfold',
      folds: 3,
    });
    const fold = fs.readFileSync(path.join(dir, 'drift-folds.csv'), 'utf8').trim().split('\n').slice(1).map(Number);
    // Independently: every row is in the sample (300 rows), each fold's train = other folds, valid = this fold.
    const worst = (col: number[]) =>
      Math.max(
        ...[0, 1, 2].map((f) =>
          ksStatistic(
            Float64Array.from(col.filter((_, i) => fold[i] !== f)),
            Float64Array.from(col.filter((_, i) => fold[i] === f)),
          ),
        ),
      );
    const cramers = Math.max(
      ...[0, 1, 2].map((f) => {
        const count = (side: boolean) =>
          ['a', 'b'].map((v) => cat.filter((c, i) => (fold[i] === f) === side && c === v).length);
        return cramersVFromCounts(count(false), count(true), true);
      }),
    );
    const drift = manifest.checks.find((c) => c.id === 'drift')!;
    const byColumn = Object.fromEntries(drift.columns!.map((c) => [c.column, c]));
    assert.equal(byColumn.x.method, 'ks');
    assert.ok(Math.abs(byColumn.x.value - worst(x)) < 1e-12, `x: ${byColumn.x.value} vs ${worst(x)}`);
    assert.ok(Math.abs(byColumn.noise.value - worst(noise)) < 1e-12, `noise: ${byColumn.noise.value}`);
    assert.equal(byColumn.cat.method, 'cramers-v');
    assert.ok(Math.abs(byColumn.cat.value - cramers) < 1e-12, `cat: ${byColumn.cat.value} vs ${cramers}`);
    assert.equal(drift.status, 'warn');
    assert.equal(byColumn.x.status, 'warn');
    assert.equal(byColumn.noise.status, 'pass');
  });

  it('flags groups on both sides and time overlap for a shuffled holdout', async () => {
    const rows = ['user,when,v'];
    for (let i = 0; i < 200; i++) rows.push(`u${i % 10},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i}`);
    const input = path.join(dir, 'g.csv');
    fs.writeFileSync(input, rows.join('\n') + '\n');
    const { manifest } = await createSplit({
      input,
      out: path.join(dir, 'g-folds.csv'),
      strategy: 'holdout',
      group: 'user',
      time: 'when',
    });
    const byId = Object.fromEntries(manifest.checks.map((c) => [c.id, c]));
    assert.equal(byId['group-overlap'].status, 'warn');
    assert.equal(byId['time-overlap'].status, 'warn');
    const grouped = await createSplit({
      input,
      out: path.join(dir, 'g2.csv'),
      strategy: 'group-kfold',
      group: 'user',
      folds: 5,
    });
    assert.equal(grouped.manifest.checks.find((c) => c.id === 'group-overlap')!.value, 0);
  });

  it('a continuous target: refused by stratified-kfold, split on quantile bins with --bins, classes listed per bin', async () => {
    const input = path.join(dir, 'reg.csv');
    fs.writeFileSync(
      input,
      'x,price\n' + Array.from({ length: 200 }, (_, i) => `${i % 17},${(i * 3.7) % 101}`).join('\n') + '\n',
    );
    await assert.rejects(
      createSplit({ input, out: path.join(dir, 'reg1.csv'), strategy: 'stratified-kfold', target: 'price' }),
      /Supported target types are: \('binary', 'multiclass'\). Got 'continuous' instead/,
    );
    const { manifest } = await createSplit({
      input,
      out: path.join(dir, 'reg2.csv'),
      strategy: 'stratified-kfold',
      target: 'price',
      bins: 4,
    });
    assert.deepEqual(Object.keys(manifest.folds[0].classes!.valid), ['0', '1', '2', '3']);
    for (const f of manifest.folds) for (const b of ['0', '1', '2', '3']) assert.equal(f.classes!.valid[b], 10);
    const plain = await createSplit({ input, out: path.join(dir, 'reg3.csv'), strategy: 'kfold', target: 'price' });
    assert.equal(plain.manifest.folds[0].classes, undefined, 'no per-class listing for a continuous column');
    assert.match(plain.manifest.suggestion.notes.join(' '), /continuous: stratify on 5 quantile bins/);
  });

  it('cancelling half-way through a multi-chunk file leaves nothing behind', async () => {
    const input = path.join(dir, 'half.csv');
    const body = Array.from({ length: 300000 }, (_, i) => `${i},${i % 5},text ${i % 97}`).join('\n');
    fs.writeFileSync(input, 'id,label,t\n' + body + '\n');
    const out = path.join(dir, 'half-folds.csv');
    const source = new CancellationSource();
    let progressCalls = 0;
    await assert.rejects(
      createSplit(
        { input, out, strategy: 'stratified-kfold', target: 'label' },
        {
          cancellation: source.token,
          onProgress: () => {
            if (++progressCalls === 1) source.cancel();
          },
        },
      ),
      /cancelled/,
    );
    assert.equal(progressCalls, 1, 'stopped at the next chunk');
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('half-folds') || f.includes('.tmp')),
      [],
    );
  });

  it('a cancelled split leaves nothing behind', async () => {
    const input = path.join(dir, 'c.csv');
    fs.writeFileSync(input, 'a\n' + Array.from({ length: 1000 }, (_, i) => String(i)).join('\n'));
    const out = path.join(dir, 'c-folds.csv');
    await assert.rejects(createSplit({ input, out, strategy: 'kfold' }, { cancellation: cancelled() }), /cancelled/);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('c-folds') || f.includes('.tmp')),
      [],
    );
  });
});
