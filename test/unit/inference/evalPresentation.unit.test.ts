import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseModel } from '../../../src/inference/onnxModel';
import { classifierModel } from '../../../src/inference/onnxBuilder';
import { evalSplitChoices, likelyTarget, trainOverlapWarning, trainSplitOf } from '../../../src/inference/evalChoices';
import { withClassNames } from '../../../src/inference/predictions';
import { formatEval, formatFlopRate, metricLabel, overfitNote } from '../../../src/inference/format';
import { benchBody, evalBody, latencyChartSvg } from '../../../src/inference/html';
import type { EvalReport } from '../../../src/inference/evaluate';
import type { BenchReport } from '../../../src/inference/bench';
import type { SplitFileInfo } from '../../../src/splits/api';
import { tempDir } from './helpers';

const DEMO = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'demo');

function split(name: string, over: Partial<SplitFileInfo> = {}): SplitFileInfo {
  return {
    file: `/w/data/${name}`,
    manifest: `/w/data/${name}.json`,
    data: '/w/data/flowers.csv',
    target: 'species',
    strategy: 'holdout',
    createdAt: '2026-12-01T10:00:00.000Z',
    column: 'split',
    folds: 1,
    train: 120,
    valid: 30,
    ...over,
  };
}

function report(over: Partial<EvalReport> = {}): EvalReport {
  return {
    task: 'classification',
    model: { path: '/w/models/m.onnx', sha256: 'x' },
    data: { path: '/w/data/flowers.csv', sha256: 'y', rows: 150 },
    split: { path: '/w/data/s.folds.csv', fold: null, manifestHash: 'h', train: 120, valid: 30 },
    target: 'species',
    featureColumns: ['a', 'b'],
    mode: 'matrix',
    session: { provider: 'cpu', requested: ['cpu'], failures: [], runtimeVersion: '1', createMs: 1 },
    inferenceMs: 1,
    classes: { names: ['x', 'y'], source: 'model metadata' },
    metrics: { accuracy: 0.9333, balancedAccuracy: 0.93, logLoss: 0.08, rocAuc: 1, f1Macro: 0.93 },
    train: {
      rows: 120,
      sampled: false,
      metrics: { accuracy: 1, balancedAccuracy: 1, logLoss: 0.03, rocAuc: 1, f1Macro: 1 },
    },
    baseline: { accuracy: 0.3333, balancedAccuracy: 0.3333, logLoss: 1.0986, rocAuc: 0.5, f1Macro: 0.1667 },
    baselineKind: "majority class 'x'",
    warnings: [],
    ...over,
  } as EvalReport;
}

