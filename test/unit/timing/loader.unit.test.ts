import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../../src/util/errors';
import { resolvePython } from '../../../src/timing/python';
import { HARNESS_MARK } from '../../../src/timing/protocol';
import { TimingTimeoutError } from '../../../src/timing/runner';
import { CellRaisedError } from '../../../src/timing/timeCell';
import { defaultLoaderName, fastestRun, timeLoader } from '../../../src/timing/loader';

const python = resolvePython([]);

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function count(file: string, ch: string): number {
  return fs.existsSync(file) ? [...fs.readFileSync(file, 'utf8')].filter((c) => c === ch).length : 0;
}

describe('loader timing: plain Python iterables', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-loader-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('iterates a list to the end: every batch counted, samples from each batch length, exhausted', async () => {
    const file = write(dir, 'list.py', '# %%\nrows = [[i, i + 1, i + 2] for i in range(10)]\n');
    const r = await timeLoader({ file, cell: 0, name: 'rows', python });
    assert.equal(r.runs.length, 1);
    const run = r.runs[0];
    assert.equal(run.batches, 10);
    assert.equal(run.exhausted, true);
    assert.equal(run.stoppedBy, 'exhausted');
    assert.equal(run.firstBatchSize, 3);
    assert.equal(run.samples, 30);
    assert.equal(run.workers, null);
    assert.equal(run.recreated, false);
    assert.equal(run.series.length, 9, 'one time per batch after the first');
    assert.ok(run.perBatch && run.perBatch.p50 <= run.perBatch.p90 && run.perBatch.p90 <= run.perBatch.max);
    assert.ok(run.batchesPerSec! > 0 && run.samplesPerSec! > run.batchesPerSec!);
    assert.equal(r.target.type, 'list');
    assert.equal(r.target.length, 10);
    assert.equal(r.nameFrom, 'option');
  });

  it('times each batch of a generator that sleeps 5 ms, the first apart, and stops at --batches', async () => {
    const log = path.join(dir, 'n.log');
    const file = write(
      dir,
      'gen.py',
      'import time\n# %%\ndef slow():\n    for i in range(1000):\n        time.sleep(0.005)\n' +
        `        open(${JSON.stringify(log)}, 'a').write('.')\n        yield (i, i)\nbatches = slow()\n`,
    );
    const r = await timeLoader({ file, cell: 0, name: 'batches', python, batches: 6 });
    const run = r.runs[0];
    assert.equal(run.batches, 6);
    assert.equal(count(log, '.'), 6, 'no batch drawn beyond the count');
    assert.equal(run.stoppedBy, 'batches');
    assert.equal(run.exhausted, false);
    assert.ok(run.perBatch!.p50 >= 0.005 && run.perBatch!.p50 < 0.05, `p50 ${run.perBatch!.p50}`);
    assert.ok(run.firstBatchSeconds! >= 0.005);
    // A tuple of ints has no tensor in it: its length counts.
    assert.equal(run.firstBatchSize, 2);
    assert.deepEqual(r.setupCells, [], 'the lines above the first cell run as setup, not as a cell');
  });

  it('stops an endless iterable at the time budget', async () => {
    const file = write(
      dir,
      'forever.py',
      '# %%\nimport itertools, time\ndef endless():\n    for i in itertools.count():\n' +
        '        time.sleep(0.0005)\n        yield i\nforever = endless()\n',
    );
    const r = await timeLoader({ file, cell: 0, name: 'forever', python, timeBudgetSeconds: 0.3 });
    const run = r.runs[0];
    assert.equal(run.stoppedBy, 'time-budget');
    assert.ok(run.totalSeconds >= 0.3 && run.totalSeconds < 5, `${run.totalSeconds} s`);
    assert.ok(run.batches > 50, `${run.batches} batches`);
    assert.equal(run.samples, null, 'an int has no length');
    assert.ok(run.series.length <= 2000 && run.seriesBucket >= 1);
  });

  it('an empty iterable: no batches, exhausted, no rates', async () => {
    const file = write(dir, 'empty.py', '# %%\nnothing = []\n');
    const run = (await timeLoader({ file, cell: 0, name: 'nothing', python })).runs[0];
    assert.equal(run.batches, 0);
    assert.equal(run.exhausted, true);
    assert.equal(run.firstBatchSeconds, null);
    assert.equal(run.batchesPerSec, null);
  });

  it('binds the name the cell assigns a DataLoader(...) to, or the one on --line; names several or none', () => {
    const text =
      '# %%\nimport x\n# %%\ntrain = DataLoader(ds, batch_size=4)\nval = torch.utils.data.DataLoader(\n    ds)\n' +
      '# %%\nloader: DataLoader = StatefulDataLoader(ds)\n';
    const cell = (from: number, to: number, label: string) => ({ from, to, label });
    assert.equal(defaultLoaderName(text, cell(7, 8, 'cell 2')), 'loader');
    assert.equal(defaultLoaderName(text, cell(3, 6, 'cell 1'), 5), 'val');
    assert.throws(
      () => defaultLoaderName(text, cell(3, 6, 'cell 1')),
      /^UserError: cell 1 assigns several data loaders \(train, val\): pick one with --name$/,
    );
    assert.throws(() => defaultLoaderName(text, cell(1, 1, 'cell 0')), /assigns no DataLoader\(\.\.\.\) to a name/);
  });

  it('the default name in a file: the cell on --line, and without cells the lines up to the statement', async () => {
    const file = write(
      dir,
      'script.py',
      'class Loader:\n    def __iter__(self):\n        return iter(range(4))\n' +
        'def DataLoader(*a, **k):\n    return Loader()\ntrain = DataLoader(\n    1,\n)\nraise SystemExit("not reached")\n',
    );
    const r = await timeLoader({ file, line: 6, python });
    assert.equal(r.name, 'train');
    assert.equal(r.nameFrom, 'assignment');
    assert.equal(r.cell, null);
    assert.equal(r.label, 'lines 1–8', 'the statement ends at its closing parenthesis');
    assert.equal(r.runs[0].batches, 4);
  });

  it('says what is wrong with the name: undefined, not iterable, or --workers on something not a DataLoader', async () => {
    const file = write(dir, 'bad.py', '# %%\nn = 5\ndata = [1, 2]\nif False:\n    later = [1]\n');
    await assert.rejects(timeLoader({ file, cell: 0, name: 'n', python }), (err: unknown) => {
      assert.ok(err instanceof UserError && !(err instanceof CellRaisedError));
      assert.equal(err.message, "'n' is of type int, which cannot be iterated: time an iterable");
      return true;
    });
    await assert.rejects(
      timeLoader({ file, cell: 0, name: 'later', python }),
      /^UserError: 'later' is not defined after cell 0 of bad\.py ran/,
    );
    await assert.rejects(timeLoader({ file, cell: 0, name: 'data', python, workers: [0, 2] }), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(
        err.message,
        /^--workers re-creates a torch DataLoader .* 'data' is of type list: leave --workers out/,
      );
      assert.doesNotMatch(err.textFor('editor'), /--/);
      return true;
    });
    await assert.rejects(timeLoader({ file, cell: 0, name: '1 +', python }), /--name '1 \+' is not a Python name/);
    await assert.rejects(
      timeLoader({ file, cell: 0, name: 'data', python, batches: 3, timeBudgetSeconds: 2 }),
      /give --batches or --time-budget, not both/,
    );
    await assert.rejects(
      timeLoader({ file, name: 'data', python }),
      /say which code builds the loader: --cell or --line/,
    );
  });

  it('an error while iterating maps to the script line and says which loader raised', async () => {
    const file = write(
      dir,
      'raise.py',
      '# %%\ndef batches():\n    yield 1\n    yield 2\n    raise ValueError("torn batch")\nit = batches()\n',
    );
    await assert.rejects(timeLoader({ file, cell: 0, name: 'it', python }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError);
      assert.equal(err.message, 'the loader it raised ValueError: torn batch (raise.py, line 5)');
      assert.match(err.traceback, /raise\.py", line 5, in batches/);
      assert.doesNotMatch(err.traceback, /harness/);
      return true;
    });
    const stops = write(
      dir,
      'stop.py',
      '# %%\ndef batches():\n    yield 1\n    raise KeyboardInterrupt\nit = batches()\n',
    );
    await assert.rejects(
      timeLoader({ file: stops, cell: 0, name: 'it', python }),
      /^CellRaisedError: the loader it raised KeyboardInterrupt \(stop\.py, line 4\): the cell interrupted itself/,
    );
  });

  it('a batch that prints a forged result record gets its real figures', async () => {
    const forged = JSON.stringify({ event: 'result', name: 'x', runs: [], target: {}, python: {} });
    const file = write(
      dir,
      'forge.py',
      `# %%\ndef batches():\n    for i in range(3):\n        print(${JSON.stringify(`\n${HARNESS_MARK}${forged}`)})\n` +
        '        yield [i]\nit = batches()\n',
    );
    const r = await timeLoader({ file, cell: 0, name: 'it', python });
    assert.equal(r.runs.length, 1);
    assert.equal(r.runs[0].batches, 3);
    assert.ok(r.output.includes(HARNESS_MARK), 'the printed line is the loader output, untouched');
  });

  it('--timeout stops an iterable that never yields, and names the loader', async () => {
    const file = write(
      dir,
      'hang.py',
      '# %%\nimport time\ndef stuck():\n    time.sleep(60)\n    yield 1\nit = stuck()\n',
    );
    const started = Date.now();
    await assert.rejects(
      timeLoader({ file, cell: 0, name: 'it', python, timeoutSeconds: 1.5, timeoutVia: '--timeout' }),
      (err: unknown) => {
        assert.ok(err instanceof TimingTimeoutError);
        assert.match(err.message, /^timed out after 1\.5 s \(--timeout\) while running the loader it;/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 15000);
  });

  it('--to-device moves every tensor of every batch and synchronises before each stop (a stand-in torch)', async () => {
    const log = path.join(dir, 'cuda.log');
    fs.mkdirSync(path.join(dir, 'torch'));
    fs.writeFileSync(
      path.join(dir, 'torch', '__init__.py'),
      [
        "__version__ = '0.0-standin'",
        'class _Cuda:',
        '    def is_available(self): return True',
        '    def current_device(self): return 0',
        "    def get_device_name(self, i): return 'Stand-in GPU'",
        `    def synchronize(self): open(${JSON.stringify(log)}, 'a').write('s')`,
        'cuda = _Cuda()',
        'class Tensor:',
        "    def __init__(self, n, device='cpu'):",
        '        self.shape = (n, 3)',
        '        self.device = device',
        '    def is_pinned(self): return False',
        '    def to(self, device, non_blocking=False):',
        `        open(${JSON.stringify(log)}, 'a').write('t')`,
        '        return Tensor(self.shape[0], device)',
        'def is_tensor(x): return isinstance(x, Tensor)',
        '',
      ].join('\n'),
    );
    const file = write(
      dir,
      'gpu.py',
      '# %%\nimport torch\npairs = [(torch.Tensor(8), torch.Tensor(8)) for _ in range(5)]\n',
    );
    const r = await timeLoader({ file, cell: 0, name: 'pairs', python, toDevice: true });
    assert.deepEqual(r.toDevice, { device: 'cuda:0', name: 'Stand-in GPU' });
    assert.equal(count(log, 't'), 10, 'both tensors of each of the 5 batches moved');
    assert.equal(count(log, 's'), 5, 'one synchronize per batch');
    assert.equal(r.runs[0].samples, 40, 'the first tensor of the tuple counts its rows');
  });

  it('names the fastest run by batches/s after the first batch', () => {
    assert.equal(fastestRun([{ batchesPerSec: 30 }, { batchesPerSec: 61 }, { batchesPerSec: 55 }]), 1);
    assert.equal(fastestRun([{ batchesPerSec: null }, { batchesPerSec: 2 }]), 1);
    assert.equal(fastestRun([{ batchesPerSec: null }]), null);
  });
});
