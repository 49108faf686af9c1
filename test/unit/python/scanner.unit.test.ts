import assert from 'node:assert/strict';
import {
  dataLoaderAssignments,
  scanPython,
  type FocusSite,
  type LensSite,
  type OnnxSite,
  type SplitSite,
} from '../../../src/python/scanner';

function byKind<K extends LensSite['kind']>(sites: LensSite[], kind: K): Extract<LensSite, { kind: K }>[] {
  return sites.filter((s) => s.kind === kind) as Extract<LensSite, { kind: K }>[];
}

/** 0-based line of the first line containing `needle` (tests name lines by their text, not by counting). */
function lineOfText(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.notEqual(i, -1, `fixture contains ${needle}`);
  return i;
}

const TORCH_SCRIPT = `"""Train a small CNN.

Mentions train_test_split( and "model.onnx" in a docstring: neither is code.
"""
# %%
import random
import numpy as np
import torch
import torch.nn as nn

# %% [markdown]
# Notes only: this cell is not timed.

# %% Load data
data = np.load("data/train.npz")

# %%
def train(model, loader, epochs=10):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    return model


def export(model):
    torch.onnx.export(
        model,
        torch.randn(1, 3, 32, 32),
        "models/cnn.onnx",  # the path Flowbench runs
        opset_version=17,
    )


if __name__ == '__main__':
    model = train(nn.Linear(4, 3), [])
    export(model)
`;

const SKLEARN_SCRIPT = `import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    StratifiedKFold,
    train_test_split,
)
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType

df = pd.read_csv('data/flowers.csv')
X, y = df.drop(columns=['species']), df['species']
X_train, X_valid, y_train, y_valid = train_test_split(
    X, y,
    test_size=0.25,   # a quarter, not 0.2
    random_state=7,
    stratify=df["species"],
)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
# cv2 = KFold(n_splits=3)   (commented out: no lens)
print("train_test_split(X, y) is only text here")
clf = LogisticRegression().fit(X_train, y_train)
onx = convert_sklearn(clf, initial_types=[("input", FloatTensorType([None, 4]))])
with open("models/logreg.onnx", "wb") as f:
    f.write(onx.SerializeToString())

import onnxruntime as ort
sess = ort.InferenceSession('models/baseline.onnx')
name = f"models/{clf}.onnx"
`;

describe('lenses scanner: training-script detection', () => {
  it('recognises framework imports, .fit( calls and epoch loops, but not mentions in strings or comments', () => {
    assert.deepEqual(scanPython('import torch\n').reasons, ['torch']);
    assert.deepEqual(scanPython('from tensorflow import keras\n').reasons, ['tensorflow']);
    assert.deepEqual(scanPython('import numpy as np, xgboost as xgb\n').reasons, ['xgboost']);
    assert.deepEqual(scanPython('import lightgbm\nimport catboost\nfrom fastai.vision.all import *\n').reasons, [
      'lightgbm',
      'catboost',
      'fastai',
    ]);
    assert.deepEqual(scanPython('from sklearn.svm import SVC\n').reasons, ['sklearn']);
    assert.deepEqual(scanPython('model.fit(X, y)\n').reasons, ['.fit( call']);
    assert.deepEqual(scanPython('for epoch in range(3):\n    pass\n').reasons, ['training loop']);
    const notTraining = scanPython(
      '# import torch\ns = "import torch"\nx = """\nfor epoch in range(3):\n"""\nprint(s.fit)\n',
    );
    assert.equal(notTraining.isTrainingScript, false);
    assert.deepEqual(notTraining.sites, []);
  });

  it('gives a plain script no lenses even when it has cells, unless forced', () => {
    const text = '# %%\nprint(1)\n# %%\nprint(2)\n';
    assert.deepEqual(scanPython(text).sites, []);
    assert.equal(byKind(scanPython(text, { force: true }).sites, 'timeCell').length, 2);
  });
});

