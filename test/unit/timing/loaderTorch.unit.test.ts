import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolvePython } from '../../../src/timing/python';
import { TimingTimeoutError } from '../../../src/timing/runner';
import { CellRaisedError } from '../../../src/timing/timeCell';
import { timeLoader, type LoaderResult } from '../../../src/timing/loader';

const python = resolvePython([]);

/** torch is a test peer (test/ensure-deps.mjs installs it): without it these tests fail, saying so, not skip. */
function requireTorch(): void {
  const r = spawnSync(python.path, ['-c', 'import torch, torch.utils.data'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `torch is missing in ${python.path}: these tests time real torch DataLoaders. Install it with ` +
        `'${python.path} -m pip install torch' (test/ensure-deps.mjs does so for npm test). ${r.stderr.trim()}`,
    );
}

/** A map-style dataset whose __getitem__ sleeps 2 ms: a batch of 16 costs 32 ms in the main process. */
const SLEEPY = `# %%
import os, time
import torch
from torch.utils.data import DataLoader, Dataset

class Sleepy(Dataset):
    def __len__(self):
        return 16 * 200

    def __getitem__(self, i):
        time.sleep(0.002)
        return torch.full((3,), float(i)), i

# %%
train_loader = DataLoader(Sleepy(), batch_size=16, shuffle=True)
`;

/** The expected per-batch time: 16 sleeps of 2 ms. The band is the "about 32 ms (within 15%)". */
const BATCH_S = 0.032;

function inBand(r: LoaderResult): boolean {
  const p50 = r.runs[0].perBatch!.p50;
  return Math.abs(p50 - BATCH_S) <= 0.15 * BATCH_S;
}

describe('loader timing: a real torch DataLoader (CPU)', function () {
  this.timeout(180000);
  let dir: string;
  before(requireTorch);
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-torch-loader-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('2 ms per item × batch_size 16 takes about 32 ms per batch with 0 workers (p50 within 15%)', async () => {
    const file = path.join(dir, 'train.py');
    fs.writeFileSync(file, SLEEPY);
    const once = () => timeLoader({ file, cell: 1, python, batches: 25 });
    let r = await once();
    // On a machine busy with other work a sleep can overrun by milliseconds; one retry, and only the p50 counts,
    // so a single descheduled batch cannot fail it.
    if (!inBand(r)) r = await once();
    const run = r.runs[0];
    assert.equal(r.name, 'train_loader', 'the DataLoader(...) assignment of cell 1');
    assert.equal(r.target.isDataLoader, true);
    assert.equal(r.target.batchSize, 16);
    assert.equal(r.target.length, 200, 'batches per epoch');
    assert.equal(run.workers, 0);
    assert.equal(run.batches, 25);
    assert.equal(run.firstBatchSize, 16, "the first tensor's first dimension of the (x, y) batch");
    assert.equal(run.samples, 25 * 16);
    assert.ok(inBand(r), `p50 ${(run.perBatch!.p50 * 1000).toFixed(2)} ms per batch, expected 32 ms ± 15%`);
    assert.ok(run.firstBatchSeconds! >= BATCH_S * 0.85, 'the first batch holds 16 sleeps too');
    assert.ok(Math.abs(run.samplesPerSec! / run.batchesPerSec! - 16) < 1e-9);
  });

  it('a num_workers sweep re-creates the loader for each value and finds 2 workers faster than 0', async () => {
    const file = path.join(dir, 'train.py');
    fs.writeFileSync(file, SLEEPY);
    const r = await timeLoader({ file, cell: 1, python, batches: 30, workers: [0, 2] });
    assert.deepEqual(
      r.runs.map((x) => [x.workers, x.recreated, x.batches]),
      [
        [0, true, 30],
        [2, true, 30],
      ],
    );
    const [zero, two] = r.runs;
    assert.ok(two.batchesPerSec! > zero.batchesPerSec!, `${two.batchesPerSec} vs ${zero.batchesPerSec} batches/s`);
    assert.equal(r.fastest, 1, 'num_workers=2 is named the fastest');
    assert.ok(two.firstBatchSeconds! > 0, 'worker start-up is in the first batch, reported apart');
    assert.ok(r.carried!.includes('sampler (RandomSampler)'), `shuffle carries as its sampler: ${r.carried}`);
    for (const arg of ['dataset', 'batch_size', 'drop_last', 'collate_fn', 'pin_memory', 'timeout', 'generator'])
      assert.ok(r.carried!.includes(arg), `${arg} carried over: ${r.carried}`);
  });

  it('carries drop_last, a custom collate_fn and a custom batch_sampler over to each re-created loader', async () => {
    const file = path.join(dir, 'custom.py');
    fs.writeFileSync(
      file,
      `# %%
import torch
from torch.utils.data import BatchSampler, DataLoader, SequentialSampler, TensorDataset

ds = TensorDataset(torch.arange(50.0).unsqueeze(1))
def as_dict(items):
    return {'x': torch.stack([t[0] for t in items])}
dropping = DataLoader(ds, batch_size=16, drop_last=True, collate_fn=as_dict)
by_sampler = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 7, False))
`,
    );
    const dropped = await timeLoader({ file, cell: 0, name: 'dropping', python, workers: [0, 1] });
    for (const run of dropped.runs) {
      assert.equal(run.batches, 3, 'drop_last: 50 rows make 3 whole batches of 16');
      assert.equal(run.exhausted, true);
      assert.equal(run.samples, 48, "the collate_fn's dict: its first tensor's rows");
    }
    const sampled = await timeLoader({ file, cell: 0, name: 'by_sampler', python, workers: [0, 1] });
    for (const run of sampled.runs) {
      assert.equal(run.batches, 8, 'the batch sampler: 7 batches of 7 and one of 1');
      assert.equal(run.samples, 50);
    }
    assert.ok(sampled.carried!.includes('batch_sampler (BatchSampler)'));
  });

  it('an error raised in a DataLoader worker maps to the dataset line, with the worker traceback', async () => {
    const file = path.join(dir, 'broken.py');
    fs.writeFileSync(
      file,
      `# %%
import torch
from torch.utils.data import DataLoader, Dataset

class Broken(Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        if i == 20:
            return 1 / 0
        return torch.zeros(2)

loader = DataLoader(Broken(), batch_size=8, num_workers=2)
`,
    );
    await assert.rejects(timeLoader({ file, cell: 0, python }), (err: unknown) => {
      assert.ok(err instanceof CellRaisedError, String(err));
      assert.match(
        err.message,
        /^the loader loader raised ZeroDivisionError: division by zero \(in DataLoader worker process \d\) \(broken\.py, line 11\)$/,
      );
      assert.match(err.traceback, /broken\.py", line 11, in __getitem__/);
      return true;
    });
  });

  it('--timeout stops the loader and its worker processes (the whole process group)', async () => {
    const pids = path.join(dir, 'pids');
    const file = path.join(dir, 'stuck.py');
    fs.writeFileSync(
      file,
      `# %%
import os, time
import torch
from torch.utils.data import DataLoader, Dataset

class Stuck(Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        with open(${JSON.stringify(pids)}, 'a') as f:
            f.write('%d\\n' % os.getpid())
        time.sleep(120)
        return torch.zeros(2)

loader = DataLoader(Stuck(), batch_size=4, num_workers=2)
`,
    );
    await assert.rejects(
      timeLoader({ file, cell: 0, python, timeoutSeconds: 10, timeoutVia: '--timeout' }),
      (err: unknown) => {
        assert.ok(err instanceof TimingTimeoutError);
        assert.match(err.message, /while running the loader loader;/);
        return true;
      },
    );
    const workers = [...new Set(fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number))];
    assert.ok(workers.length >= 1, 'the workers started');
    const deadline = Date.now() + 10000;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
      } catch {
        return false;
      }
    };
    while (workers.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(workers.filter(alive), [], 'no worker process outlives the timeout');
  });
});
