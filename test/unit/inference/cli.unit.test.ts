import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { neverCancelled } from '../../../src/util/errors';
import type { CliIo } from '../../../src/util/cli';
import { classifierModel, linearRegressorModel } from '../../../src/inference/onnxBuilder';
import { tempDir, writeFile, ref } from './helpers';

const demo = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'demo');

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    cwd,
    cancellation: neverCancelled,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('inference/cli: inspect, infer, eval, bench, experiments', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir();
    // Rows alternate between two classes; x1 decides the class, so a model of it is perfect.
    const rows = ['x1,x2,kind,y,z'];
    for (let i = 0; i < 20; i++)
      rows.push(
        `${i % 2 === 0 ? -1 - i / 10 : 1 + i / 10},${(i * 7) % 5},k${i % 3},${i % 2 === 0 ? 'neg' : 'pos'},${(i * 0.37) % 3}`,
      );
    writeFile(dir, 'data.csv', rows.join('\n') + '\n');
    writeFile(dir, 'folds.csv', 'fold\n' + Array.from({ length: 20 }, (_, i) => i % 4).join('\n') + '\n');
    writeFile(
      dir,
      'split.csv',
      'split\n' + Array.from({ length: 20 }, (_, i) => (i < 15 ? 'train' : 'valid')).join('\n') + '\n',
    );
    writeFile(
      dir,
      'clf.onnx',
      classifierModel(
        [
          [-3, 3],
          [0, 0],
        ],
        [0, 0],
        ['neg', 'pos'],
      ),
    );
    writeFile(dir, 'reg.onnx', linearRegressorModel([2, 0.5], 1));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspect --json reports the demo model', async () => {
    const r = await cli(demo, 'inspect', 'models/baseline.onnx', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.inputs[0].shape, ['N', 4]);
    assert.deepEqual(
      j.outputs.map((o: { name: string }) => o.name),
      ['label', 'probabilities'],
    );
    assert.equal(j.parameterCount, 15);
    assert.match(j.sha256, /^[0-9a-f]{64}$/);
  });

  it('infer writes one line per row, one column per output value, with values from x·w + b', async () => {
    const r = await cli(
      dir,
      'infer',
      'reg.onnx',
      '--input',
      'data.csv',
      '--features',
      'x1,x2',
      '--ep',
      'cpu',
      '--out',
      'pred.csv',
    );
    assert.equal(r.code, 0, r.err);
    const lines = fs.readFileSync(path.join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'variable');
    assert.equal(lines.length, 21);
    const data = fs
      .readFileSync(path.join(dir, 'data.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).map(Number));
    lines
      .slice(1)
      .forEach((l, i) => assert.ok(Math.abs(Number(l) - (ref.dot(data[i], [2, 0.5]) + 1)) < 1e-4, `row ${i}`));
  });

  it('infer on a split writes only validation rows, with their row index', async () => {
    const r = await cli(
      dir,
      'infer',
      'clf.onnx',
      '--input',
      'data.csv',
      '--split',
      'folds.csv',
      '--fold',
      '1',
      '--target',
      'y',
      '--features',
      'x1,x2',
      '--ep',
      'cpu',
      '--out',
      'p2.csv',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const lines = fs.readFileSync(path.join(dir, 'p2.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'row,label,probabilities_0,probabilities_1');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      ['1', '5', '9', '13', '17'],
    );
    assert.ok(lines.slice(1).every((l) => l.split(',')[1] === '1'));
    assert.equal(JSON.parse(r.out).session.provider, 'cpu');
  });

  it('infer without --input runs random inputs of --batch rows', async () => {
    const r = await cli(dir, 'infer', 'clf.onnx', '--batch', '3', '--ep', 'cpu', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.rows, 3);
    assert.equal(j.source, 'random');
  });

  it('eval: classifier metrics beside the majority baseline, recorded in the ledger', async () => {
    const r = await cli(
      dir,
      'eval',
      'clf.onnx',
      '--data',
      'data.csv',
      '--split',
      'split.csv',
      '--target',
      'y',
      '--features',
      'x1,x2',
      '--ep',
      'cuda,cpu',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.task, 'classification');
    assert.deepEqual(j.classes.names, ['neg', 'pos']);
    assert.equal(j.metrics.accuracy, 1);
    assert.equal(j.metrics.rocAuc, 1);
    // train rows 0..14 hold 8 neg and 7 pos, so the baseline says neg; valid rows 15..19 are pos,neg,pos,neg,pos.
    assert.equal(j.baseline.accuracy, 2 / 5);
    assert.equal(j.baseline.rocAuc, 0.5);
    assert.equal(j.session.provider, j.session.failures.length ? 'cpu' : j.session.provider);
    const ledger = fs
      .readFileSync(path.join(dir, '.flowbench', 'experiments.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(ledger.at(-1).kind, 'eval');
    assert.equal(ledger.at(-1).metrics.accuracy, 1);
    assert.match(ledger.at(-1).split.manifestHash, /^[0-9a-f]{64}$/);
  });

  it('eval: regressor RMSE/MAE/R² beside the train mean', async () => {
    const r = await cli(
      dir,
      'eval',
      'reg.onnx',
      '--data',
      'data.csv',
      '--split',
      'split.csv',
      '--target',
      'z',
      '--features',
      'x1,x2',
      '--ep',
      'cpu',
      '--json',
      '--no-ledger',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.task, 'regression');
    assert.deepEqual(Object.keys(j.metrics), ['rmse', 'mae', 'r2']);
    assert.ok(j.baseline.rmse > 0);
    // The train side: the model (2·x1 + 0.5·x2 + 1) scored on the 15 train rows, computed here from the data.
    const lines = fs.readFileSync(path.join(dir, 'data.csv'), 'utf8').trim().split('\n').slice(1, 16);
    const err = lines.map((l) => {
      const [x1, x2, , , z] = l.split(',').map(Number);
      return 2 * x1 + 0.5 * x2 + 1 - z;
    });
    const rmse = Math.sqrt(err.reduce((a, e) => a + e * e, 0) / err.length);
    assert.equal(j.train.rows, 15);
    assert.equal(j.train.sampled, false);
    assert.ok(Math.abs(j.train.metrics.rmse - rmse) < 1e-5 * rmse, `train rmse ${j.train.metrics.rmse} vs ${rmse}`);
    assert.notEqual(j.train.metrics.rmse, j.metrics.rmse);
  });

  it('eval of the demo model on a fold of flowers.csv', async () => {
    writeFile(dir, 'flower-folds.csv', 'fold\n' + Array.from({ length: 150 }, (_, i) => i % 5).join('\n') + '\n');
    const r = await cli(
      demo,
      'eval',
      'models/baseline.onnx',
      '--data',
      'data/flowers.csv',
      '--split',
      path.join(dir, 'flower-folds.csv'),
      '--fold',
      '2',
      '--target',
      'species',
      '--ep',
      'cpu',
      '--no-ledger',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /accuracy\s+0\.9\d+|accuracy\s+1\.0000/);
    assert.match(r.out, /majority class/);
  });

  it('bench reports latency percentiles per provider and why cuda did not run', async () => {
    const r = await cli(
      dir,
      'bench',
      'clf.onnx',
      '--ep',
      'cuda,cpu',
      '--runs',
      '20',
      '--warmup',
      '2',
      '--batch',
      '4',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const cpu = j.results.find((x: { provider: string }) => x.provider === 'cpu');
    assert.equal(cpu.runs, 20);
    assert.ok(
      cpu.latencyMs.min <= cpu.latencyMs.p50 &&
        cpu.latencyMs.p50 <= cpu.latencyMs.p99 &&
        cpu.latencyMs.p99 <= cpu.latencyMs.max,
    );
    assert.ok(cpu.peakRssBytes > 1e6);
    assert.equal(j.flopsPerRun, 2 * 2 * 2 * 4);
    const cuda = j.results.find((x: { provider: string }) => x.provider === 'cuda');
    assert.ok(cuda.ok || /cuda-/.test(cuda.failure.code));
    const e = await cli(dir, 'experiments', '--json');
    assert.ok(JSON.parse(e.out).rows.some((x: { kind: string }) => x.kind === 'bench'));
  });

  it('bad input exits 2 with one clear line and writes nothing', async () => {
    const trunc = writeFile(dir, 'trunc.onnx', fs.readFileSync(path.join(dir, 'clf.onnx')).subarray(0, 50));
    let r = await cli(dir, 'inspect', trunc);
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: trunc\.onnx is truncated or corrupt/);
    r = await cli(dir, 'infer', 'clf.onnx', '--input', 'data.csv', '--ep', 'cpu', '--out', 'never.csv');
    assert.equal(r.code, 2);
    assert.match(r.err, /takes 2 features per row, but data\.csv gives/);
    writeFile(dir, 'holes.csv', 'x1,x2,y\n1,2,pos\n,3,neg\n');
    r = await cli(
      dir,
      'infer',
      'clf.onnx',
      '--input',
      'holes.csv',
      '--target',
      'y',
      '--ep',
      'cpu',
      '--out',
      'never.csv',
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /empty cell in column 'x1' on line 3 of holes\.csv/);
    r = await cli(
      dir,
      'eval',
      'clf.onnx',
      '--data',
      'data.csv',
      '--split',
      'split.csv',
      '--target',
      'nope',
      '--ep',
      'cpu',
    );
    assert.match(r.err, /target 'nope' is not in data\.csv/);
    r = await cli(dir, 'infer', 'clf.onnx', '--batch', '2', '--ep', 'dml');
    assert.equal(r.code, 2);
    assert.match(r.err, /no execution provider could run the model: dml: DirectML runs only on Windows/);
    assert.equal(fs.existsSync(path.join(dir, 'never.csv')), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});

describe('inference/cli: eval reads data and target from the split manifest', function () {
  this.timeout(60_000);
  it('defaults --data and --target from FOLDS.csv.json and warns when the data changed', async () => {
    const dir = tempDir();
    try {
      const rows = ['a,b,y', ...Array.from({ length: 10 }, (_, i) => `${i},${-i},${i % 2 ? 'p' : 'n'}`)];
      const data = writeFile(dir, 'd.csv', rows.join('\n') + '\n');
      writeFile(
        dir,
        'model.onnx',
        classifierModel(
          [
            [1, -1],
            [0, 0],
          ],
          [0, 0],
          ['n', 'p'],
        ),
      );
      writeFile(
        dir,
        'F.csv',
        'split\n' + Array.from({ length: 10 }, (_, i) => (i < 6 ? 'train' : 'valid')).join('\n') + '\n',
      );
      const { sha256File } = await import('../../../src/util/hash');
      writeFile(
        dir,
        'F.csv.json',
        JSON.stringify({ parameters: { target: 'y' }, input: { file: 'd.csv', sha256: await sha256File(data) } }),
      );
      let r = await cli(dir, 'eval', 'model.onnx', '--split', 'F.csv', '--ep', 'cpu', '--json', '--no-ledger');
      assert.equal(r.code, 0, r.err);
      let j = JSON.parse(r.out);
      assert.equal(j.target, 'y');
      assert.equal(j.data.path, data);
      assert.deepEqual(j.warnings, []);
      fs.writeFileSync(data, rows.join('\n').replace('0,0,n', '0,1,n') + '\n');
      r = await cli(dir, 'eval', 'model.onnx', '--split', 'F.csv', '--ep', 'cpu', '--json', '--no-ledger');
      j = JSON.parse(r.out);
      assert.match(j.warnings[0], /d\.csv changed since F\.csv was made/);
      fs.rmSync(path.join(dir, 'F.csv.json'));
      r = await cli(dir, 'eval', 'model.onnx', '--split', 'F.csv', '--ep', 'cpu');
      assert.equal(r.code, 2);
      assert.match(r.err, /missing --data/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
