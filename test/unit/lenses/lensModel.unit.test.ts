import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  DEFAULT_LENS_SETTINGS,
  LENS_COMMANDS,
  lensSpecs,
  resolveScriptPath,
  type LensContext,
} from '../../../src/lenses/lensModel';
import { scanPython } from '../../../src/python/scanner';
import { columnOf, splitPrefill } from '../../../src/splits/prefill';

const WS = path.resolve('/ws');
const SCRIPT = path.join(WS, 'src', 'train.py');

const TEXT = `import torch
import pandas as pd
from sklearn.model_selection import train_test_split

# %%
df = pd.read_csv("../data/flowers.csv")
tr, va = train_test_split(df, test_size=0.2, random_state=3, stratify=df["species"])

# %%
def main():
    torch.onnx.export(model, x, "models/net.onnx")

# %%
train_loader = DataLoader(ds, batch_size=16)
`;

function ctx(over: Partial<LensContext> = {}): LensContext {
  return {
    file: SCRIPT,
    workspaceFolder: WS,
    settings: { ...DEFAULT_LENS_SETTINGS },
    canRunPython: true,
    splitArgs: splitPrefill,
    ...over,
  };
}

describe('lens model', () => {
  const scan = scanPython(TEXT);

  it('gives every kind its title, command and prefilled arguments', () => {
    const specs = lensSpecs(scan, ctx());
    assert.deepEqual(
      specs.map((s) => [s.line, s.title, s.command]),
      [
        [4, '$(watch) Time cell', LENS_COMMANDS.timeCell],
        [6, 'Set up validation split…', LENS_COMMANDS.split],
        [8, '$(watch) Time cell', LENS_COMMANDS.timeCell],
        [9, 'Start focus session', LENS_COMMANDS.focus],
        [10, 'Run baseline', LENS_COMMANDS.run],
        [10, 'Benchmark', LENS_COMMANDS.bench],
        [10, 'Evaluate', LENS_COMMANDS.eval],
        [12, '$(watch) Time cell', LENS_COMMANDS.timeCell],
        [13, '$(watch) Time loader', LENS_COMMANDS.loader],
      ],
    );
    // Cells as users count them: code cells from 1.
    assert.deepEqual(specs[0].args, { file: SCRIPT, cell: 1 });
    assert.deepEqual(specs[2].args, { file: SCRIPT, cell: 2 });
    assert.deepEqual(specs[1].args, {
      strategy: 'holdout',
      seed: 3,
      testSize: 0.2,
      target: 'species',
      file: path.join(WS, 'data', 'flowers.csv'),
    });
    const model = path.join(WS, 'src', 'models', 'net.onnx');
    assert.deepEqual(specs[4].args, { model });
    assert.deepEqual(specs[5].args, { model });
    assert.deepEqual(
      specs[6].args,
      { model, data: path.join(WS, 'data', 'flowers.csv') },
      'Evaluate gets the data the script reads',
    );
    assert.equal(specs[3].args.intentDefault, 'Train train.py', 'the intent is offered in the prompt, not imposed');
  });

  it("leaves the split to the Evaluate command, which picks among the data file's splits", () => {
    const args = lensSpecs(scan, ctx({ exists: () => true })).find((s) => s.command === LENS_COMMANDS.eval)!.args;
    assert.equal(args.split, undefined);
    assert.equal(args.data, path.join(WS, 'data', 'flowers.csv'));
  });

  it('shows the last timing from the history in place of the plain title', () => {
    const specs = lensSpecs(
      scan,
      ctx({
        cellTiming: (site) =>
          site.cell === 1 ? { text: '$(watch) 12.3 ms ± 0.4 · −18%', tooltip: 'line' } : undefined,
      }),
    );
    const cells = specs.filter((s) => s.command === LENS_COMMANDS.timeCell);
    assert.deepEqual(
      cells.map((c) => c.title),
      ['$(watch) Time cell', '$(watch) 12.3 ms ± 0.4 · −18%', '$(watch) Time cell'],
    );
    assert.match(cells[1].tooltip, /^line\n/);
    assert.match(cells[1].tooltip, /time cell 2 again/);
    // While the cell is being timed, the lens says so instead of offering to time it.
    const busy = lensSpecs(
      scan,
      ctx({ cellTiming: () => ({ text: '$(sync~spin) Timing… run 2 of 7…', tooltip: 'Timing', running: true }) }),
    ).filter((s) => s.command === LENS_COMMANDS.timeCell);
    assert.match(busy[0].title, /^\$\(sync~spin\) Timing…/);
    assert.doesNotMatch(busy[0].tooltip, /Click/);
  });

  it('turns each kind off with its setting, everything off with the master switch', () => {
    const kinds = (over: Partial<typeof DEFAULT_LENS_SETTINGS>) =>
      [
        ...new Set(lensSpecs(scan, ctx({ settings: { ...DEFAULT_LENS_SETTINGS, ...over } })).map((s) => s.command)),
      ].sort();
    const all = Object.values(LENS_COMMANDS).sort();
    assert.deepEqual(kinds({}), all);
    assert.deepEqual(
      kinds({ timeCell: false }),
      all.filter((c) => c !== LENS_COMMANDS.timeCell),
    );
    assert.deepEqual(
      kinds({ splits: false }),
      all.filter((c) => c !== LENS_COMMANDS.split),
    );
    assert.deepEqual(
      kinds({ onnx: false }),
      all.filter((c) => !c.startsWith('flowbench.onnx.')),
    );
    assert.deepEqual(
      kinds({ focus: false }),
      all.filter((c) => c !== LENS_COMMANDS.focus),
    );
    assert.deepEqual(
      kinds({ loader: false }),
      all.filter((c) => c !== LENS_COMMANDS.loader),
    );
    assert.deepEqual(kinds({ enabled: false }), []);
  });

  it('offers no Time cell and no Time loader where Python may not run (untrusted workspace)', () => {
    const specs = lensSpecs(scan, ctx({ canRunPython: false }));
    assert.equal(specs.filter((s) => s.command === LENS_COMMANDS.timeCell).length, 0);
    assert.equal(specs.filter((s) => s.command === LENS_COMMANDS.loader).length, 0);
    assert.ok(specs.length > 0);
  });

  it('puts Time loader on a top-level DataLoader assignment, and its last timing once it has one', () => {
    const [plain] = lensSpecs(scan, ctx()).filter((s) => s.command === LENS_COMMANDS.loader);
    assert.equal(plain.title, '$(watch) Time loader');
    assert.equal(plain.line, 13);
    assert.deepEqual(plain.args, { file: SCRIPT, line: 14, name: 'train_loader' });
    assert.match(plain.tooltip, /^Time train_loader: the cells above and cell 2 run once/);
    const asked: unknown[] = [];
    const [timed] = lensSpecs(
      scan,
      ctx({
        loaderTiming: (site, hash) => {
          asked.push([site.name, hash]);
          return { text: '$(watch) 812 batches/s · first 120 ms', tooltip: 'train_loader: 812 batches/s' };
        },
      }),
    ).filter((s) => s.command === LENS_COMMANDS.loader);
    assert.equal(timed.title, '$(watch) 812 batches/s · first 120 ms');
    assert.match(timed.tooltip, /Click to time it again\.$/);
    const cell = scan.sites.find((x) => x.kind === 'timeCell' && x.cell === 2);
    assert.deepEqual(asked, [['train_loader', cell?.kind === 'timeCell' ? cell.hash : 'none']]);
    // Inside a function the name is no global once the cell ran: no lens.
    const nested = scanPython('import torch\ndef f():\n    loader = DataLoader(ds)\n');
    assert.equal(lensSpecs(nested, ctx()).filter((s) => s.command === LENS_COMMANDS.loader).length, 0);
  });

  it('resolves paths beside the script first, then from the workspace folder when only that one exists', () => {
    const existing = new Set([path.join(WS, 'models', 'net.onnx')]);
    const c = { file: SCRIPT, workspaceFolder: WS, exists: (p: string) => existing.has(p) };
    assert.equal(resolveScriptPath('models/net.onnx', c), path.join(WS, 'models', 'net.onnx'));
    existing.add(path.join(WS, 'src', 'models', 'net.onnx'));
    assert.equal(resolveScriptPath('models/net.onnx', c), path.join(WS, 'src', 'models', 'net.onnx'));
    assert.equal(
      resolveScriptPath('missing.onnx', c),
      path.join(WS, 'src', 'missing.onnx'),
      'neither exists: beside the script',
    );
    assert.equal(resolveScriptPath('/abs/m.onnx', c), path.resolve('/abs/m.onnx'));
  });
});

