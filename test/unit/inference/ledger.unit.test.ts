import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  appendExperiment,
  ledgerPath,
  readLedger,
  summarizeLedger,
  type ExperimentRecord,
} from '../../../src/inference/ledger';
import { tempDir } from './helpers';

function evalRecord(acc: number, model: string, manifestHash = 'aaaa1111'): ExperimentRecord {
  return {
    v: 1,
    kind: 'eval',
    time: `2026-01-0${Math.round(acc * 9)}T00:00:00Z`,
    model: { path: model, sha256: 'x' },
    target: 'y',
    task: 'classification',
    split: { path: 'FOLDS.csv', fold: 0, manifestHash, train: 8, valid: 2 },
    metrics: { accuracy: acc },
    baseline: { accuracy: 0.5 },
    provider: 'cpu',
    git: { head: '0123456789', dirty: true },
    flowbench: '0.1.0',
  };
}

describe('inference/ledger', () => {
  it('summarises change since the previous comparable run and best so far', () => {
    const s = summarizeLedger([
      evalRecord(0.7, 'a.onnx'),
      evalRecord(0.8, 'b.onnx'),
      evalRecord(0.75, 'c.onnx'),
      evalRecord(0.6, 'other-split.onnx', 'bbbb2222'),
      { ...evalRecord(0, 'r.onnx'), task: 'regression', metrics: { rmse: 2 }, baseline: { rmse: 3 } },
      { ...evalRecord(0, 'r2.onnx'), task: 'regression', metrics: { rmse: 1.5 }, baseline: { rmse: 3 } },
    ]);
    const r = s.rows;
    assert.deepEqual(
      r.map((x) => (x.change === null ? null : Number(x.change.toFixed(6)))),
      [null, 0.1, -0.05, null, null, -0.5],
    );
    assert.deepEqual(
      r.map((x) => x.isBest),
      [true, true, false, true, true, true],
    );
    assert.deepEqual(
      r.map((x) => x.bestSoFar),
      [0.7, 0.8, 0.8, 0.6, 2, 1.5],
    );
    assert.equal(r[0].git, '0123456+dirty');
    assert.equal(r[4].metric, 'rmse');
    assert.equal(r[4].higherIsBetter, false);
    assert.equal(s.best.length, 3);
    assert.equal(s.best.find((b) => b.value === 0.8)?.model, 'b.onnx');
  });

  it('bench runs compare by provider and batch, lower latency is better', () => {
    const bench = (p50: number, provider: string): ExperimentRecord => ({
      v: 1,
      kind: 'bench',
      time: 't',
      model: { path: 'm', sha256: 'x' },
      provider,
      latency: { p50Ms: p50, batch: 1 },
      git: null,
      flowbench: '0',
    });
    const s = summarizeLedger([bench(2, 'cpu'), bench(1, 'cuda'), bench(1.5, 'cpu')]);
    assert.deepEqual(
      s.rows.map((x) => x.isBest),
      [true, true, true],
    );
    assert.equal(s.rows[2].change, -0.5);
  });

  it('profile runs compare like bench (lower run ms is better); loader timings per script and loader name', () => {
    const base = { v: 1 as const, time: 't', provider: 'cpu', git: null, flowbench: '0' };
    const profile = (ms: number): ExperimentRecord => ({
      ...base,
      kind: 'profile',
      model: { path: 'm.onnx', sha256: 'x' },
      latency: { p50Ms: ms, batch: 1 },
    });
    const loader = (name: string, perSec: number): ExperimentRecord => ({
      ...base,
      kind: 'loader',
      model: { path: 'train.py', sha256: 'y' },
      metrics: { batchesPerSec: perSec },
      loader: { name, cell: 2, workers: 0, swept: null },
    });
    const s = summarizeLedger([profile(2), profile(1.5), loader('train', 30), loader('val', 10), loader('train', 60)]);
    assert.deepEqual(
      s.rows.map((r) => [r.kind, r.metric, r.model, r.change, r.isBest]),
      [
        ['profile', 'run ms', 'm.onnx', null, true],
        ['profile', 'run ms', 'm.onnx', -0.5, true],
        ['loader', 'batches/s', 'train.py train', null, true],
        ['loader', 'batches/s', 'train.py val', null, true],
        ['loader', 'batches/s', 'train.py train', 30, true],
      ],
    );
  });

  it('appends crash-safe JSON lines with git state (null outside a repository)', async () => {
    const dir = tempDir();
    try {
      const rec = evalRecord(0.9, 'm.onnx');
      const { v: _v, git: _g, ...rest } = rec;
      await appendExperiment(dir, rest, dir);
      fs.appendFileSync(ledgerPath(dir), '{"torn":');
      await appendExperiment(dir, rest, dir);
      const { records, skipped } = await readLedger(dir);
      assert.equal(records.length, 2);
      assert.equal(skipped.length, 1);
      assert.equal(records[0].git, null);
      assert.equal(records[1].metrics?.accuracy, 0.9);
      const { v: _v2, git: _g2, ...inside } = { ...evalRecord(0.5, path.join(dir, 'models', 'm.onnx')) };
      const stored = await appendExperiment(
        dir,
        { ...inside, split: { ...inside.split!, path: '/elsewhere/FOLDS.csv' } },
        dir,
      );
      assert.equal(stored.model.path, 'models/m.onnx');
      assert.equal(stored.split!.path, '/elsewhere/FOLDS.csv');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