describe('lenses scanner: sites in a PyTorch script', () => {
  const result = scanPython(TORCH_SCRIPT);

  it('puts a Time cell lens on each code cell, skipping markdown, numbered like the timing feature', () => {
    const cells = byKind(result.sites, 'timeCell');
    assert.deepEqual(
      cells.map((c) => [c.line, c.cell, c.title]),
      [
        [lineOfText(TORCH_SCRIPT, '# %%\nimport random'.split('\n')[0]), 0, ''],
        [lineOfText(TORCH_SCRIPT, '# %% Load data'), 2, 'Load data'],
        [lineOfText(TORCH_SCRIPT, 'def train') - 1, 3, ''],
      ],
    );
    assert.match(cells[0].hash, /^[0-9a-f]{16}$/);
  });

  it('finds the multi-line torch.onnx.export call with its path, ignoring the docstring mention', () => {
    const onnx = byKind(result.sites, 'onnx');
    assert.deepEqual(onnx, [
      {
        kind: 'onnx',
        line: lineOfText(TORCH_SCRIPT, 'torch.onnx.export('),
        character: 4,
        source: 'export',
        callee: 'torch.onnx.export',
        modelPath: 'models/cnn.onnx',
      },
    ]);
    assert.equal(byKind(result.sites, 'split').length, 0, 'train_test_split( in the docstring is not a call');
  });

  it('offers one focus lens per entry point: def train (not again for its epoch loop) and the __main__ guard', () => {
    const focus = byKind(result.sites, 'focus');
    assert.deepEqual(
      focus.map((f: FocusSite) => [f.line, f.entry]),
      [
        [lineOfText(TORCH_SCRIPT, 'def train('), 'def train'],
        [lineOfText(TORCH_SCRIPT, "if __name__ == '__main__'"), '__main__'],
      ],
    );
  });

  it('keeps sites sorted by line', () => {
    const lines = result.sites.map((s) => s.line);
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => a - b),
    );
  });
});

describe('lenses scanner: sites in a scikit-learn script', () => {
  const result = scanPython(SKLEARN_SCRIPT);
  const splits = byKind(result.sites, 'split');

  it('finds split calls in code only (not in imports, comments or strings)', () => {
    assert.deepEqual(
      splits.map((s: SplitSite) => [s.line, s.callee]),
      [
        [lineOfText(SKLEARN_SCRIPT, '= train_test_split('), 'train_test_split'],
        [lineOfText(SKLEARN_SCRIPT, 'cv = StratifiedKFold('), 'StratifiedKFold'],
      ],
    );
  });

  it('reads literal arguments of a multi-line call, past comments, and keeps expressions as text', () => {
    const tts = splits[0];
    assert.match(tts.callText, /^train_test_split\(\n[\s\S]*\n\)$/);
    assert.equal(tts.args.keywords.test_size.value, 0.25);
    assert.equal(tts.args.keywords.random_state.value, 7);
    assert.equal(tts.args.keywords.stratify.isLiteral, false);
    assert.equal(tts.args.keywords.stratify.text, 'df["species"]');
    assert.deepEqual(
      tts.args.positional.map((a) => a.text),
      ['X', 'y'],
    );
    assert.equal(tts.dataPath, 'data/flowers.csv');
    const skf = splits[1];
    assert.deepEqual(Object.fromEntries(Object.entries(skf.args.keywords).map(([k, v]) => [k, v.value])), {
      n_splits: 5,
      shuffle: true,
      random_state: 42,
    });
  });

  it('ties a skl2onnx conversion to the path written below it, and lenses other .onnx literals once', () => {
    const onnx = byKind(result.sites, 'onnx');
    assert.deepEqual(
      onnx.map((o: OnnxSite) => [o.line, o.source, o.modelPath]),
      [
        [lineOfText(SKLEARN_SCRIPT, 'onx = convert_sklearn('), 'export', 'models/logreg.onnx'],
        [lineOfText(SKLEARN_SCRIPT, 'InferenceSession('), 'path', 'models/baseline.onnx'],
      ],
      'the f-string path cannot be resolved and gets no lens',
    );
    assert.deepEqual(
      onnx.map((o) => o.dataPath),
      ['data/flowers.csv', 'data/flowers.csv'],
      'the data the script reads, for Evaluate',
    );
  });

  it('has no focus lens when there is no entry point', () => {
    assert.deepEqual(byKind(result.sites, 'focus'), []);
    assert.ok(result.reasons.includes('sklearn') && result.reasons.includes('.fit( call'));
  });
});

