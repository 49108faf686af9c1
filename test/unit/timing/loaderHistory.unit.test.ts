import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { LoaderResult, LoaderRun } from '../../../src/timing/loader';
import {
  downsample,
  formatPerSec,
  loaderLensText,
  loaderRecord,
  summarizeLoader,
  type LoaderRecord,
} from '../../../src/timing/loaderHistory';
import { loaderHtml, sweepBars } from '../../../src/timing/loaderHtml';
import { formatLoader } from '../../../src/timing/loaderFormat';
import { assertNoInlineCode, fakeAssets } from '../util/pages';

const ROOT = path.resolve('/project');

function run(workers: number, perSec: number, first: number, n = 300): LoaderRun {
  const per = 1 / perSec;
  return {
    workers,
    recreated: true,
    firstBatchSeconds: first,
    firstBatchSize: 16,
    batches: n,
    samples: n * 16,
    exhausted: false,
    stoppedBy: 'batches',
    totalSeconds: first + (n - 1) * per,
    perBatch: { min: per / 2, p50: per, p90: per * 1.5, max: per * 3, mean: per },
    batchesPerSec: perSec,
    samplesPerSec: perSec * 16,
    series: Array.from({ length: n - 1 }, (_, i) => per * (1 + (i % 3) / 10)),
    seriesBucket: 1,
  };
}

function result(runs: LoaderRun[], fastest: number | null): LoaderResult {
  return {
    file: path.join(ROOT, 'src', 'train.py'),
    cell: 2,
    cellLine: 10,
    hash: 'abcd',
    codeSha256: 'f'.repeat(64),
    title: 'Data',
    label: 'cell 2',
    name: 'train_loader',
    nameFrom: 'assignment',
    target: {
      type: 'torch.utils.data.dataloader.DataLoader',
      isDataLoader: true,
      numWorkers: 0,
      batchSize: 16,
      datasetType: '__main__.Sleepy',
      datasetLength: 3200,
      length: 200,
    },
    runs,
    fastest,
    carried: ['dataset', 'batch_size', 'sampler (RandomSampler)'],
    toDevice: null,
    batches: 300,
    timeBudgetSeconds: 0,
    setup: 'above',
    setupCells: [0, 1],
    setupSeconds: 1.2,
    cellSeconds: 0.01,
    torchVersion: '2.13.0+cpu',
    interpreter: {
      path: 'python3',
      source: 'PATH',
      executable: '/usr/bin/python3',
      version: '3.11.7',
      implementation: 'cpython',
    },
    wallMs: 5000,
    output: '',
  };
}

describe('loader history and page', () => {
  const sweep = result([run(0, 30.5, 0.034), run(2, 61.2, 0.12), run(4, 58, 0.2)], 1);

  it('makes one history line: portable path, no top-level mean, the series cut to 120 points', () => {
    const rec = loaderRecord(ROOT, sweep, { head: '0123456789', dirty: false }, new Date('2026-01-02T03:04:05Z'));
    assert.equal(rec.kind, 'loader');
    assert.equal(rec.file, 'src/train.py');
    assert.equal((rec as unknown as { mean?: number }).mean, undefined);
    assert.equal(rec.runs[0].series.length, 100, '299 points in buckets of 3');
    assert.equal(rec.runs[0].seriesBucket, 3);
    assert.equal(rec.time, '2026-01-02T03:04:05.000Z');
    const d = downsample([1, 2, 3, 4, 5], 2, 2);
    assert.deepEqual(d, { series: [2, 4.5], bucket: 6 });
  });

  it('the lens shows the fastest run of a sweep with its num_workers, and the first batch', () => {
    const rec = loaderRecord(ROOT, sweep, null);
    assert.equal(loaderLensText(rec), '$(watch) 61.2 batches/s (2 workers) · first 120 ms');
    const single = loaderRecord(ROOT, result([run(0, 812.3, 0.12)], 0), null);
    assert.equal(loaderLensText(single), '$(watch) 812 batches/s · first 120 ms');
    assert.deepEqual([0.5, 999.6, 1234, 4.79e6].map(formatPerSec), ['0.5', '1k', '1.23k', '4.79M']);
  });

  it('summarises the last timing of a loader by file and name, stale when its code changed', () => {
    const older: LoaderRecord = {
      ...loaderRecord(ROOT, result([run(0, 20, 0.04)], 0), null),
      time: '2026-01-01T00:00:00Z',
    };
    const newer: LoaderRecord = { ...loaderRecord(ROOT, sweep, null), time: '2026-01-02T00:00:00Z' };
    const other: LoaderRecord = { ...newer, name: 'val_loader', time: '2026-01-03T00:00:00Z' };
    const s = summarizeLoader([newer, other, older], { file: 'src/train.py', name: 'train_loader', hash: 'abcd' })!;
    assert.equal(s.last, newer);
    assert.equal(s.previous, older);
    assert.equal(s.stale, false);
    assert.match(s.tooltip, /num_workers: 0 → 30\.5 batches\/s, 2 → 61\.2 batches\/s, 4 → 58 batches\/s/);
    assert.match(s.tooltip, /previous: 20 batches\/s · first 40 ms/);
    const edited = summarizeLoader([newer], { file: 'src/train.py', name: 'train_loader', hash: 'other' })!;
    assert.equal(edited.stale, true);
    assert.match(edited.lensText, / \(before edit\)$/);
    assert.equal(summarizeLoader([newer], { file: 'src/other.py', name: 'train_loader' }), undefined);
  });

  it('the page: CSP without scripts or remote resources, bars scaled to the fastest, a chart per pass', () => {
    const rec = loaderRecord(ROOT, sweep, null);
    const assets = fakeAssets('loaderTiming');
    const html = loaderHtml(rec, { assets, again: 'command:x?%5B%5D' }, sweep.carried);
    assertNoInlineCode(html, assets);
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src fake-webview:;">/,
    );
    assert.doesNotMatch(html, /<script|https?:\/\/|src="/);
    assert.equal((html.match(/<svg class="chart"/g) ?? []).length, 3);
    const bars = sweepBars(rec.runs, rec.fastest);
    assert.deepEqual(
      [...bars.matchAll(/<svg class="bar[^"]*" width="([\d.]+)%"/g)].map((m) => Number(m[1])),
      [49.8, 100, 94.8],
    );
    assert.match(bars, /class="bar best"/);
    assert.match(html, /Carried over to each re-created DataLoader/);
    assert.match(html, /<div class="scroll"><table>/);
    // Text from the script is escaped.
    const hostile = loaderRecord(ROOT, { ...sweep, name: '<img src=x>' }, null);
    assert.doesNotMatch(loaderHtml(hostile, { assets }), /<img/);
  });

  it('the CLI text names the fastest num_workers and its speed-up over the slowest', () => {
    const text = formatLoader(sweep);
    assert.match(
      text,
      /^train_loader \(torch DataLoader, batch_size 16, num_workers 0, 200 batches per epoch\) from cell 2/,
    );
    assert.match(text, /\nfastest: num_workers=2 \(61\.2 batches\/s, 2\.01× num_workers=0\)\n$/);
  });
});