describe('split prefill from a call', () => {
  const prefillOf = (code: string) => {
    const site = scanPython(`import sklearn\n${code}\n`).sites.find((s) => s.kind === 'split');
    assert.ok(site && site.kind === 'split', code);
    return splitPrefill(site);
  };

  it('maps each scikit-learn class to its Flowbench strategy with folds, seed and shuffle', () => {
    assert.deepEqual(prefillOf('KFold(5, shuffle=True, random_state=0)'), {
      strategy: 'kfold',
      folds: 5,
      seed: 0,
      shuffle: true,
    });
    assert.deepEqual(prefillOf('StratifiedKFold(n_splits=10)'), { strategy: 'stratified-kfold', folds: 10 });
    assert.deepEqual(prefillOf('GroupKFold(n_splits=4)'), { strategy: 'group-kfold', folds: 4 });
    assert.deepEqual(prefillOf('StratifiedGroupKFold(3, shuffle=True, random_state=1)'), {
      strategy: 'stratified-group-kfold',
      folds: 3,
      shuffle: true,
      seed: 1,
    });
    assert.deepEqual(prefillOf('GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=5)'), {
      strategy: 'group-holdout',
      testSize: 0.3,
      seed: 5,
    });
    assert.deepEqual(prefillOf('TimeSeriesSplit(n_splits=5, gap=2, test_size=30, max_train_size=200)'), {
      strategy: 'time-series',
      folds: 5,
      gap: 2,
      testCount: 30,
      maxTrainSize: 200,
    });
  });

  it('reads sizes as scikit-learn does (float fraction, int count) and the stratify column', () => {
    assert.deepEqual(prefillOf('train_test_split(X, y, test_size=100, shuffle=False)'), {
      strategy: 'holdout',
      shuffle: false,
      testCount: 100,
    });
    assert.deepEqual(prefillOf('train_test_split(X, y, train_size=0.75, stratify=y)'), {
      strategy: 'holdout',
      trainSize: 0.75,
    });
    assert.deepEqual(prefillOf('train_test_split(df, test_size=1.0e-1, stratify=df.label, random_state=seed)'), {
      strategy: 'holdout',
      testSize: 0.1,
      target: 'label',
    });
    assert.equal(columnOf("data['Survived']"), 'Survived');
    assert.equal(columnOf('df.values'), undefined);
    assert.equal(columnOf('y'), undefined);
  });
});
