import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  accuracy,
  balancedAccuracy,
  binaryRocAuc,
  sortScores,
  classRocAuc,
  ClassificationAccumulator,
  classificationMetrics,
  constantPredictionMetrics,
  f1Macro,
  logLoss,
  majorityBaseline,
  regressionMetrics,
  rocAuc,
} from '../../../src/inference/metrics';
import { peer } from '../peers';

const fixtures = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'inference');

interface Case {
  task: 'classification' | 'regression';
  n_classes?: number;
  y_true: number[];
  y_pred: number[];
  proba?: number[][];
  sklearn: Record<string, number>;
}

function ours(c: Case): Record<string, number | null> {
  if (c.task === 'regression') return { ...regressionMetrics(c.y_true, c.y_pred) };
  return { ...classificationMetrics(c.y_true, c.y_pred, c.proba!.flat(), c.n_classes!) };
}

function compare(cases: Case[]): void {
  for (const [i, c] of cases.entries()) {
    const got = ours(c);
    for (const [k, v] of Object.entries(c.sklearn)) {
      assert.ok(Math.abs((got[k] as number) - v) < 1e-9, `case ${i} ${k}: ours ${got[k]} vs scikit-learn ${v}`);
    }
  }
}

describe('inference/metrics', () => {
  it('match hand-computed values', () => {
    const yt = [0, 0, 1, 1];
    const yp = [0, 1, 1, 1];
    assert.equal(accuracy(yt, yp), 0.75);
    assert.equal(balancedAccuracy(yt, yp, 2), 0.75);
    assert.ok(Math.abs(f1Macro(yt, yp, 2) - (2 / 3 + 0.8) / 2) < 1e-12);
    assert.equal(binaryRocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), 0.75);
    assert.equal(binaryRocAuc([false, true], [0.5, 0.5]), 0.5);
    assert.equal(binaryRocAuc([true, true], [0.1, 0.2]), null);
    assert.ok(Math.abs(logLoss([0, 1], [0.9, 0.1, 0.2, 0.8], 2) - -(Math.log(0.9) + Math.log(0.8)) / 2) < 1e-12);
    // one-vs-rest macro with a class missing from y_true is undefined
    assert.equal(rocAuc([0, 1, 1], [0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1], 3), null);
    const r = regressionMetrics([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
    assert.ok(Math.abs(r.rmse - Math.sqrt(0.375)) < 1e-12);
    assert.equal(r.mae, 0.5);
    assert.ok(Math.abs(r.r2 - 0.9486081370449679) < 1e-12);
    assert.deepEqual(regressionMetrics([2, 2], [2, 2]).r2, 1);
    assert.deepEqual(majorityBaseline([2, 1, 2, 0], 3), { label: 2, proba: [0.25, 0.25, 0.5] });
  });

  it('ROC AUC of float32 scores, sorted as float32, equals the same values as float64, ties included', () => {
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const n = 5000;
    const y = Int32Array.from({ length: n }, () => Math.floor(rnd() * 3));
    // Coarse values make many ties, within a class and across classes.
    const s32 = Float32Array.from({ length: n }, (_, i) => Math.round((0.3 * y[i] + rnd()) * 50) / 50);
    const s64 = Float64Array.from(s32);
    for (const k of [0, 1, 2]) {
      const a = classRocAuc(y, k, s32);
      assert.ok(a !== null && a > 0 && a < 1, `class ${k}: ${a}`);
      assert.equal(a, classRocAuc(y, k, s64));
      assert.equal(
        a,
        binaryRocAuc(
          Array.from(y, (v) => v === k),
          Array.from(s64),
        ),
      );
    }
  });

  it('radix-sorts float32 scores into the order TypedArray#sort gives (negatives, -0, ties, subnormals, ±Infinity)', () => {
    let seed = 11;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const special = [0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, 0.5, -0.5];
    for (const n of [1024, 5000, 70_000]) {
      const a = Float32Array.from({ length: n }, (_, i) =>
        i % 7 === 0 ? special[i % special.length] : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4),
      );
      const want = a.slice().sort();
      const got = a.slice();
      sortScores(got);
      // -0 and 0 are the same score; everything else must match bit for bit.
      assert.deepEqual(
        Array.from(got, (v) => v + 0),
        Array.from(want, (v) => v + 0),
        `n=${n}`,
      );
      assert.ok(got.some((v) => v < 0) && got.some((v) => v > 0));
    }
    // NaN goes last, as the comparison sort puts it.
    const withNaN = Float32Array.from({ length: 2000 }, (_, i) => (i === 5 ? NaN : 1999 - i));
    sortScores(withNaN);
    assert.ok(Number.isNaN(withNaN[1999]) && withNaN[0] === 0 && withNaN[1998] === 1999, String(withNaN.slice(0, 3)));
  });

  it('of a constant prediction, from class counts alone, equal what the row-by-row accumulator gives', () => {
    const cases: { counts: number[]; label: number; proba: number[] }[] = [
      { counts: [30, 12, 7], label: 0, proba: [0.6, 0.25, 0.15] },
      { counts: [5, 9], label: 1, proba: [0.4, 0.6] },
      { counts: [5, 0], label: 0, proba: [1, 0] },
      { counts: [0, 8], label: 0, proba: [0.7, 0.3] },
      { counts: [4, 0, 6], label: 1, proba: [0.3, 0.5, 0.2] },
      { counts: [11], label: 0, proba: [1] },
      { counts: [3, 2, 1, 0, 6], label: 3, proba: [0, 0.2, 0.2, 0.5, 0.1] },
    ];
    for (const { counts, label, proba } of cases) {
      const acc = new ClassificationAccumulator(counts.length);
      const y = counts.flatMap((n, k) => new Array<number>(n).fill(k));
      acc.add(
        y,
        new Array<number>(y.length).fill(label),
        y.flatMap(() => proba),
      );
      const want = acc.result();
      const got = constantPredictionMetrics(counts, label, proba);
      const what = JSON.stringify({ counts, label });
      assert.equal(got.accuracy, want.accuracy, what);
      assert.equal(got.balancedAccuracy, want.balancedAccuracy, what);
      assert.equal(got.f1Macro, want.f1Macro, what);
      assert.equal(got.rocAuc, want.rocAuc, what);
      assert.ok(Math.abs(got.logLoss! - want.logLoss!) <= 1e-12 * Math.max(1, want.logLoss!), what);
    }
  });

  it('match scikit-learn 1.9.1 on the committed oracle cases', () => {
    const oracle = JSON.parse(fs.readFileSync(path.join(fixtures, 'metric-cases.json'), 'utf8')) as { cases: Case[] };
    assert.equal(oracle.cases.length, 5);
    compare(oracle.cases);
  });

  it('match scikit-learn computed live on fresh cases (python3 + scikit-learn)', function () {
    this.timeout(60_000);
    // Fresh random cases, so the live comparison checks more than the oracle file.
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const cases = [2, 3, 5].map((k) => {
      const n = 30 + k * 7;
      const y = Array.from({ length: n }, () => Math.floor(rand() * k));
      const proba = y.map((t) => {
        const raw = Array.from({ length: k }, (_, j) => rand() + (j === t ? 0.8 : 0));
        const s = raw.reduce((a, b) => a + b, 0);
        return raw.map((v) => v / s);
      });
      return {
        task: 'classification',
        n_classes: k,
        y_true: y,
        proba,
        y_pred: proba.map((p) => p.indexOf(Math.max(...p))),
      };
    });
    cases.push({
      task: 'regression',
      y_true: [1, 2, 3, 4.5, -2],
      y_pred: [1.1, 1.7, 3.3, 4, -1],
      n_classes: 0,
      proba: [],
    } as never);
    const py = spawnSync('python3', [peer('sklearn_metrics.py')], {
      input: JSON.stringify({ cases }),
      encoding: 'utf8',
      timeout: 50_000,
    });
    if (py.status !== 0 && /No module named 'sklearn'|ENOENT/.test(`${py.stderr}${py.error?.message ?? ''}`)) {
      // No scikit-learn on this machine: the oracle test above still checks the same code paths.
      assert.ok(fs.existsSync(path.join(fixtures, 'metric-cases.json')));
      return;
    }
    assert.equal(py.status, 0, py.stderr);
    const live = JSON.parse(py.stdout) as { cases: Case[] };
    assert.equal(live.cases.length, 4);
    compare(live.cases);
  });
});