describe('inference: what Evaluate offers and how its results read', () => {
  it('offers the split the model was trained on first, and warns on the others', () => {
    const model = { metadata: { 'flowbench.trainSplit': '../data/own.folds.csv' } };
    const trainedOn = trainSplitOf(model, '/w/models/m.onnx');
    assert.equal(trainedOn, path.resolve('/w/data/own.folds.csv'));
    assert.equal(trainSplitOf({ metadata: {} }, '/w/m.onnx'), undefined);
    const choices = evalSplitChoices(
      [
        split('newest.folds.csv', { strategy: 'time-series', column: 'fold', folds: 5, valid: 25 }),
        split('own.folds.csv'),
      ],
      { trainedOn, modelName: 'm.onnx', root: '/w' },
    );
    assert.deepEqual(
      choices.map((c) => [c.label, c.trainedOn]),
      [
        ['own.folds.csv', true],
        ['newest.folds.csv', false],
      ],
    );
    assert.match(choices[0].detail!, /trained on its train rows: its validation rows are unseen/);
    assert.match(choices[1].detail!, /some of these validation rows may have been seen in training/);
    assert.match(choices[1].description, /time-series · 5 folds \(fold 0: 25 valid rows\)/);
    // Without a model's own split, newest first as found, described by data and target.
    const plain = evalSplitChoices([split('a.folds.csv'), split('b.folds.csv')], { modelName: 'm', root: '/w' });
    assert.deepEqual(
      plain.map((c) => c.label),
      ['a.folds.csv', 'b.folds.csv'],
    );
    assert.equal(plain[0].detail, 'data/flowers.csv, target species');
  });

  it('offers the label column first as the target', () => {
    assert.equal(likelyTarget(['sepal_length', 'species', 'site']), 'species');
    assert.equal(likelyTarget(['a', 'b', 'price']), 'price');
    assert.equal(likelyTarget(['a', 'label'], 'a'), 'a');
  });

  it('counts the validation rows a model was trained on when it is evaluated on another split', async () => {
    const dir = tempDir();
    try {
      const own = path.join(dir, 'own.folds.csv');
      const other = path.join(dir, 'other.folds.csv');
      fs.writeFileSync(own, 'split\ntrain\ntrain\nvalid\ntrain\n');
      fs.writeFileSync(other, 'fold\n0\n1\n0\n1\n');
      const w = await trainOverlapWarning(own, other, 0, 'm.onnx');
      assert.match(w!, /^1 of the 2 validation rows are train rows of own\.folds\.csv, which m\.onnx was trained on/);
      fs.writeFileSync(other, 'split\ntrain\ntrain\nvalid\ntrain\n');
      assert.equal(await trainOverlapWarning(own, other, undefined, 'm.onnx'), undefined, 'the same validation rows');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Run shows the class names the model carries, not label indices', () => {
    const info = parseModel(fs.readFileSync(path.join(DEMO, 'models', 'baseline.onnx')));
    const table = {
      columns: ['label', 'probabilities_0', 'probabilities_1', 'probabilities_2'],
      rows: 2,
      values: [
        [2, 0],
        [0.1, 0.8],
        [0.2, 0.1],
        [0.7, 0.1],
      ],
    };
    const named = withClassNames(table, info);
    assert.deepEqual(named.values[0], ['virginica', 'setosa']);
    assert.deepEqual(named.columns, [
      'label',
      'probabilities (setosa)',
      'probabilities (versicolor)',
      'probabilities (virginica)',
    ]);
    // A model without class names keeps its table.
    const bare = parseModel(
      classifierModel(
        [[1], [2]].map((r) => [...r, 0]),
        [0, 0],
      ),
    );
    assert.deepEqual(withClassNames(table, bare).values[0], [2, 0]);
  });

  it('names metrics in words, says which way is better, and shows train beside validation', () => {
    assert.equal(metricLabel('balancedAccuracy'), 'balanced accuracy');
    assert.equal(metricLabel('logLoss'), 'log loss (lower is better)');
    assert.equal(metricLabel('f1Macro'), 'macro F1');
    assert.equal(metricLabel('rmse'), 'RMSE (lower is better)');
    const text = formatEval(report());
    assert.match(text, /metric\s+validation\s+train\s+baseline\s+vs baseline/);
    assert.match(text, /balanced accuracy\s+0\.9300\s+1\.0000\s+0\.3333\s+\+0\.5967/);
    assert.match(text, /log loss \(lower is better\)\s+0\.0800\s+0\.0300\s+1\.0986\s+\u22121\.0186/);
    const html = evalBody(report(), '/w');
    assert.match(html, /<th>metric<\/th><th>validation<\/th><th>train<\/th><th>baseline<\/th>/);
    assert.match(html, /data\/flowers\.csv/);
    assert.doesNotMatch(html, /\/w\/data/, 'paths relative to the workspace');
    assert.match(html, /<div class="scroll"><table class="metrics">/);
  });

  it('calls overfitting only beyond the noise of the validation set', () => {
    // 28 of 30 right against every train row: within two standard errors on 30 rows.
    assert.equal(overfitNote(report()), undefined);
    const big = report({
      split: { path: 's', fold: null, manifestHash: 'h', train: 8000, valid: 2000 },
      metrics: { accuracy: 0.9 },
      train: { rows: 8000, sampled: false, metrics: { accuracy: 0.99 } },
    });
    assert.match(overfitNote(big)!, /train accuracy 0\.9900 against 0\.9000 on validation/);
  });

  it('Benchmark: FLOP/s with a prefix (no 0.000) and a latency chart an outlier does not squash', () => {
    assert.equal(formatFlopRate(24 * 30_000 * 1e-9), '720 kFLOP/s');
    assert.equal(formatFlopRate(12.3), '12.3 GFLOP/s');
    assert.equal(formatFlopRate(null), '—');
    const ok = {
      provider: 'cpu',
      ok: true as const,
      createMs: 1,
      firstRunMs: 1,
      warmupRuns: 5,
      runs: 100,
      wallMs: 10,
      latencyMs: { min: 0.02, p50: 0.026, p90: 0.05, p99: 0.8, max: 11, mean: 0.1 },
      inferencesPerSec: 30000,
      rowsPerSec: 30000,
      gflopsPerSec: 24 * 30000 * 1e-9,
      rssBeforeBytes: 1,
      peakRssBytes: 1,
    };
    const svg = latencyChartSvg([ok]);
    assert.match(svg, /viewBox="0 0 \d+ \d+" width="100%"/);
    assert.match(svg, />max 11\.00 →</, 'the outlier is named, off the axis');
    const ticks = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([\d.]+)<\/text>/g)].map(
      (m) => m[1],
    );
    assert.ok(Number(ticks[ticks.length - 1]) < 2, `the axis ends near p99, not at the max: ${ticks.join(', ')}`);
    const bench: BenchReport = {
      model: { path: '/w/models/m.onnx', sha256: 's' },
      batch: 1,
      flopsPerRun: 24,
      runtimeVersion: '1',
      results: [ok],
    };
    const page = benchBody(bench, '/w');
    assert.match(page, /compute at p50<\/td><td>720 kFLOP\/s/);
    assert.doesNotMatch(page, /0\.000</);
  });
});