describe('lenses scanner: edge cases', () => {
  it('survives unterminated strings and unclosed calls (a script being typed)', () => {
    const text =
      "import torch\nx = \"unterminated\nsplit = train_test_split(X, y, test_size=0.3\nname = 'models/a.onnx'\n";
    const r = scanPython(text);
    const split = byKind(r.sites, 'split');
    assert.equal(split.length, 1);
    assert.equal(split[0].args.keywords.test_size.value, 0.3);
    assert.deepEqual(
      byKind(r.sites, 'onnx').map((o) => o.modelPath),
      ['models/a.onnx'],
    );
  });

  it('handles string prefixes, escapes and triple quotes around code-like text', () => {
    const text = [
      'import sklearn',
      "a = r'KFold(n_splits=2)'",
      'b = """',
      "if __name__ == '__main__':",
      'def main():',
      '"""',
      "c = rb'x.onnx'",
      "d = 'it\\'s KFold(' + \"models/e.onnx\"",
      'kf = KFold(3, shuffle=False)',
      'async def main():',
      '    for epoch_idx, batch in enumerate(loader):',
      '        pass',
      'for epoch in range(2):',
      '    pass',
    ].join('\n');
    const r = scanPython(text);
    assert.deepEqual(
      byKind(r.sites, 'split').map((s) => [s.line, s.args.positional[0].value, s.args.keywords.shuffle.value]),
      [[8, 3, false]],
    );
    assert.deepEqual(
      byKind(r.sites, 'onnx').map((o) => [o.line, o.modelPath]),
      [[7, 'models/e.onnx']],
    );
    assert.deepEqual(
      byKind(r.sites, 'focus').map((f) => [f.line, f.entry]),
      [
        [9, 'def main'],
        [12, 'epoch loop'],
      ],
    );
  });

  it('reads negative numbers, None and strings as literals and skips *args', () => {
    const r = scanPython(
      'import sklearn\ntss = TimeSeriesSplit(n_splits=4, gap=-0, max_train_size=None, test_size=1_000, *extra, **kw)\n',
    );
    const k = byKind(r.sites, 'split')[0].args.keywords;
    assert.equal(k.n_splits.value, 4);
    assert.equal(k.max_train_size.value, null);
    assert.equal(k.test_size.value, 1000);
    assert.equal(Object.keys(k).length, 4);
  });

  it('reads CRLF files the same as LF files', () => {
    const lf = scanPython(SKLEARN_SCRIPT);
    const crlf = scanPython(SKLEARN_SCRIPT.replace(/\n/g, '\r\n'));
    const view = (r: typeof lf) =>
      r.sites.map((x) => [
        x.line,
        x.kind,
        'modelPath' in x ? x.modelPath : '',
        x.kind === 'split' ? x.args.keywords.test_size?.value : '',
      ]);
    assert.deepEqual(view(crlf), view(lf));
  });

  it('offers no Time cell on a cell of only comments and blank lines', () => {
    const r = scanPython('import torch\n# %%\n# just notes\n\n# %%\nx = 1\n');
    assert.deepEqual(
      byKind(r.sites, 'timeCell').map((c) => [c.line, c.cell]),
      [[4, 1]],
    );
  });

  it('gives an epoch loop under the __main__ guard no second focus lens', () => {
    const r = scanPython('import torch\nif __name__ == "__main__":\n    for epoch in range(3):\n        pass\n');
    assert.deepEqual(
      byKind(r.sites, 'focus').map((f) => [f.line, f.entry]),
      [[1, '__main__']],
    );
  });

  it('does not treat a function named like a split helper as a call site', () => {
    const r = scanPython('import sklearn\ndef train_test_split(a):\n    return a\n');
    assert.deepEqual(byKind(r.sites, 'split'), []);
  });
});

describe('lenses scanner: data loaders', () => {
  it('finds name = DataLoader( assignments with any qualified or …DataLoader callee, annotated or not', () => {
    const text = [
      'import torch',
      'from torch.utils.data import DataLoader',
      'train = DataLoader(ds, batch_size=16,',
      '                   shuffle=True)',
      'val: DataLoader = torch.utils.data.DataLoader(ds)',
      'state = StatefulDataLoader(ds)',
      '    inner = DataLoader(ds)',
      'x == DataLoader(ds)',
      'a, b = DataLoader(ds), 1',
      '# loader = DataLoader(ds)',
      'text = "y = DataLoader(ds)"',
      'other = make_loader(ds)',
      '',
    ].join('\n');
    assert.deepEqual(
      dataLoaderAssignments(text).map((s) => [s.line, s.name, s.callee, s.endLine, s.topLevel]),
      [
        [2, 'train', 'DataLoader', 3, true],
        [4, 'val', 'torch.utils.data.DataLoader', 4, true],
        [5, 'state', 'StatefulDataLoader', 5, true],
        [6, 'inner', 'DataLoader', 6, false],
      ],
    );
    assert.deepEqual(
      byKind(scanPython(text).sites, 'loader').map((s) => s.name),
      ['train', 'val', 'state', 'inner'],
    );
  });
});
